package dev.webstack.site;

import java.time.Clock;
import java.util.Optional;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Publishes a post at most once per form token, in one transaction on the primary.
 */
@Service
class PostService {

	/** What a submission led to: the post, and whether this submission made it. */
	record Outcome(long postId, boolean created) {
	}

	private final PostRepository posts;

	private final Submissions submissions;

	private final Clock clock;

	PostService(PostRepository posts, Submissions submissions, Clock clock) {
		this.posts = posts;
		this.submissions = submissions;
		this.clock = clock;
	}

	@Transactional
	public Outcome publish(PostForm form) {
		Optional<Long> earlier = this.submissions.postFor(form.submission());
		if (earlier.isPresent()) {
			return new Outcome(earlier.get(), false);
		}
		Post post = this.posts.save(new Post(form.title(), form.body(), form.author(), this.clock.instant()));
		this.submissions.record(form.submission(), post.getId());
		return new Outcome(post.getId(), true);
	}

	/** After a concurrent duplicate lost the race on the token: where the winner went. */
	@Transactional
	public Optional<Long> publishedWith(String token) {
		return this.submissions.postFor(token);
	}

}
