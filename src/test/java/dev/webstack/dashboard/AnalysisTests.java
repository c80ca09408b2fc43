package dev.webstack.dashboard;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.webstack.dashboard.ComponentView.State;
import dev.webstack.dashboard.SecurityCheck.Result;
import dev.webstack.dashboard.probe.AccessStatus;
import dev.webstack.dashboard.probe.DatabaseStatus;
import dev.webstack.dashboard.probe.EdgeStatus;
import dev.webstack.dashboard.probe.FirewallStatus;
import dev.webstack.dashboard.probe.InfraSnapshot;
import dev.webstack.dashboard.probe.Probed;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Single points of failure and security checks, on constructed topologies and findings.
 */
class AnalysisTests {

	private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

	@Test
	void theSeedTopologyHasThreeSinglePointsOfFailure() {
		List<Spof> spofs = SpofAnalysis.analyse(topology(Map.of()));
		assertThat(spofs).extracting(Spof::tier).containsExactly("load balancer", "web server", "primary database");
		assertThat(spofs).extracting(Spof::kind).containsOnly("single");
		assertThat(spofs.get(0).remedy()).contains("keepalived");
	}

	@Test
	void aSecondLoadBalancerRemovesThatEntry() {
		List<ComponentView> components = new ArrayList<>(topology(Map.of()));
		components.add(component("lb-2", "load balancer", State.UP));
		assertThat(SpofAnalysis.analyse(components)).extracting(Spof::tier)
			.containsExactly("web server", "primary database");
	}

	@Test
	void aDeadRedundantPeerMakesItsTierASinglePointOfFailure() {
		List<Spof> spofs = SpofAnalysis.analyse(topology(Map.of("app-2", State.DOWN)));
		assertThat(spofs).anySatisfy((spof) -> {
			assertThat(spof.tier()).isEqualTo("app servers");
			assertThat(spof.kind()).isEqualTo("redundancy lost");
			assertThat(spof.components()).containsExactly("app-1");
		});
	}

	@Test
	void aClusterOfThreeIsNoSinglePointOfFailureUntilItIsDownToAMajority() {
		List<ComponentView> whole = haTopology(Map.of());
		assertThat(SpofAnalysis.analyse(whole)).isEmpty();
		List<Spof> oneDown = SpofAnalysis.analyse(haTopology(Map.of("db-3", State.DOWN, "lb-2", State.DOWN)));
		assertThat(oneDown).extracting((s) -> s.tier() + " " + s.kind() + " " + s.components())
			.containsExactly("load balancer redundancy lost [lb-1]", "database cluster redundancy lost [db-1, db-2]");
		// A node that answers but is cut off from the quorum (DEGRADED) counts as out.
		List<Spof> noQuorum = SpofAnalysis.analyse(haTopology(Map.of("db-1", State.DEGRADED, "db-3", State.DOWN)));
		assertThat(noQuorum).singleElement().satisfies((spof) -> {
			assertThat(spof.tier()).isEqualTo("database cluster");
			assertThat(spof.kind()).isEqualTo("outage");
			assertThat(spof.consequence()).startsWith("No quorum now: 1 of 3 nodes in it.");
		});
	}

	@Test
	void aDeadSingleComponentIsAnOutage() {
		List<Spof> spofs = SpofAnalysis.analyse(topology(Map.of("web-1", State.DOWN)));
		assertThat(spofs).filteredOn((s) -> s.tier().equals("web server"))
			.singleElement()
			.satisfies((spof) -> assertThat(spof.kind()).isEqualTo("outage"));
	}

	@Test
	void aDegradedComponentStillCountsAsStanding() {
		List<Spof> spofs = SpofAnalysis.analyse(topology(Map.of("app-2", State.DEGRADED)));
		assertThat(spofs).extracting(Spof::tier).doesNotContain("app servers");
	}

