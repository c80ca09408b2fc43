package dev.webstack.site;

import java.time.Instant;

/**
 * A post as the list and search pages show it: no body, so those pages read little.
 */
public record PostSummary(Long id, String title, String author, Instant createdAt, int commentCount) {

	/*
	 * What the list shows of a post, made here in Java rather than by template expressions:
	 * the list renders these twenty times per request, and each Spring EL expression in a
	 * Thymeleaf template costs several microseconds (access checks on every property read).
	 */

	/** The post's page: the site runs at the root of its host. */
	public String path() {
		return "/posts/" + this.id;
	}

	/** When it was written, as the board shows dates. */
	public String createdOn() {
		return DisplayDates.text(this.createdAt);
	}

	/** "1 comment", "7 comments". */
	public String comments() {
		return (this.commentCount == 1) ? "1 comment" : this.commentCount + " comments";
	}

}
