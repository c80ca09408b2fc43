package dev.webstack.site;

import java.time.Clock;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Adds a comment and its post's comment count in one transaction, on the primary, at
 * most once per form token.
 */
@Service
class CommentService {

	private final PostRepository posts;

	private final CommentRepository comments;

	private final Submissions submissions;

	private final Clock clock;

	/** What a comment submission led to. */
	enum Outcome {

		ADDED, ALREADY_ADDED, NO_SUCH_POST

	}

	CommentService(PostRepository posts, CommentRepository comments, Submissions submissions, Clock clock) {
		this.posts = posts;
		this.comments = comments;
		this.submissions = submissions;
		this.clock = clock;
	}

	/** Adds the comment unless its form token was used already; writes nothing for a missing post. */
	@Transactional
	public Outcome addComment(Long postId, CommentForm form) {
		if (this.submissions.postFor(form.submission()).isPresent()) {
			return Outcome.ALREADY_ADDED;
		}
		// The update locks the post row, so the count and the comments agree.
		if (this.posts.incrementCommentCount(postId) == 0) {
			return Outcome.NO_SUCH_POST;
		}
		this.comments.save(new Comment(postId, form.author(), form.body(), this.clock.instant()));
		this.submissions.record(form.submission(), postId);
		return Outcome.ADDED;
	}

}
