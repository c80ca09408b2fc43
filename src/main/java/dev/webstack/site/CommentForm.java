package dev.webstack.site;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * What a person types to comment on a post.
 */
public record CommentForm(@NotBlank(message = Submissions.EXPIRED) @Pattern(regexp = Submissions.TOKEN_PATTERN,
		message = Submissions.EXPIRED) String submission,
		@NotBlank(message = "Write something in the comment.") @Size(max = BODY_MAX,
		message = "Keep the comment under " + BODY_MAX + " characters.") String body,
		@NotBlank(message = "Say who you are.") @Size(max = AUTHOR_MAX,
				message = "Keep your name under " + AUTHOR_MAX + " characters.") String author) {

	static final int BODY_MAX = 2_000;

	static final int AUTHOR_MAX = 60;

	static CommentForm empty() {
		return new CommentForm(Submissions.newToken(), "", "");
	}

}
