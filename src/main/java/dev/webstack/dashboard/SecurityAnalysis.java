package dev.webstack.dashboard;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.webstack.dashboard.probe.AccessStatus;
import dev.webstack.dashboard.probe.DatabaseStatus;
import dev.webstack.dashboard.probe.EdgeStatus;
import dev.webstack.dashboard.probe.FirewallStatus;
import dev.webstack.dashboard.probe.InfraSnapshot;
import dev.webstack.dashboard.probe.Probed;

/**
 * The security posture, checked live: each check passes or fails on evidence the probes
 * gathered just now, and says what that evidence was.
 */
final class SecurityAnalysis {

	/** Passwords that ship as defaults somewhere; none may be ours. */
	static final Set<String> DEFAULT_PASSWORDS = Set.of("", "admin", "password", "changeme", "secret", "root",
			"mysql", "webstack", "123456", "letmein");

	static final int MIN_PASSWORD_LENGTH = 16;

	private static final Pattern MAX_AGE = Pattern.compile("max-age=(\\d+)");

	private SecurityAnalysis() {
	}

	/**
	 * @param passwords the secrets this app server holds (admin, stats page, monitoring,
	 * database), each under the name of what it opens, judged but never shown
	 * @param databaseUrls the primary's and the replica's JDBC URLs (a cluster's first two nodes)
	 * @param clustered whether the databases are a Galera cluster's nodes, each of which
	 * takes writes (no replica to keep read-only)
	 */
	static List<SecurityCheck> analyse(InfraSnapshot snapshot, Map<String, String> passwords,
			List<String> databaseUrls, boolean clustered, Instant now) {
		List<SecurityCheck> checks = new ArrayList<>();
		Probed<EdgeStatus> edge = snapshot.edge();
		if (edge.ok()) {
			EdgeStatus e = edge.value();
			boolean redirected = (e.httpStatus() == 301 || e.httpStatus() == 308) && e.httpLocation() != null
					&& e.httpLocation().startsWith("https://");
			checks.add(SecurityCheck.of("HTTPS on, HTTP redirected", redirected,
					"HTTP answers " + e.httpStatus() + " to " + e.httpLocation() + "; HTTPS negotiates "
							+ e.tlsCipher()));
			long maxAge = maxAge(e.hsts());
			checks.add(SecurityCheck.of("HSTS", maxAge >= Duration.ofDays(180).toSeconds(),
					(e.hsts() == null) ? "no Strict-Transport-Security header" : "Strict-Transport-Security: " + e.hsts()));
			long days = Duration.between(now, e.certificateNotAfter()).toDays();
			checks.add(SecurityCheck.of("Certificate expiry", days >= 14,
					e.certificateSubject() + " expires " + e.certificateNotAfter() + " (in " + days + " days)"));
			checks.add(SecurityCheck.of("Management endpoints not reachable through the load balancer",
					e.actuatorStatus() >= 400 && e.actuatorStatus() < 500,
					"GET /actuator/health and " + EdgeStatus.ENCODED_PROBE_PATH + " through HAProxy: "
							+ e.actuatorStatus()));
			checks.add(clientAddress(e));
			boolean loginRequired = e.adminStatus() == 401
					|| (e.adminStatus() == 302 && e.adminLocation() != null && e.adminLocation().endsWith("/login"));
			checks.add(SecurityCheck.of("Admin login required", loginRequired, "GET /admin without credentials answers "
					+ e.adminStatus() + ((e.adminLocation() != null) ? " to " + e.adminLocation() : "")));
			checks.add(oldTls(e));
			checks.add(headers(e));
			checks.add(cookies(e));
		}
		else {
			for (String name : List.of("HTTPS on, HTTP redirected", "HSTS", "Certificate expiry",
					"Management endpoints not reachable through the load balancer", CLIENT_ADDRESS, "Admin login required",
					OLD_TLS, HEADERS, COOKIES)) {
				checks.add(SecurityCheck.unknown(name, "the public side could not be probed: " + edge.error()));
			}
		}
		boolean noDefaults = passwords.values()
			.stream()
			.allMatch((p) -> p != null && p.length() >= MIN_PASSWORD_LENGTH && !DEFAULT_PASSWORDS.contains(p));
		checks.add(SecurityCheck.of("No default passwords", noDefaults,
				noDefaults ? "every password this app server holds is a generated secret of at least "
						+ MIN_PASSWORD_LENGTH + " characters, none a known default"
						: "a password is missing, shorter than " + MIN_PASSWORD_LENGTH
								+ " characters, or a known default"));
		checks.add(onePasswordPerDoor(passwords));
		checks.add(statsDoors(snapshot.access()));
		checks.add(healthDetails(snapshot.access()));
		Probed<DatabaseStatus> replica = snapshot.replica();
		if (!clustered) {
			checks.add(replica.ok() ? SecurityCheck.of("Replica read-only", replica.value().readOnly(),
					"db-2 read_only = " + (replica.value().readOnly() ? "ON" : "OFF"))
					: SecurityCheck.unknown("Replica read-only", "db-2 could not be probed: " + replica.error()));
		}
		checks.add(leastPrivilege(snapshot.appGrants()));
		checks.add(bindings(snapshot, databaseUrls));
		checks.add(firewall(snapshot.firewall()));
		return checks;
	}

