package dev.webstack.site;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.springframework.data.jpa.domain.Specification;

/**
 * A search over post titles: every word typed must appear in the title, in any case.
 */
final class PostSearch {

	static final int QUERY_MAX = 100;

	static final int WORDS_MAX = 8;

	private PostSearch() {
	}

	/** The distinct words of a query, lower-cased, at most {@link #WORDS_MAX}. */
	static List<String> words(String query) {
		if (query == null || query.isBlank()) {
			return List.of();
		}
		return Arrays.stream(query.strip().toLowerCase(Locale.ROOT).split("\\s+"))
			.distinct()
			.limit(WORDS_MAX)
			.toList();
	}

	static Specification<Post> titleContainsAll(List<String> words) {
		return (root, query, cb) -> cb.and(words.stream()
			.map((word) -> cb.like(cb.lower(root.get("title")), "%" + escape(word) + "%", '\\'))
			.toArray(jakarta.persistence.criteria.Predicate[]::new));
	}

	/** Makes LIKE's wildcards literal, so searching for "100%" finds "100%". */
	static String escape(String word) {
		return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
	}

}
