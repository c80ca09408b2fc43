package dev.webstack;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.ResourceLock;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static dev.webstack.HostsMode.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The whole stack in the hosts mode ({@code ./stack up --hosts}): every component on a
 * host of its own, behind its firewall; the site from this machine at lb-1's address and
 * nothing else; round-robin over HTTPS, both databases over the back network, every
 * security check of the dashboard passing on every host, real client addresses in the
 * logs; each network fault of {@code ./stack chaos} under load with its stated
 * expectation; and {@code ./stack down} leaving nothing behind, after a failed up too.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ResourceLock(Lanes.FAULTS)
@Order(3)
class HostsStackIntegrationTests {

	/** Instance 28: front 10.88.84.0/24, app 10.88.85.0/24, back 10.88.86.0/24; names ws28-*. */
	private static final int OFFSET = 28000;

	private static final String PREFIX = "ws28-";

	private static final String SITE = "https://10.88.84.10";

	/** This machine's address on front: what every hop must log as the client. */
	private static final String THIS_MACHINE = "10.88.84.1";

	private static final List<String> HOSTS = List.of("lb-1", "web-1", "app-1", "app-2", "db-1", "db-2", "mon-1");

	/** Every host's addresses, and the ports its services listen on. */
	private static final Map<String, List<String>> ADDRESSES = Map.of("lb-1", List.of("10.88.84.10", "10.88.85.10"),
			"web-1", List.of("10.88.84.20", "10.88.85.20"), "app-1", List.of("10.88.85.31", "10.88.86.31"), "app-2",
			List.of("10.88.85.32", "10.88.86.32"), "db-1", List.of("10.88.86.41"), "db-2", List.of("10.88.86.42"),
			"mon-1", List.of("10.88.84.50", "10.88.85.50", "10.88.86.50"));

	private static final Map<String, List<Integer>> PORTS = Map.of("lb-1", List.of(80, 443, 8404, 9100), "web-1",
			List.of(8081, 8082, 8090, 9100), "app-1", List.of(9001, 9101, 9100), "app-2", List.of(9002, 9102, 9100),
			"db-1", List.of(3306, 9201, 9100), "db-2", List.of(3306, 9202, 9100), "mon-1", List.of(9090, 9093, 9100));

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static TestStack stack;

	private static HttpClient https;

	/** An admin signed in through the site's form, as in a browser. */
	private static SiteBrowser admin;

