package dev.webstack.security;

import java.text.Normalizer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The sign-in throttle, consulted for every password check whatever the request looked
 * like (login form or HTTP Basic, any spelling of either), by
 * {@link ThrottledAuthenticationProvider}. Its facts live on the primary, so every app
 * server counts the same attempts.
 * <ul>
 * <li><b>Per client</b> (the address HAProxy saw): {@value #CLIENT_LIMIT} attempts in
 * {@value #WINDOW_MINUTES} minutes, then nothing until the window ends. A success clears
 * the count. This is what costs a guesser: five guesses per address per quarter hour.</li>
 * <li><b>Per account</b>: after {@value #ACCOUNT_THRESHOLD} failures in the window (a
 * guesser with many addresses), clients that have not signed in to that account before
 * share one attempt every {@value #SLOWED_SECONDS} seconds. A client in good standing (it
 * signed in to the account from that address in the last {@value #KNOWN_DAYS} days and is
 * within its own limit) is never slowed, so nobody can lock the admin out.</li>
 * </ul>
 * If the primary cannot be asked (down, or no connection free in time), each app server
 * counts attempts per client itself, with the same limit, and the log says so: the admin
 * can still look at an outage, and a guesser who can exhaust the pool gains little.
 */
@Component
class LoginThrottle {

	static final int CLIENT_LIMIT = 5;

	static final int ACCOUNT_THRESHOLD = 20;

	static final int WINDOW_MINUTES = 15;

	static final int SLOWED_SECONDS = 10;

	static final int KNOWN_DAYS = 30;

	private static final int MAX_USERNAME = 80;

	private static final int MAX_ADDRESS = 45;

	private static final String WINDOW_OVER = "window_start <= now(3) - interval " + WINDOW_MINUTES + " minute";

	private static final Logger logger = LoggerFactory.getLogger(LoginThrottle.class);

	private static final int MAX_LOCAL_CLIENTS = 10_000;

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final Clock clock;

	/** This server's own count per client, for when the primary cannot be asked. */
	private final Map<String, LocalWindow> local = new ConcurrentHashMap<>();

	LoginThrottle(JdbcTemplate jdbc, TransactionTemplate transactions, Clock clock) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.clock = clock;
	}

	/**
	 * The account a user name stands for, as Spring Security would find it: the login form
	 * trims it, the user store ignores case. Compatibility forms (full-width letters) fold
	 * too, so no spelling of a name is a different account here.
	 */
	static String account(String username) {
		String name = Normalizer.normalize((username != null) ? username : "", Normalizer.Form.NFKC)
			.strip()
			.toLowerCase(Locale.ROOT);
		return name.substring(0, Math.min(name.length(), MAX_USERNAME));
	}

	/** A user name fit for a log line: printable characters only, at most 80 of them. */
	static String forLog(String username) {
		if (username == null) {
			return "";
		}
		StringBuilder out = new StringBuilder();
		username.codePoints().limit(MAX_USERNAME).forEach((c) -> {
			boolean printable = !Character.isISOControl(c) && Character.getType(c) != Character.FORMAT
					&& Character.getType(c) != Character.LINE_SEPARATOR
					&& Character.getType(c) != Character.PARAGRAPH_SEPARATOR;
			if (printable) {
				out.appendCodePoint(c);
			}
			else {
				out.append(String.format("\\u%04x", c));
			}
		});
		return out.toString();
	}

	/**
	 * Counts an attempt by this client against this account and says whether its password
	 * may be checked: 0 if it may, else the seconds until it may try again.
	 */
	long admit(String client, String username) {
		String address = address(client);
		String account = account(username);
		try {
			Long wait = this.transactions.execute((status) -> {
				// The attempt is counted before the answer is known, in one statement, so that
				// parallel attempts cannot all slip in under the limit.
				this.jdbc.update("insert into sign_in_client (address, attempts, window_start) values (?, 1, now(3)) "
						+ "on duplicate key update attempts = if(" + WINDOW_OVER + ", 1, attempts + 1), "
						+ "window_start = if(" + WINDOW_OVER + ", now(3), window_start)", address);
				Map<String, Object> own = this.jdbc.queryForMap("select attempts, timestampdiff(second, now(3), "
						+ "window_start + interval " + WINDOW_MINUTES + " minute) + 1 as wait "
						+ "from sign_in_client where address = ?", address);
				if (((Number) own.get("attempts")).intValue() > CLIENT_LIMIT) {
					return ((Number) own.get("wait")).longValue();
				}
				long slowed = slowedFor(address, account);
				if (slowed > 0) {
					// Refused before any password was checked: not one of the client's attempts.
					this.jdbc.update("update sign_in_client set attempts = attempts - 1 where address = ?", address);
				}
				return slowed;
			});
			return (wait != null) ? Math.max(wait, 0) : 0;
		}
		catch (DataAccessException | TransactionException ex) {
			logger.warn("Cannot check sign-in throttling on the primary ({}); counting on this server", ex.getMessage());
			return admitLocally(address);
		}
	}

	private long admitLocally(String address) {
		Instant now = this.clock.instant();
		Duration window = Duration.ofMinutes(WINDOW_MINUTES);
		if (this.local.size() > MAX_LOCAL_CLIENTS) {
			this.local.values().removeIf((w) -> !w.start().plus(window).isAfter(now));
		}
		LocalWindow counted = this.local.compute(address,
				(key, old) -> (old == null || !old.start().plus(window).isAfter(now)) ? new LocalWindow(now, 1)
						: new LocalWindow(old.start(), old.attempts() + 1));
		return (counted.attempts() > CLIENT_LIMIT) ? Duration.between(now, counted.start().plus(window)).toSeconds() + 1
				: 0;
	}

	/** Attempts by one client since a window started, on this server. */
	private record LocalWindow(Instant start, int attempts) {
	}

	/** Seconds this client must wait because its account is under attack, or 0. */
	private long slowedFor(String address, String account) {
		Boolean underAttack = this.jdbc.query("select failures >= ? and not (" + WINDOW_OVER + ") "
				+ "from sign_in_account where username = ?", (rs) -> rs.next() && rs.getBoolean(1),
				ACCOUNT_THRESHOLD, account);
		if (!Boolean.TRUE.equals(underAttack) || known(address, account)) {
			return 0;
		}
		// One attempt per interval for everyone not in good standing: the first to come takes it.
		int taken = this.jdbc.update("update sign_in_account set next_attempt = now(3) + interval " + SLOWED_SECONDS
				+ " second where username = ? and next_attempt <= now(3)", account);
		if (taken == 1) {
			return 0;
		}
		Long wait = this.jdbc.queryForObject("select timestampdiff(second, now(3), next_attempt) + 1 "
				+ "from sign_in_account where username = ?", Long.class, account);
		return (wait != null) ? Math.max(wait, 1) : 1;
	}

	private boolean known(String address, String account) {
		Integer rows = this.jdbc.queryForObject("select count(*) from sign_in_known_client where username = ? "
				+ "and address = ? and last_success > now(3) - interval " + KNOWN_DAYS + " day", Integer.class,
				account, address);
		return rows != null && rows > 0;
	}

	/** A wrong password (or an unknown user): one more failure against the account. */
	void failed(String client, String username) {
		logger.warn("Failed sign-in for '{}' from {}", forLog(username), address(client));
		update("Cannot record a failed sign-in", () -> this.jdbc.update(
				"insert into sign_in_account (username, failures, window_start, next_attempt) "
						+ "values (?, 1, now(3), now(3)) on duplicate key update "
						+ "failures = if(" + WINDOW_OVER + ", 1, failures + 1), "
						+ "window_start = if(" + WINDOW_OVER + ", now(3), window_start)",
				account(username)));
	}

	/** The right password: the client's count starts over and it is in good standing. */
	void succeeded(String client, String username) {
		String address = address(client);
		this.local.remove(address);
		update("Cannot record a successful sign-in", () -> {
			this.jdbc.update("delete from sign_in_client where address = ?", address);
			this.jdbc.update("insert into sign_in_known_client (username, address, last_success) values (?, ?, now(3)) "
					+ "on duplicate key update last_success = now(3)", account(username), address);
		});
	}

	private void update(String failure, Runnable statements) {
		try {
			this.transactions.executeWithoutResult((status) -> statements.run());
		}
		catch (DataAccessException | TransactionException ex) {
			logger.warn("{}: {}", failure, ex.getMessage());
		}
	}

	private static String address(String client) {
		String address = (client != null && !client.isEmpty()) ? client : "unknown";
		return address.substring(0, Math.min(address.length(), MAX_ADDRESS));
	}

}
