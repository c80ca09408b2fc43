package dev.webstack.site;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * One-time form tokens already used, and the post each submission made or went to. Used
 * inside the writing transaction, so a token and its write commit together or not at all.
 */
@Repository
class Submissions {

	/** A one-time form token: a UUID. */
	static final String TOKEN_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

	static final String EXPIRED = "This form has expired; please send it again.";

	private final JdbcTemplate jdbc;

	Submissions(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	static String newToken() {
		return UUID.randomUUID().toString();
	}

	/** The post a token's submission went to, if the token was used. */
	Optional<Long> postFor(String token) {
		List<Long> ids = this.jdbc.queryForList("select post_id from form_submission where token = ?", Long.class,
				token);
		return ids.stream().findFirst();
	}

	/** Marks a token used; a concurrent use of the same token fails here on the primary key. */
	void record(String token, long postId) {
		this.jdbc.update("insert into form_submission (token, post_id, created_at) values (?, ?, now(3))", token,
				postId);
	}

}
