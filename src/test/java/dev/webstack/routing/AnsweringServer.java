package dev.webstack.routing;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Which database server answers a query, as it reports itself: db-1 (the primary) has
 * {@code server_id} 1 and is writable, db-2 (the replica) has 2 and is read-only.
 */
record AnsweringServer(long id, boolean readOnly) {

	static final AnsweringServer PRIMARY = new AnsweringServer(1, false);

	static final AnsweringServer REPLICA = new AnsweringServer(2, true);

	static AnsweringServer of(JdbcTemplate jdbc) {
		return jdbc.queryForObject("select @@server_id, @@read_only",
				(row, n) -> new AnsweringServer(row.getLong(1), row.getBoolean(2)));
	}

}