	@Test
	void aWellConfiguredStackPassesEveryCheckButTheFirewall() {
		List<SecurityCheck> checks = SecurityAnalysis.analyse(snapshot(goodEdge(), true, "127.0.0.1", 0),
				passwords("a", "b", "c", "d"), urls(), false, NOW);
		assertThat(checks).hasSize(17);
		assertThat(checks).filteredOn((c) -> c.result() != Result.PASS)
			.singleElement()
			.satisfies((c) -> {
				assertThat(c.name()).isEqualTo("Firewall rules loaded on every host");
				assertThat(c.result()).isEqualTo(Result.FAIL);
			});
	}

	@Test
	void everyWeaknessIsCaughtWithItsEvidence() {
		Map<String, String> noHeaders = new java.util.HashMap<>();
		noHeaders.put("Content-Security-Policy", "script-src 'self' 'unsafe-inline'");
		EdgeStatus weak = new EdgeStatus(200, null, null, "TLS_AES_128_GCM_SHA256", "CN=localhost",
				NOW.plusSeconds(3 * 86400), 200, 200, null, noHeaders, "XSRF-TOKEN=x; Path=/",
				new EdgeStatus.OldTls(false, "TLS 1.0: ACCEPTED; TLS 1.1: ACCEPTED"), EdgeStatus.SPOOFED_ADDRESS);
		AccessStatus open = new AccessStatus(200, 200, 200, Map.of("app-1", true, "app-2", false),
				Map.of("app-1", true, "app-2", true));
		Map<String, String> passwords = new LinkedHashMap<>();
		passwords.put("the dashboard", "admin");
		passwords.put("HAProxy's stats page", "admin");
		passwords.put("the database (webstack_app)", "b".repeat(32));
		List<SecurityCheck> checks = SecurityAnalysis.analyse(snapshot(weak, false, "*", 2,
				List.of("GRANT ALL PRIVILEGES ON *.* TO `webstack_app`@`%`"), open), passwords,
				List.of("jdbc:mysql://203.0.113.5:3306/webstack", "jdbc:mysql://203.0.113.6:3306/webstack"), false, NOW);
		assertThat(checks).filteredOn((c) -> c.result() == Result.FAIL)
			.extracting(SecurityCheck::name)
			.containsExactly("HTTPS on, HTTP redirected", "HSTS", "Certificate expiry",
					"Management endpoints not reachable through the load balancer", SecurityAnalysis.CLIENT_ADDRESS,
					"Admin login required",
					SecurityAnalysis.OLD_TLS, SecurityAnalysis.HEADERS, SecurityAnalysis.COOKIES, "No default passwords",
					SecurityAnalysis.ONE_PASSWORD_PER_DOOR, SecurityAnalysis.STATS_DOORS,
					SecurityAnalysis.HEALTH_DETAILS, "Replica read-only", "The app's database account has only row access to its schema",
					"Database ports bound to loopback or a private network");
		assertThat(checks).filteredOn((c) -> c.name().equals("Certificate expiry"))
			.singleElement()
			.satisfies((c) -> assertThat(c.evidence()).contains("in 3 days"));
		assertThat(checks).filteredOn((c) -> c.name().startsWith("Firewall"))
			.singleElement()
			.satisfies((c) -> assertThat(c.result()).isEqualTo(Result.PASS));
		assertThat(checks).filteredOn((c) -> c.name().equals(SecurityAnalysis.ONE_PASSWORD_PER_DOOR))
			.singleElement()
			.satisfies((c) -> assertThat(c.evidence())
				.isEqualTo("one password opens the dashboard and HAProxy's stats page"));
		assertThat(checks).filteredOn((c) -> c.name().equals(SecurityAnalysis.STATS_DOORS))
			.singleElement()
			.satisfies((c) -> assertThat(c.evidence()).isEqualTo("without credentials the stats page answers 200 "
					+ "and /metrics 200; with the stats page's credential /metrics answers 200"));
		assertThat(checks).filteredOn((c) -> c.name().equals(SecurityAnalysis.HEALTH_DETAILS))
			.singleElement()
			.satisfies((c) -> assertThat(c.evidence()).startsWith("health details shown to anyone by app-1;"));
	}

