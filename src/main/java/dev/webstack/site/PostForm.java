package dev.webstack.site;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * What a person types to write a post.
 */
public record PostForm(@NotBlank(message = Submissions.EXPIRED) @Pattern(regexp = Submissions.TOKEN_PATTERN,
		message = Submissions.EXPIRED) String submission,
		@NotBlank(message = "Give your post a title.") @Size(max = TITLE_MAX,
		message = "Keep the title under " + TITLE_MAX + " characters.") String title,
		@NotBlank(message = "Write something in the post.") @Size(max = BODY_MAX,
				message = "Keep the post under " + BODY_MAX + " characters.") String body,
		@NotBlank(message = "Say who you are.") @Size(max = AUTHOR_MAX,
				message = "Keep your name under " + AUTHOR_MAX + " characters.") String author) {

	static final int TITLE_MAX = 120;

	static final int BODY_MAX = 10_000;

	static final int AUTHOR_MAX = 60;

	static PostForm empty() {
		return new PostForm(Submissions.newToken(), "", "", "");
	}

}