	static final String OLD_TLS = "TLS 1.0 and 1.1 refused";

	static final String CLIENT_ADDRESS = "Client address set by the load balancer, not the client";

	static final String HEADERS = "Security headers (CSP without inline script, no framing, nosniff, referrer)";

	static final String COOKIES = "Cookies Secure, HttpOnly and SameSite";

	static final String ONE_PASSWORD_PER_DOOR = "One password per door";

	static final String STATS_DOORS = "HAProxy's stats page and /metrics locked, each with its own credential";

	static final String HEALTH_DETAILS = "Health details only for the monitoring account";

	private static final Pattern DML_ONLY = Pattern
		.compile("GRANT SELECT, INSERT, UPDATE, DELETE ON `[^`]+`\\.\\* TO .*");

	private static SecurityCheck oldTls(EdgeStatus edge) {
		if (edge.oldTls() == null) {
			return SecurityCheck.unknown(OLD_TLS, "openssl is not available here to attempt an old handshake");
		}
		return SecurityCheck.of(OLD_TLS, edge.oldTls().refused(), edge.oldTls().evidence());
	}

	private static SecurityCheck headers(EdgeStatus edge) {
		Map<String, String> h = edge.headers();
		String csp = h.get("Content-Security-Policy");
		boolean cspOk = csp != null && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline")
				&& !csp.contains("unsafe-eval");
		boolean framing = "DENY".equalsIgnoreCase(h.get("X-Frame-Options"))
				|| (csp != null && csp.contains("frame-ancestors 'none'"));
		boolean ok = cspOk && framing && "nosniff".equalsIgnoreCase(h.get("X-Content-Type-Options"))
				&& h.get("Referrer-Policy") != null;
		return SecurityCheck.of(HEADERS, ok, h.entrySet()
			.stream()
			.map((entry) -> entry.getKey() + ": " + ((entry.getValue() != null) ? entry.getValue() : "(missing)"))
			.collect(Collectors.joining("; ")));
	}

	private static SecurityCheck cookies(EdgeStatus edge) {
		String cookie = edge.csrfCookie();
		if (cookie == null) {
			return SecurityCheck.unknown(COOKIES, "the form page set no CSRF cookie to inspect");
		}
		String flags = cookie.substring(cookie.indexOf(';') + 1).strip();
		boolean ok = cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite");
		return SecurityCheck.of(COOKIES, ok, "XSRF-TOKEN cookie: " + flags
				+ " (the sign-in, message and read-your-writes cookies are set the same way)");
	}

	/** No two doors (dashboard, stats page, monitoring, database) share a password. */
	private static SecurityCheck onePasswordPerDoor(Map<String, String> passwords) {
		Map<String, List<String>> doorsByPassword = passwords.entrySet()
			.stream()
			.filter((entry) -> entry.getValue() != null)
			.collect(Collectors.groupingBy(Map.Entry::getValue, LinkedHashMap::new,
					Collectors.mapping(Map.Entry::getKey, Collectors.toList())));
		List<String> shared = doorsByPassword.values().stream().filter((doors) -> doors.size() > 1)
			.map((doors) -> String.join(" and ", doors))
			.toList();
		return SecurityCheck.of(ONE_PASSWORD_PER_DOOR, shared.isEmpty(),
				shared.isEmpty() ? "each of " + String.join(", ", passwords.keySet()) + " has its own password"
						: "one password opens " + String.join("; ", shared));
	}

	private static SecurityCheck statsDoors(Probed<AccessStatus> access) {
		if (!access.ok()) {
			return SecurityCheck.unknown(STATS_DOORS, "could not be tried: " + access.error());
		}
		AccessStatus a = access.value();
		boolean ok = a.statsAnonymous() == 401 && a.metricsAnonymous() == 401 && a.metricsWithStatsCredential() == 401;
		return SecurityCheck.of(STATS_DOORS, ok, "without credentials the stats page answers " + a.statsAnonymous()
				+ " and /metrics " + a.metricsAnonymous() + "; with the stats page's credential /metrics answers "
				+ a.metricsWithStatsCredential());
	}

