package dev.webstack.security;

import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.EventListener;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Throttles password guessing, for the login form and HTTP Basic alike: 5 failures from
 * one client address, or 20 against one account, within 15 minutes lock that client or
 * account out for 15 minutes. Kept on the primary, so every app server counts the same
 * failures. If the database cannot be reached, sign-in is not blocked (and says so in the
 * log): the admin must still be able to look at an outage.
 */
@Component
class LoginThrottle {

	static final int CLIENT_LIMIT = 5;

	static final int ACCOUNT_LIMIT = 20;

	static final int MINUTES = 15;

	private static final Logger logger = LoggerFactory.getLogger(LoginThrottle.class);

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	LoginThrottle(JdbcTemplate jdbc, TransactionTemplate transactions) {
		this.jdbc = jdbc;
		this.transactions = transactions;
	}

	static String clientKey(String address) {
		return "client:" + address;
	}

	static String accountKey(String username) {
		String name = (username != null) ? username.toLowerCase(Locale.ROOT) : "";
		return "account:" + name.substring(0, Math.min(name.length(), 80));
	}

	/** Seconds until the client or the account may try again, or 0 if it may now. */
	long lockedSeconds(String clientAddress, String username) {
		try {
			Long seconds = this.transactions.execute((status) -> this.jdbc.queryForObject(
					"select coalesce(max(timestampdiff(second, now(3), locked_until)) + 1, 0) from login_failure "
							+ "where id in (?, ?) and locked_until > now(3)",
					Long.class, clientKey(clientAddress), accountKey(username)));
			return (seconds != null) ? seconds : 0;
		}
		catch (DataAccessException ex) {
			logger.warn("Cannot check sign-in throttling ({}); not blocking", ex.getMessage());
			return 0;
		}
	}

	@EventListener
	void failed(AbstractAuthenticationFailureEvent event) {
		String client = clientAddress(event.getAuthentication());
		record(clientKey(client), CLIENT_LIMIT);
		record(accountKey(event.getAuthentication().getName()), ACCOUNT_LIMIT);
		logger.warn("Failed sign-in for '{}' from {}", event.getAuthentication().getName(), client);
	}

	@EventListener
	void succeeded(AuthenticationSuccessEvent event) {
		Object details = event.getAuthentication().getDetails();
		if (!(details instanceof WebAuthenticationDetails)) {
			return;
		}
		try {
			this.transactions.executeWithoutResult((status) -> this.jdbc.update("delete from login_failure where id = ?",
					clientKey(clientAddress(event.getAuthentication()))));
		}
		catch (DataAccessException ex) {
			logger.warn("Cannot reset sign-in throttling: {}", ex.getMessage());
		}
	}

	private void record(String key, int limit) {
		try {
			this.transactions.executeWithoutResult((status) -> {
				// A failure outside the current window starts a new one.
				this.jdbc.update("insert into login_failure (id, failures, window_start) values (?, 1, now(3)) "
						+ "on duplicate key update "
						+ "failures = if(window_start < now(3) - interval " + MINUTES + " minute, 1, failures + 1), "
						+ "window_start = if(window_start < now(3) - interval " + MINUTES
						+ " minute, now(3), window_start)", key);
				this.jdbc.update("update login_failure set locked_until = now(3) + interval " + MINUTES
						+ " minute where id = ? and failures >= ?", key, limit);
			});
		}
		catch (DataAccessException ex) {
			logger.warn("Cannot record a failed sign-in: {}", ex.getMessage());
		}
	}

	private static String clientAddress(Authentication authentication) {
		return (authentication.getDetails() instanceof WebAuthenticationDetails details) ? details.getRemoteAddress()
				: "unknown";
	}

}
