package dev.webstack.site;

import java.time.Instant;

/**
 * A post as the list and search pages show it: no body, so those pages read little.
 */
public record PostSummary(Long id, String title, String author, Instant createdAt, int commentCount) {

	/** "1 comment", "7 comments": made here once, not by an expression per row. */
	public String comments() {
		return (this.commentCount == 1) ? "1 comment" : this.commentCount + " comments";
	}

}
