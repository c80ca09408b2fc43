package dev.webstack.security;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sign-in throttle when the primary cannot be asked: each server still holds every
 * client to the same limit.
 */
class LoginThrottleTests {

	/** A primary that refuses every connection (nothing listens on port 1). */
	private final DriverManagerDataSource down = new DriverManagerDataSource("jdbc:mysql://127.0.0.1:1/webstack",
			"webstack_app", "unused");

	private final LoginThrottle throttle = new LoginThrottle(new JdbcTemplate(this.down),
			new TransactionTemplate(new DataSourceTransactionManager(this.down)),
			Clock.fixed(Instant.parse("2026-11-28T12:00:00Z"), ZoneOffset.UTC));

	@Test
	void withoutThePrimaryEachClientStillGetsFiveAttempts() {
		for (int i = 0; i < LoginThrottle.CLIENT_LIMIT; i++) {
			assertThat(this.throttle.admit("198.51.100.10", "admin")).as("attempt " + (i + 1)).isZero();
			this.throttle.failed("198.51.100.10", "admin");
		}
		assertThat(this.throttle.admit("198.51.100.10", "admin")).as("the sixth waits out the window")
			.isBetween(1L, LoginThrottle.WINDOW_MINUTES * 60L + 1);
		assertThat(this.throttle.admit("198.51.100.11", "admin")).as("another client").isZero();
	}

	@Test
	void aSuccessStartsTheClientsCountOver() {
		for (int i = 0; i < LoginThrottle.CLIENT_LIMIT; i++) {
			this.throttle.admit("198.51.100.20", "admin");
		}
		this.throttle.succeeded("198.51.100.20", "admin");
		assertThat(this.throttle.admit("198.51.100.20", "admin")).isZero();
	}

}