	@Test
	void theStatsDoorsFailWhenTheStatsCredentialOpensMetrics() {
		AccessStatus shared = new AccessStatus(401, 401, 200, Map.of("app-1", false), Map.of("app-1", true));
		List<SecurityCheck> checks = SecurityAnalysis.analyse(snapshot(goodEdge(), true, "127.0.0.1", 0,
				List.of("GRANT SELECT, INSERT, UPDATE, DELETE ON `webstack`.* TO `webstack_app`@`127.0.0.1`"),
				shared), passwords("a", "b", "c", "d"), urls(), false, NOW);
		assertThat(checks).filteredOn((c) -> c.result() == Result.FAIL)
			.extracting(SecurityCheck::name)
			.containsExactly(SecurityAnalysis.STATS_DOORS, "Firewall rules loaded on every host");
		assertThat(checks).filteredOn((c) -> c.name().equals(SecurityAnalysis.HEALTH_DETAILS))
			.singleElement()
			.satisfies((c) -> assertThat(c.evidence()).isEqualTo("no management port shows health details without "
					+ "credentials; shown to the monitoring account by app-1"));
	}

	@Test
	void aWildcardBindingPassesOnlyWhereTheServerIsReachedAtAPrivateAddress() {
		List<SecurityCheck> checks = SecurityAnalysis.analyse(snapshot(goodEdge(), true, "*", 0), passwords("a"),
				List.of("jdbc:mysql://10.1.2.3:3306/webstack", "jdbc:mysql://10.1.2.4:3306/webstack"), false, NOW);
		assertThat(checks).filteredOn((c) -> c.name().startsWith("Database ports"))
			.singleElement()
			.satisfies((c) -> {
				assertThat(c.result()).isEqualTo(Result.PASS);
				assertThat(c.evidence()).contains("reached at 10.1.2.3 (private)");
			});
	}

	@Test
	void noBindAddressIsListeningOnEveryAddress() {
		// MariaDB without --bind-address (as in a container) reports @@bind_address as NULL.
		List<SecurityCheck> checks = SecurityAnalysis.analyse(snapshot(goodEdge(), true, null, 0), passwords("a"),
				List.of("jdbc:mysql://203.0.113.5:3306/webstack", "jdbc:mysql://10.1.2.4:3306/webstack"), false, NOW);
		assertThat(checks).filteredOn((c) -> c.name().startsWith("Database ports"))
			.singleElement()
			.satisfies((c) -> {
				assertThat(c.result()).isEqualTo(Result.FAIL);
				assertThat(c.evidence()).isEqualTo("db-1 listens on every address and is reached at 203.0.113.5 "
						+ "(not private); db-2 listens on every address and is reached at 10.1.2.4 (private)");
			});
	}

	@Test
	void whatCannotBeProbedIsUnknownNotPassed() {
		InfraSnapshot nothing = new InfraSnapshot(Map.of("lb-1", Probed.failed("x", NOW)),
				Map.of("web-1", Probed.failed("x", NOW)), null, Map.of(),
				Probed.failed("refused", NOW), Probed.failed("refused", NOW), Probed.failed("x", NOW),
				Probed.failed("x", NOW), Probed.failed("timed out", NOW), Probed.of(new FirewallStatus(false, 0, "nft not installed"), NOW),
				Probed.failed("refused", NOW), Probed.failed("refused", NOW), NOW);
		List<SecurityCheck> checks = SecurityAnalysis.analyse(nothing, passwords("a"), urls(), false, NOW);
		assertThat(checks)
			.filteredOn((c) -> !c.name().equals("No default passwords")
					&& !c.name().equals(SecurityAnalysis.ONE_PASSWORD_PER_DOOR))
			.extracting(SecurityCheck::result)
			.containsOnly(Result.UNKNOWN);
	}

