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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.jsoup.Jsoup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.ResourceLock;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.webstack.LoadGenerator.Progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The failures the design names, injected into a whole native stack while a bounded load
 * (scripts/Load.java: readers and writers through HAProxy) runs; each prints the load's
 * figures and asserts them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ResourceLock(Lanes.FAULTS)
@Order(2)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class FaultStackIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static TestStack stack;

	@BeforeAll
	static void up() throws Exception {
		// Every port stays below the ephemeral range (32768 and up), where outgoing connections
		// would take them at random.
		stack = new TestStack(12000);
		stack.stack("up");
	}

	@AfterAll
	static void down() throws Exception {
		stack.destroy();
	}

	/**
	 * Slow answers spend the latency budget: a session on the replica holds the posts
	 * table locked (2 s at a time, as a long backup or schema change would), so every read
	 * of a page waits for it. Nothing fails, but nearly every answer takes over 300 ms, and
	 * LatencyBudgetBurningFast fires and reaches the dashboard. First, on a fresh stack: the
	 * hour's window then holds little but these reads, as it would an hour into an outage.
	 */
	@Test
	@Order(0)
	@Timeout(value = 8, unit = TimeUnit.MINUTES)
	void slowAnswersFromALockedReplicaFireTheLatencyBurnRateAlert() throws Exception {
		Path locks = Files.createTempFile("webstack-locks-", ".sql");
		// Not binary-logged (a statement of root's on the replica would break its GTID order).
		Files.writeString(locks, "SET sql_log_bin = 0;\n"
				+ "LOCK TABLES webstack.post WRITE; DO SLEEP(2); UNLOCK TABLES;\n".repeat(150));
		LoadGenerator load = stack.load(150, 4, 0);
		load.awaitRunning(false);
		ChildProcess locker = ChildProcess.start(new ProcessBuilder("mariadb", "--no-defaults", "--protocol=socket",
				"--socket=" + stack.state().resolve("db-2/mysqld.sock"), "-u", "root"), locks);
		try {
			await("slow answers in the recorded ratio").atMost(Duration.ofMinutes(1))
				.pollInterval(Duration.ofSeconds(1))
				.until(() -> prometheusValue("slo:http_slow:ratio_rate5m"), (ratio) -> ratio > 14.4 * 0.005);
			JsonNode alert = await("LatencyBudgetBurningFast on the dashboard").atMost(Duration.ofMinutes(5))
				.pollInterval(Duration.ofSeconds(1))
				.until(() -> firing(JSON.readTree(stack.dashboard("app-1")), "LatencyBudgetBurningFast"),
						(found) -> found != null);
			assertThat(alert.path("severity").asString()).isEqualTo("critical");
			assertThat(alert.path("component").isNull()).as("the site's, not one component's").isTrue();
			assertThat(alert.path("labels").path("slo").asString()).isEqualTo("latency");
		}
		finally {
			locker.finish(Duration.ZERO);
			Files.delete(locks);
		}
		JsonNode figures = load.figures("replica holding reads");
		assertThat(figures.path("readFailures").asLong()).as("slow, not failed").isZero();
	}

	private static JsonNode firing(JsonNode status, String alertname) {
		for (JsonNode alert : status.path("alerts").path("firing")) {
			if (alertname.equals(alert.path("alertname").asString())) {
				return alert;
			}
		}
		return null;
	}

	/** The value of a query that Prometheus answers with one series, or NaN without one. */
	private static double prometheusValue(String query) throws Exception {
		JsonNode result = JSON.readTree(HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.port(9090) + "/api/v1/query?query="
					+ java.net.URLEncoder.encode(query, StandardCharsets.UTF_8)))
				.timeout(Duration.ofSeconds(10))
				.build(), HttpResponse.BodyHandlers.ofString())
			.body()).path("data").path("result");
		return result.size() == 1 ? Double.parseDouble(result.get(0).path("value").get(1).asString()) : Double.NaN;
	}

	@Test
	@Order(1)
	void anAppServerKilledUnderLoadFailsNoReadAndWritesNothingTwice() throws Exception {
		LoadGenerator load = stack.load(20, 4, 2);
		load.awaitRunning(true);
		stack.kill("app-1");
		Progress killed = load.progress();
		// HAProxy's checks find it down; reads meanwhile and after go on without a failure.
		await("HAProxy sees app-1 DOWN").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> stack.stack("status"), (status) -> status.contains("app-1 DOWN"));
		Progress down = load.awaitAnsweredReads(killed, 20);
		assertThat(stack.stack("up")).contains("starting app-1").doesNotContain("starting app-2");
		JsonNode figures = load.figures("kill app-1");
		assertThat(down.answeredReads() - killed.answeredReads()).as("reads answered while app-1 was down")
			.isGreaterThanOrEqualTo(20);
		assertThat(figures.path("readFailures").asLong()).isZero();
		assertThat(figures.path("duplicated").asLong()).isZero();
		assertThat(figures.path("lost").asLong()).isZero();
		assertThat(figures.path("acknowledged").asLong()).isPositive();
		assertThat(stack.stack("status")).containsPattern("lb-1 .* UP \\(app-1 UP, app-2 UP\\)");
	}

	@Test
	@Order(2)
	void aPlannedRestartUnderLoadFailsNoRequestAtAll() throws Exception {
		LoadGenerator load = stack.load(20, 4, 2);
		Progress before = load.awaitRunning(true);
		assertThat(stack.stack("restart", "app-1")).contains("draining app-1", "app-1 back in rotation");
		Progress after = load.progress();
		JsonNode figures = load.figures("restart app-1");
		assertThat(after.answeredReads()).as("reads answered during the restart")
			.isGreaterThan(before.answeredReads());
		assertThat(after.acknowledged()).as("writes acknowledged during the restart")
			.isGreaterThan(before.acknowledged());
		assertThat(figures.path("readFailures").asLong()).isZero();
		assertThat(figures.path("writeFailures").asLong()).isZero();
		assertThat(figures.path("retried").asLong()).as("no form had to be sent twice").isLessThanOrEqualTo(
				figures.path("refusedStreams").asLong());
		assertThat(figures.path("duplicated").asLong()).isZero();
		assertThat(figures.path("lost").asLong()).isZero();
	}

	@Test
	@Order(3)
	void nginxReloadsUnderLoadFailNoRequest() throws Exception {
		LoadGenerator load = stack.load(20, 4, 2);
		Progress progress = load.awaitRunning(true);
		for (int i = 0; i < 3; i++) {
			stack.stack("reload", "web-1");
			// Reads answered by the reloaded Nginx before the next reload.
			progress = load.awaitAnsweredReads(progress, 20);
		}
		JsonNode figures = load.figures("reload web-1 three times");
		assertThat(figures.path("readFailures").asLong()).isZero();
		assertThat(figures.path("writeFailures").asLong()).isZero();
		assertThat(figures.path("retried").asLong()).isLessThanOrEqualTo(figures.path("refusedStreams").asLong());
	}

	@Test
	@Order(4)
	void aStoppedReplicationSendsReadsToThePrimaryAndTheyComeBackAfterIt() throws Exception {
		LoadGenerator load = stack.load(20, 4, 1);
		load.awaitRunning(true);
		stack.rootSql("db-2", "STOP SLAVE");
		Progress stopped = load.progress();
		assertThat(awaitReadRoute((route) -> route.startsWith("primary"))).isEqualTo("primary (replication stopped)");
		JsonNode health = awaitHealth(9101, "DEGRADED");
		assertThat(health.path("components").path("replication").path("status").asString()).isEqualTo("DEGRADED");
		assertThat(health.path("status").asString()).as("DEGRADED, not DOWN").isEqualTo("DEGRADED");
		// The dashboard's probes run while it is watched: the first report may come before them.
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(component(JSON.readTree(stack.dashboard("app-1")), "db-2").path("detail")
				.asString()).isEqualTo("replication stopped"));
		Progress during = load.awaitAnsweredReads(stopped, 20);

		stack.rootSql("db-2", "START SLAVE");
		List<String> routes = new ArrayList<>();
		String route = awaitReadRoute((r) -> {
			routes.add(r);
			return r.startsWith("replica");
		});
		assertThat(route).isEqualTo("replica (read-only transaction)");
		assertThat(routes).as("hysteresis: watched for a while before reads return")
			.contains("primary (replica recovering: caught up, being watched)");
		JsonNode figures = load.figures("stop replication on db-2");
		assertThat(during.answeredReads() - stopped.answeredReads()).as("reads answered while replication stopped")
			.isGreaterThanOrEqualTo(20);
		assertThat(figures.path("readFailures").asLong()).isZero();
		assertThat(figures.path("writeFailures").asLong()).isZero();
	}

	@Test
	@Order(5)
	void aDeadReplicaSendsReadsToThePrimaryUntilUpBringsItBack() throws Exception {
		LoadGenerator load = stack.load(20, 4, 1);
		load.awaitRunning(true);
		stack.kill("db-2");
		Progress killed = load.progress();
		assertThat(awaitReadRoute((r) -> r.startsWith("primary"))).isEqualTo("primary (replica unreachable)");
		assertThat(component(awaitDashboard((s) -> "DOWN".equals(component(s, "db-2").path("state").asString())),
				"db-2")
			.path("state")
			.asString()).isEqualTo("DOWN");
		Progress down = load.awaitAnsweredReads(killed, 20);
		assertThat(stack.stack("up")).contains("starting db-2").doesNotContain("starting db-1");
		assertThat(awaitReadRoute((r) -> r.startsWith("replica"))).isEqualTo("replica (read-only transaction)");
		JsonNode figures = load.figures("kill db-2");
		assertThat(down.answeredReads() - killed.answeredReads()).as("reads answered while db-2 was dead")
			.isGreaterThanOrEqualTo(20);
		assertThat(figures.path("readFailures").asLong()).isZero();
		assertThat(figures.path("writeFailures").asLong()).isZero();
		assertThat(figures.path("lost").asLong()).isZero();
	}

	@Test
	@Order(6)
	void aLaggingReplicaSendsReadsToThePrimaryWhileItLags() throws Exception {
		stack.rootSql("db-2", "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=8; START SLAVE");
		try {
			assertThat(awaitReadRoute((r) -> r.startsWith("primary (replica lagging"))).startsWith("primary (replica lagging");
		}
		finally {
			stack.rootSql("db-2", "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=0; START SLAVE");
		}
		assertThat(awaitReadRoute((r) -> r.startsWith("replica"))).isEqualTo("replica (read-only transaction)");
	}

	@Test
	@Order(7)
	void aDeadWebServerIsNamedAsTheOutageItIsAndUpRepairsIt() throws Exception {
		stack.kill("web-1");
		JsonNode status = awaitDashboard((s) -> "DOWN".equals(component(s, "web-1").path("state").asString()));
		assertThat(spofs(status)).contains("web server:outage");
		assertThat(site("/")).as("the site is down with it").isNotEqualTo(200);
		assertThat(stack.stack("up")).contains("starting web-1").doesNotContain("starting app-");
		assertThat(site("/")).isEqualTo(200);
	}

	@Test
	@Order(8)
	void aDeadLoadBalancerIsNamedAsTheOutageItIsAndUpRepairsIt() throws Exception {
		stack.kill("lb-1");
		JsonNode status = awaitDashboard((s) -> "DOWN".equals(component(s, "lb-1").path("state").asString()));
		assertThat(spofs(status)).contains("load balancer:outage");
		assertThat(stack.stack("up")).contains("starting lb-1").doesNotContain("starting web-1");
		assertThat(site("/")).isEqualTo(200);
	}

	/**
	 * Where the reads of a page went, as its footer says to a reader with no writes of their
	 * own, once it satisfies the condition; fails if it does not within 30 s.
	 */
	private static String awaitReadRoute(Predicate<String> condition) throws Exception {
		HttpClient reader = stack.https();
		return await("read route").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> Jsoup.parse(reader.send(HttpRequest.newBuilder(URI.create(stack.site() + "/"))
				.timeout(Duration.ofSeconds(10))
				.build(), HttpResponse.BodyHandlers.ofString()).body()).select("footer .read-route").text(), condition);
	}

	private static JsonNode awaitHealth(int managementPort, String status) {
		return await("health " + status).atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(250))
			.until(() -> health(managementPort), (health) -> status.equals(health.path("status").asString()));
	}

	/** Health with its details, which only the monitoring account may see. */
	private static JsonNode health(int managementPort) throws Exception {
		String monitoring = Base64.getEncoder()
			.encodeToString(("monitoring:" + stack.secret("monitoring-password")).getBytes(StandardCharsets.UTF_8));
		return JSON.readTree(HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.port(managementPort)
					+ "/actuator/health"))
				.timeout(Duration.ofSeconds(10))
				.header("Authorization", "Basic " + monitoring)
				.build(), HttpResponse.BodyHandlers.ofString())
			.body());
	}

	private static JsonNode awaitDashboard(Predicate<JsonNode> condition) {
		return await("dashboard").atMost(Duration.ofSeconds(15))
			.pollInterval(Duration.ofMillis(250))
			.until(() -> JSON.readTree(stack.dashboard("app-1")), condition);
	}

	private static JsonNode component(JsonNode status, String name) {
		for (JsonNode component : status.path("components")) {
			if (name.equals(component.path("name").asString())) {
				return component;
			}
		}
		throw new AssertionError("no component " + name);
	}

	private static List<String> spofs(JsonNode status) {
		List<String> spofs = new ArrayList<>();
		status.path("spofs").forEach((s) -> spofs.add(s.path("tier").asString() + ":" + s.path("kind").asString()));
		return spofs;
	}

	private static int site(String path) throws Exception {
		try {
			return stack.https()
				.send(HttpRequest.newBuilder(URI.create(stack.site() + path)).build(),
						HttpResponse.BodyHandlers.discarding())
				.statusCode();
		}
		catch (java.io.IOException ex) {
			return -1;
		}
	}

}
