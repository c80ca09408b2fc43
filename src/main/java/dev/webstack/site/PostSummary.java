package dev.webstack.site;

import java.time.Instant;

/**
 * A post as the list and search pages show it: no body, so those pages read little.
 */
public record PostSummary(Long id, String title, String author, Instant createdAt, int commentCount) {
}