	private static EdgeStatus goodEdge() {
		Map<String, String> headers = Map.of("Content-Security-Policy",
				"default-src 'self'; script-src 'self'; frame-ancestors 'none'", "X-Frame-Options", "DENY",
				"X-Content-Type-Options", "nosniff", "Referrer-Policy", "same-origin");
		return new EdgeStatus(301, "https://127.0.0.1:8443/", "max-age=63072000", "TLS_AES_256_GCM_SHA384",
				"CN=localhost", NOW.plusSeconds(800 * 86400L), 404, 302, "https://127.0.0.1:8443/login", headers,
				"XSRF-TOKEN=x; Path=/; Secure; HttpOnly; SameSite=Lax",
				new EdgeStatus.OldTls(true, "TLS 1.0: handshake refused; TLS 1.1: handshake refused"), "127.0.0.1");
	}

	/** Generated-looking passwords, one per door, each 32 times the given letter. */
	private static Map<String, String> passwords(String... letters) {
		List<String> doors = List.of("the dashboard", "HAProxy's stats page", "health details",
				"the database (webstack_app)");
		Map<String, String> passwords = new LinkedHashMap<>();
		for (int i = 0; i < letters.length; i++) {
			passwords.put(doors.get(i), letters[i].repeat(32));
		}
		return passwords;
	}

	private static List<String> urls() {
		return List.of("jdbc:mysql://127.0.0.1:3307/webstack", "jdbc:mysql://127.0.0.1:3308/webstack");
	}

	private static InfraSnapshot snapshot(EdgeStatus edge, boolean replicaReadOnly, String bind, int firewallTables) {
		return snapshot(edge, replicaReadOnly, bind, firewallTables,
				List.of("GRANT USAGE ON *.* TO `webstack_app`@`127.0.0.1`",
						"GRANT SELECT, INSERT, UPDATE, DELETE ON `webstack`.* TO `webstack_app`@`127.0.0.1`"),
				new AccessStatus(401, 401, 401, Map.of("app-1", false, "app-2", false),
						Map.of("app-1", true, "app-2", true)));
	}

	private static InfraSnapshot snapshot(EdgeStatus edge, boolean replicaReadOnly, String bind, int firewallTables,
			List<String> grants, AccessStatus access) {
		DatabaseStatus primary = new DatabaseStatus("10.11.19-MariaDB", 1, false, bind, 100, 5, null);
		DatabaseStatus replica = new DatabaseStatus("10.11.19-MariaDB", 2, replicaReadOnly, bind, 100, 5, null);
		return new InfraSnapshot(Map.of("lb-1", Probed.failed("n/a", NOW)),
				Map.of("web-1", Probed.failed("n/a", NOW)), null, Map.of(),
				Probed.of(primary, NOW), Probed.of(replica, NOW), Probed.failed("n/a", NOW), null, Probed.of(edge, NOW),
				Probed.of(new FirewallStatus(true, firewallTables, "nft list tables"), NOW), Probed.of(grants, NOW),
				Probed.of(access, NOW), NOW);
	}

	private static List<ComponentView> topology(Map<String, State> states) {
		List<ComponentView> components = new ArrayList<>();
		for (String[] c : new String[][] { { "lb-1", "load balancer" }, { "web-1", "web server" },
				{ "app-1", "app server" }, { "app-2", "app server" }, { "db-1", "primary database" },
				{ "db-2", "replica database" }, { "prometheus", "monitoring" } }) {
			components.add(component(c[0], c[1], states.getOrDefault(c[0], State.UP)));
		}
		return components;
	}

	/** The ha mode's topology: two of each, and three cluster nodes. */
	private static List<ComponentView> haTopology(Map<String, State> states) {
		List<ComponentView> components = new ArrayList<>();
		for (String[] c : new String[][] { { "lb-1", "load balancer" }, { "lb-2", "load balancer" },
				{ "web-1", "web server" }, { "web-2", "web server" }, { "app-1", "app server" },
				{ "app-2", "app server" }, { "db-1", "database node" }, { "db-2", "database node" },
				{ "db-3", "database node" } }) {
			components.add(component(c[0], c[1], states.getOrDefault(c[0], State.UP)));
		}
		return components;
	}

	private static ComponentView component(String name, String role, State state) {
		return new ComponentView(name, role, state, NOW, "", Map.of());
	}

}