	private static SecurityCheck healthDetails(Probed<AccessStatus> access) {
		if (!access.ok()) {
			return SecurityCheck.unknown(HEALTH_DETAILS, "could not be tried: " + access.error());
		}
		AccessStatus a = access.value();
		List<String> exposed = a.healthDetailsAnonymous()
			.entrySet()
			.stream()
			.filter(Map.Entry::getValue)
			.map(Map.Entry::getKey)
			.toList();
		List<String> shown = a.healthDetailsWithCredential()
			.entrySet()
			.stream()
			.filter(Map.Entry::getValue)
			.map(Map.Entry::getKey)
			.toList();
		return SecurityCheck.of(HEALTH_DETAILS, exposed.isEmpty(),
				(exposed.isEmpty() ? "no management port shows health details without credentials"
						: "health details shown to anyone by " + String.join(", ", exposed))
						+ "; shown to the monitoring account by "
						+ (shown.isEmpty() ? "none" : String.join(", ", shown)));
	}

	private static SecurityCheck leastPrivilege(Probed<List<String>> grants) {
		String name = "The app's database account has only row access to its schema";
		if (!grants.ok()) {
			return SecurityCheck.unknown(name, "its grants could not be read: " + grants.error());
		}
		List<String> relevant = grants.value().stream().filter((g) -> !g.startsWith("GRANT USAGE")).toList();
		boolean ok = relevant.size() == 1 && DML_ONLY.matcher(relevant.get(0)).matches();
		return SecurityCheck.of(name, ok, String.join("; ", relevant));
	}

	private static SecurityCheck bindings(InfraSnapshot snapshot, List<String> urls) {
		String name = "Database ports bound to loopback or a private network";
		List<Probed<DatabaseStatus>> dbs = List.of(snapshot.primary(), snapshot.replica());
		List<String> evidence = new ArrayList<>();
		boolean all = true;
		for (int i = 0; i < dbs.size(); i++) {
			String db = (i == 0) ? "db-1" : "db-2";
			if (!dbs.get(i).ok()) {
				return SecurityCheck.unknown(name, db + " could not be probed: " + dbs.get(i).error());
			}
			String bind = dbs.get(i).value().bindAddress();
			// MariaDB reports no bind_address (NULL) when none was set: it listens on every address.
			String listens = (bind != null) ? bind : "every address";
			String host = URI.create(urls.get(i).substring("jdbc:".length())).getHost();
			boolean ok;
			if (isPrivate(bind)) {
				ok = true;
				evidence.add(db + " listens on " + listens);
			}
			else {
				// Listening on every interface is fine only where every interface is private (a container).
				ok = isPrivate(host);
				evidence.add(db + " listens on " + listens + " and is reached at " + host
						+ (ok ? " (private)" : " (not private)"));
			}
			all &= ok;
		}
		return SecurityCheck.of(name, all, String.join("; ", evidence));
	}

	private static SecurityCheck firewall(Probed<FirewallStatus> firewall) {
		String name = "Firewall rules loaded on every host";
		if (!firewall.ok() || !firewall.value().known()) {
			return SecurityCheck.unknown(name, firewall.ok() ? firewall.value().evidence() : firewall.error());
		}
		return SecurityCheck.of(name, firewall.value().tables() > 0, firewall.value().evidence());
	}

	static boolean isPrivate(String address) {
		if (address == null || address.isBlank() || address.equals("*") || address.equals("0.0.0.0")
				|| address.equals("::")) {
			return false;
		}
		try {
			InetAddress ip = InetAddress.getByName(address);
			return ip.isLoopbackAddress() || ip.isSiteLocalAddress() || ip.isLinkLocalAddress();
		}
		catch (UnknownHostException ex) {
			return false;
		}
	}

	private static long maxAge(String hsts) {
		if (hsts == null) {
			return -1;
		}
		Matcher m = MAX_AGE.matcher(hsts);
		return m.find() ? Long.parseLong(m.group(1)) : -1;
	}

	/**
	 * Whether the load balancer, not the client, says who the client is: a request that
	 * named itself {@link EdgeStatus#SPOOFED_ADDRESS} must be seen as the prober.
	 */
	private static SecurityCheck clientAddress(EdgeStatus e) {
		if (e.clientAddress() == null) {
			return SecurityCheck.unknown(CLIENT_ADDRESS, "the app server does not say what it saw "
					+ "(webstack.expose-identity=false)");
		}
		boolean own = !e.clientAddress().equals(EdgeStatus.SPOOFED_ADDRESS);
		return SecurityCheck.of(CLIENT_ADDRESS, own, "a request claiming X-Forwarded-For: "
				+ EdgeStatus.SPOOFED_ADDRESS + " was seen as " + e.clientAddress());
	}

}
