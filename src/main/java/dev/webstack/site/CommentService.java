package dev.webstack.site;

import java.time.Clock;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Adds a comment and its post's comment count in one transaction, on the primary.
 */
@Service
class CommentService {

	private final PostRepository posts;

	private final CommentRepository comments;

	private final Clock clock;

	CommentService(PostRepository posts, CommentRepository comments, Clock clock) {
		this.posts = posts;
		this.comments = comments;
		this.clock = clock;
	}

	/** Returns false, writing nothing, when the post does not exist. */
	@Transactional
	public boolean addComment(Long postId, CommentForm form) {
		// The update locks the post row, so the count and the comments agree.
		if (this.posts.incrementCommentCount(postId) == 0) {
			return false;
		}
		this.comments.save(new Comment(postId, form.author(), form.body(), this.clock.instant()));
		return true;
	}

}