	@BeforeAll
	static void up() throws Exception {
		assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false),
				"the hosts mode needs root (network namespaces)");
		stack = new TestStack(OFFSET);
		// An up that fails (a broken alerting.conf, found after the hosts' network is made)
		// leaves nothing once down has run.
		Path alerting = stack.state().resolve("alerting.conf");
		Files.writeString(alerting, "email_to = nobody\n");
		TestStack.Result failed = stack.run(Map.of(), "up", "--hosts");
		assertThat(failed.exitCode()).isNotZero();
		assertThat(failed.output()).contains("email_to = 'nobody' is not an e-mail address");
		stack.stack("down");
		assertNothingLeft();
		Files.delete(alerting);
		String up = stack.stack("up", "--hosts");
		assertThat(up).contains("Webstack is up (hosts mode)", "site        " + SITE + "/",
				"from this machine only the site answers");
		https = HttpClient.newBuilder()
			.sslContext(SiteBrowser.trusting(stack.state().resolve("tls/lb-1.crt")))
			.followRedirects(HttpClient.Redirect.NEVER)
			.connectTimeout(Duration.ofSeconds(5))
			.build();
		admin = new SiteBrowser(SITE, stack.state().resolve("tls/lb-1.crt"));
		HttpResponse<String> signedIn = admin.post("/login",
				admin.form("/login", Map.of("username", "admin", "password", stack.secret("admin-password"))));
		assertThat(signedIn.headers().firstValue("Location")).as("signed in").isPresent().get().asString()
			.doesNotContain("error");
	}

	@AfterAll
	static void destroy() throws Exception {
		if (stack != null) {
			stack.destroy();
			assertNothingLeft();
		}
	}

	@Test
	@Order(1)
	void statusNamesTheSiteAndEveryComponentRunsOnItsHostAsItsAccount() throws Exception {
		String status = stack.stack("status");
		assertThat(status).contains("mode: hosts; site: " + SITE + "/")
			.containsPattern("(?m)^lb-1 +load bal\\. +10\\.88\\.84\\.10:443 +\\d+ +UP \\(app-1 UP, app-2 UP\\)")
			.containsPattern("(?m)^app-1 +app +10\\.88\\.85\\.31:9001 +\\d+ +UP")
			.containsPattern("(?m)^db-2 +replica +10\\.88\\.86\\.42:3306 +\\d+ +UP")
			.containsPattern("(?m)^prometheus +monitoring +10\\.88\\.85\\.50:9090 +\\d+ +UP")
			.containsPattern("(?m)^node-db-1 +exporter +10\\.88\\.86\\.41:9100 +\\d+ +UP");
		Map<String, String> hostOf = new HashMap<>(Map.of("lb-1", "lb-1", "web-1", "web-1", "app-1", "app-1", "app-2",
				"app-2", "db-1", "db-1", "db-2", "db-2", "prometheus", "mon-1", "alertmanager", "mon-1", "mysqld-1",
				"db-1", "mysqld-2", "db-2"));
		HOSTS.forEach((host) -> hostOf.put("node-" + host, host));
		Map<String, String> accounts = Map.of("lb-1", "haproxy", "web-1", "www-data", "app-1", "webstack", "app-2",
				"webstack", "db-1", "mysql", "db-2", "mysql", "prometheus", "webstack", "alertmanager", "webstack");
		for (var component : hostOf.entrySet()) {
			String pid = stack.pid(component.getKey());
			assertThat(run("ip", "netns", "identify", pid)).as(component.getKey() + "'s namespace")
				.isEqualTo(PREFIX + component.getValue());
			String expected = accounts.getOrDefault(component.getKey(), "prometheus");
			assertThat(run("ps", "-o", "user:32=", "-p", pid)).as(component.getKey() + "'s account").isEqualTo(expected);
		}
	}

	@Test
	@Order(2)
	void theSiteIsRoundRobinOverHttpsAtLb1sAddressAndHttpRedirects() throws Exception {
		List<String> servers = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			HttpResponse<String> page = get("/");
			assertThat(page.statusCode()).isEqualTo(200);
			assertThat(page.headers().firstValue("X-Web-Server")).hasValue("web-1");
			servers.add(page.headers().firstValue("X-App-Server").orElseThrow());
		}
		assertThat(servers.stream().filter("app-1"::equals).count()).as("round-robin: %s", servers)
			.isBetween(7L, 13L);
		HttpResponse<String> plain = https.send(HttpRequest.newBuilder(URI.create("http://10.88.84.10/")).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(plain.statusCode()).isEqualTo(301);
		assertThat(plain.headers().firstValue("Location")).hasValue(SITE + ":443/");
	}

	@Test
	@Order(3)
	void theReplicaFollowsThePrimaryOverTheBackNetworkAndServesTheReads() throws Exception {
		// SHOW SLAVE STATUS: Slave_IO_State, Master_Host, Master_User, Master_Port, ...
		String[] replica = stack.rootSql("db-2", "show slave status").split("\t");
		assertThat(replica[1]).as("Master_Host").isEqualTo("10.88.86.41");
		assertThat(replica[3]).as("Master_Port").isEqualTo("3306");
		assertThat(stack.rootSql("db-1", "select @@bind_address")).isEqualTo("10.88.86.41");
		assertThat(stack.rootSql("db-2", "select @@bind_address")).isEqualTo("10.88.86.42");
		// The accounts are for the back network, nothing wider.
		assertThat(stack.rootSql("db-1", "select distinct host from mysql.user where user like 'webstack%'"))
			.isEqualTo("10.88.86.%");
		await("reads on the replica").atMost(Duration.ofSeconds(60))
			.until(() -> get("/").body(), (body) -> body.contains("class=\"read-route\">replica"));
	}

	@Test
	@Order(4)
	void fromThisMachineOnlyTheSiteAnswers() throws Exception {
		ExecutorService attempts = Executors.newFixedThreadPool(16);
		try {
			Map<String, Future<Boolean>> tried = new HashMap<>();
			for (var host : PORTS.entrySet()) {
				for (String address : ADDRESSES.get(host.getKey())) {
					for (int port : host.getValue()) {
						tried.put(host.getKey() + " " + address + ":" + port,
								attempts.submit(() -> HostsMode.connects(null, address + ":" + port)));
					}
				}
			}
			Set<String> connected = new TreeSet<>();
			for (var attempt : tried.entrySet()) {
				if (attempt.getValue().get(2, TimeUnit.MINUTES)) {
					connected.add(attempt.getKey());
				}
			}
			assertThat(connected).containsExactly("lb-1 10.88.84.10:443", "lb-1 10.88.84.10:80");
		}
		finally {
			attempts.shutdownNow();
		}
	}

	@Test
	@Order(5)
	void theDashboardPassesEverySecurityCheckTheFirewallOnEveryHostIncluded() throws Exception {
		JsonNode status = await("every security check PASS").atMost(Duration.ofSeconds(90))
			.pollInterval(Duration.ofSeconds(2))
			.until(HostsStackIntegrationTests::dashboard, (s) -> failing(s).isEmpty());
		String firewall = check(status, "Firewall rules loaded on every host");
		assertThat(firewall).startsWith("every host has its rules");
		for (String host : HOSTS) {
			assertThat(firewall).contains(host + ": inet webstack_");
		}
		List<String> down = new ArrayList<>();
		status.path("components").forEach((c) -> {
			if (!"UP".equals(c.path("state").asString())) {
				down.add(c.path("name").asString());
			}
		});
		assertThat(down).as("components not UP").isEmpty();
		assertThat(status.path("components").toString()).contains("node-lb-1", "node-db-2", "mysqld-1");
	}

	@Test
	@Order(6)
	void everyHopLogsTheRealClientAddress() throws Exception {
		String marker = "/?client-address-" + System.nanoTime();
		assertThat(get(marker).statusCode()).isEqualTo(200);
		Path logs = stack.state().resolve("logs");
		await("the request in every hop's log").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			assertThat(lineWith(logs.resolve("lb-1.log"), marker)).contains(THIS_MACHINE + ":");
			assertThat(lineWith(logs.resolve("web-1.log"), marker)).startsWith(THIS_MACHINE + " ");
			String app = lineWith(logs.resolve("app-1-access.log"), marker);
			if (app.isEmpty()) {
				app = lineWith(logs.resolve("app-2-access.log"), marker);
			}
			assertThat(app).startsWith(THIS_MACHINE + " ");
		});
	}

	@Test
	@Order(7)
	void theCookieKeyRotatesAcrossTheHostsAndTheAdminStaysSignedIn() throws Exception {
		assertThat(stack.stack("rotate-keys")).contains("done: nobody was signed out");
		assertThat(admin.get("/admin").statusCode()).as("still signed in").isEqualTo(200);
	}

	@Test
	@Order(8)
	void aHostWhoseRulesAreGoneIsNamedAndUpLoadsThemAgain() throws Exception {
		run("ip", "netns", "exec", PREFIX + "db-2", "nft", "delete", "table", "inet", "webstack_db");
		// ./stack records each host's tables whenever it runs a command that changes something.
		stack.stack("reload", "lb-1");
		await("the firewall check naming db-2").atMost(Duration.ofSeconds(90))
			.pollInterval(Duration.ofSeconds(2))
			.until(() -> check(dashboard(), "Firewall rules loaded on every host"),
					(evidence) -> evidence.startsWith("FAIL: no rules loaded on db-2"));
		assertThat(stack.stack("up")).contains("each host's firewall loaded again");
		assertThat(run("ip", "netns", "exec", PREFIX + "db-2", "nft", "list", "tables")).isEqualTo("table inet webstack_db");
		assertThat(Files.readString(stack.state().resolve("run/nft-tables.d/db-2"))).as("recorded again")
			.contains("table inet webstack_db");
	}

	@Test
	@Order(9)
	void app1CutFromTheReplicaReadsOnThePrimaryAndNothingFails() throws Exception {
		chaos("partition", "app-1", "db-2").assertNoReadFailedAndNoWriteLost();
	}

	@Test
	@Order(10)
	void web1CutFromApp2HaproxyTakesApp2OutAndNoReadFails() throws Exception {
		long logged = Files.size(stack.state().resolve("logs/lb-1.log"));
		chaos("partition", "web-1", "app-2").assertNoReadFailedAndNoWriteLost();
		String during = Files.readString(stack.state().resolve("logs/lb-1.log")).substring((int) logged);
		assertThat(during).contains("Server app_servers/app-2 is DOWN").contains("Server app_servers/app-2 is UP");
		assertThat(during).doesNotContain("Server app_servers/app-1 is DOWN");
	}

	@Test
	@Order(11)
	void db2CutFromDb1ReadsLeaveTheLaggingReplicaWhichCatchesUpWhenHealed() throws Exception {
		ExecutorService background = Executors.newSingleThreadExecutor();
		try {
			Future<HostsMode.Figures> chaos = background.submit(() -> chaos("partition", "db-2", "db-1", "12"));
			// Replication hears nothing from the primary: the replica falls behind, and past
			// 5 s of lag the reads go to the primary, as the page's footer says.
			await("reads leaving the lagging replica").atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(500))
				.until(() -> get("/").body(), (body) -> body.contains("class=\"read-route\">primary"));
			chaos.get(5, TimeUnit.MINUTES).assertNoReadFailedAndNoWriteLost();
		}
		finally {
			background.shutdownNow();
		}
		String position = stack.rootSql("db-1", "select @@gtid_binlog_pos");
		assertThat(stack.rootSql("db-2", "select master_gtid_wait('" + position + "', 60)")).as("caught up")
			.isEqualTo("0");
		await("reads back on the replica").atMost(Duration.ofSeconds(60))
			.until(() -> get("/").body(), (body) -> body.contains("class=\"read-route\">replica"));
	}

	@Test
	@Order(12)
	void twoHundredMillisecondsBetweenTheAppServersAndTheReplicaCostLatencyButNoRead() throws Exception {
		ExecutorService background = Executors.newSingleThreadExecutor();
		try {
			Future<HostsMode.Figures> chaos = background.submit(() -> chaos("delay", "app-1,app-2", "db-2", "200", "15"));
			// A page read on the replica takes its round trips to it: at least 200 ms each.
			await("a read on the delayed replica").atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(300))
				.until(() -> {
					long started = System.nanoTime();
					String body = get("/").body();
					long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
					return body.contains("class=\"read-route\">replica") && millis >= 200;
				});
			HostsMode.Figures figures = chaos.get(5, TimeUnit.MINUTES);
			figures.assertNoReadFailedAndNoWriteLost();
			assertThat(figures.readP99()).as("p99 of the reads, ms").isGreaterThanOrEqualTo(200);
		}
		finally {
			background.shutdownNow();
		}
		await("the relays gone once healed").atMost(Duration.ofSeconds(60))
			.until(() -> !isAlive("relay-app-1") && !isAlive("relay-app-2"));
	}

	@Test
	@Order(13)
	void app2IsolatedNoReadFails() throws Exception {
		chaos("isolate", "app-2", "6").assertNoReadFailedAndNoWriteLost();
		assertThat(run("ip", "netns", "exec", PREFIX + "app-2", "nft", "list", "tables")).as("healed")
			.doesNotContain("webstack_chaos");
	}

	@Test
	@Order(14)
	void aNetworkFaultIsRefusedWithBadArgumentsAndChangesNothing() throws Exception {
		for (List<String> bad : List.of(List.of("partition", "app-1"), List.of("partition", "app-1", "db-9"),
				List.of("partition", "app-1", "app-1"), List.of("delay", "app-1", "db-2", "-5"),
				List.of("delay", "app-1", "db-2", "200ms"), List.of("isolate", "app-1;reboot"), List.of("partition", ",", "db-2"),
				List.of("isolate", "app-1", "0"), List.of("partition", "app-1", "db-2", "9999999"))) {
			List<String> args = new ArrayList<>(List.of("chaos"));
			args.addAll(bad);
			TestStack.Result refused = stack.run(Map.of(), args.toArray(String[]::new));
			assertThat(refused.exitCode()).as(String.join(" ", bad)).isNotZero();
			assertThat(refused.output()).as(String.join(" ", bad)).doesNotContain("under ").startsWith("stack: ");
		}
		for (String host : HOSTS) {
			assertThat(run("ip", "netns", "exec", PREFIX + host, "nft", "list", "tables")).doesNotContain("chaos");
		}
	}

	@Test
	@Order(15)
	void downLeavesNothingBehind() throws Exception {
		List<String> pids = new ArrayList<>();
		for (String name : List.of("lb-1", "web-1", "app-1", "app-2", "db-1", "db-2", "prometheus")) {
			pids.add(stack.pid(name));
		}
		stack.stack("down");
		assertNothingLeft();
		for (String pid : pids) {
			assertThat(ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false)).as(pid)
				.isFalse();
		}
	}

	/** Runs a fault of ./stack chaos and returns its figures. */
	private static HostsMode.Figures chaos(String... fault) throws Exception {
		List<String> args = new ArrayList<>(List.of("chaos"));
		args.addAll(List.of(fault));
		String out = stack.stack(args.toArray(String[]::new));
		// In the report, for whoever reads a failure: what users saw, each failed request named.
		System.out.println(out);
		return HostsMode.Figures.of(out);
	}

	private static boolean isAlive(String component) {
		try {
			return ProcessHandle.of(Long.parseLong(stack.pid(component))).map(ProcessHandle::isAlive).orElse(false);
		}
		catch (java.io.IOException ex) {
			return false;
		}
	}

	private static HttpResponse<String> get(String path) throws Exception {
		return https.send(HttpRequest.newBuilder(URI.create(SITE + path)).timeout(Duration.ofSeconds(15)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * The dashboard's JSON, through the site, as a script reads it (HTTP Basic), after the
	 * signed-in admin opened its page (which brings the security checks up to date, at most
	 * every 30 s).
	 */
	private static JsonNode dashboard() throws Exception {
		String auth = "Basic " + Base64.getEncoder()
			.encodeToString(("admin:" + stack.secret("admin-password")).getBytes(StandardCharsets.UTF_8));
		HttpResponse<String> page = admin.get("/admin");
		assertThat(page.statusCode()).isEqualTo(200);
		HttpResponse<String> answer = https.send(HttpRequest.newBuilder(URI.create(SITE + "/admin/api/status"))
			.header("Authorization", auth)
			.timeout(Duration.ofSeconds(15))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(answer.statusCode()).isEqualTo(200);
		return JSON.readTree(answer.body());
	}

	private static List<String> failing(JsonNode status) {
		List<String> failing = new ArrayList<>();
		status.path("security").forEach((c) -> {
			if (!"PASS".equals(c.path("result").asString())) {
				failing.add(c.path("name").asString() + ": " + c.path("evidence").asString());
			}
		});
		return failing;
	}

	/** A check's evidence, prefixed with "FAIL: " unless it passed. */
	private static String check(JsonNode status, String name) {
		for (JsonNode c : status.path("security")) {
			if (name.equals(c.path("name").asString())) {
				String evidence = c.path("evidence").asString();
				return "PASS".equals(c.path("result").asString()) ? evidence
						: c.path("result").asString() + ": " + evidence;
			}
		}
		throw new AssertionError("no check named " + name + " in " + status.path("security"));
	}

	private static String lineWith(Path log, String text) throws Exception {
		if (!Files.exists(log)) {
			return "";
		}
		return Files.readAllLines(log).stream().filter((l) -> l.contains(text)).findFirst().orElse("");
	}

	private static void assertNothingLeft() throws Exception {
		HostsMode.assertNothingLeft(PREFIX, "10.88.84.", "10.88.85.", "10.88.86.");
	}

}
