package dev.webstack.security;

import java.time.Clock;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sign-ins that ended (logout) before their cookie expired, kept on the primary so that
 * every app server refuses a copy of an ended sign-in's cookie at once. Not cached: the
 * check is one primary-key lookup, and only for requests that present a sign-in cookie.
 */
@Component
class SignInRevocations {

	private static final Logger logger = LoggerFactory.getLogger(SignInRevocations.class);

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final Clock clock;

	SignInRevocations(JdbcTemplate jdbc, TransactionTemplate transactions, Clock clock) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.clock = clock;
	}

	/** Ends a sign-in; returns false if it could not be recorded. */
	boolean revoke(String id, Instant expiry) {
		try {
			this.transactions.executeWithoutResult((status) -> {
				this.jdbc.update("insert ignore into revoked_sign_in (id, expires_at) values (?, ?)", id,
						expiry.getEpochSecond());
				this.jdbc.update("delete from revoked_sign_in where expires_at < ?",
						this.clock.instant().getEpochSecond());
			});
			return true;
		}
		catch (DataAccessException ex) {
			logger.warn("Cannot record the end of a sign-in ({}): its cookie is cleared in this browser only",
					ex.getMessage());
			return false;
		}
	}

	/**
	 * Whether this sign-in has ended. Asked of the primary (a replica may not have the
	 * logout yet). If the primary cannot answer, the sign-in is honoured: the admin must be
	 * able to look at an outage, and only a copy of a cookie that was signed out, during
	 * the outage and before the cookie expires, would get in.
	 */
	boolean isRevoked(String id) {
		try {
			Boolean revoked = this.transactions.execute((status) -> this.jdbc
				.queryForObject("select count(*) > 0 from revoked_sign_in where id = ?", Boolean.class, id));
			return Boolean.TRUE.equals(revoked);
		}
		catch (DataAccessException ex) {
			logger.warn("Cannot check whether a sign-in has ended ({}); honouring it", ex.getMessage());
			return false;
		}
	}

}
