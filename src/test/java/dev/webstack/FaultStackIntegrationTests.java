package dev.webstack;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.jsoup.Jsoup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The failures the design names, injected into a whole native stack while a bounded load
 * (scripts/Load.java: readers and writers through HAProxy) runs; each prints the load's
 * figures and asserts them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
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

	@Test
	@Order(1)
	void anAppServerKilledUnderLoadFailsNoReadAndWritesNothingTwice() throws Exception {
		ChildProcess load = stack.load(14, 4, 2);
		Thread.sleep(3000);
		stack.kill("app-1");
		Thread.sleep(4000);
		assertThat(stack.stack("up")).contains("starting app-1").doesNotContain("starting app-2");
		JsonNode figures = figures("kill app-1", load);
		assertThat(figures.path("readFailures").asLong()).isZero();
		assertThat(figures.path("duplicated").asLong()).isZero();
		assertThat(figures.path("lost").asLong()).isZero();
		assertThat(figures.path("acknowledged").asLong()).isPositive();
		assertThat(stack.stack("status")).containsPattern("lb-1 .* UP \\(app-1 UP, app-2 UP\\)");
	}

	@Test
	@Order(2)
	void aPlannedRestartUnderLoadFailsNoRequestAtAll() throws Exception {
		ChildProcess load = stack.load(16, 4, 2);
		Thread.sleep(3000);
		assertThat(stack.stack("restart", "app-1")).contains("draining app-1", "app-1 back in rotation");
		JsonNode figures = figures("restart app-1", load);
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
		ChildProcess load = stack.load(10, 4, 2);
		for (int i = 0; i < 3; i++) {
			Thread.sleep(2000);
			stack.stack("reload", "web-1");
		}
		JsonNode figures = figures("reload web-1 three times", load);
		assertThat(figures.path("readFailures").asLong()).isZero();
		assertThat(figures.path("writeFailures").asLong()).isZero();
		assertThat(figures.path("retried").asLong()).isLessThanOrEqualTo(figures.path("refusedStreams").asLong());
	}

	@Test
	@Order(4)
	void aStoppedReplicationSendsReadsToThePrimaryAndTheyComeBackAfterIt() throws Exception {
		ChildProcess load = stack.load(16, 4, 1);
		Thread.sleep(2000);
		stack.rootSql("db-2", "STOP SLAVE");
		assertThat(awaitReadRoute((route) -> route.startsWith("primary"))).isEqualTo("primary (replication stopped)");
		JsonNode health = awaitHealth(9101, "DEGRADED");
		assertThat(health.path("components").path("replication").path("status").asString()).isEqualTo("DEGRADED");
		assertThat(health.path("status").asString()).as("DEGRADED, not DOWN").isEqualTo("DEGRADED");
		assertThat(component(JSON.readTree(stack.dashboard("app-1")), "db-2").path("detail").asString())
			.isEqualTo("replication stopped");

		stack.rootSql("db-2", "START SLAVE");
		List<String> routes = new ArrayList<>();
		String route = awaitReadRoute((r) -> {
			routes.add(r);
			return r.startsWith("replica");
		});
		assertThat(route).isEqualTo("replica (read-only transaction)");
		assertThat(routes).as("hysteresis: watched for a while before reads return")
			.anyMatch((r) -> r.equals("primary (replica recovering: caught up, being watched)"));
		JsonNode figures = figures("stop replication on db-2", load);
		assertThat(figures.path("readFailures").asLong()).isZero();
		assertThat(figures.path("writeFailures").asLong()).isZero();
	}

	@Test
	@Order(5)
	void aDeadReplicaSendsReadsToThePrimaryUntilUpBringsItBack() throws Exception {
		ChildProcess load = stack.load(14, 4, 1);
		Thread.sleep(2000);
		stack.kill("db-2");
		assertThat(awaitReadRoute((r) -> r.startsWith("primary"))).isEqualTo("primary (replica unreachable)");
		assertThat(component(awaitDashboard((s) -> "DOWN".equals(component(s, "db-2").path("state").asString())),
				"db-2")
			.path("state")
			.asString()).isEqualTo("DOWN");
		assertThat(stack.stack("up")).contains("starting db-2").doesNotContain("starting db-1");
		assertThat(awaitReadRoute((r) -> r.startsWith("replica"))).isEqualTo("replica (read-only transaction)");
		JsonNode figures = figures("kill db-2", load);
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

	/** Waits for the load to end and returns (and prints) its figures. */
	private static JsonNode figures(String fault, ChildProcess load) throws Exception {
		ChildProcess.Result result = load.finish(Duration.ofSeconds(120));
		String out = result.output().strip();
		System.out.println("fault: " + fault + "\n" + out);
		assertThat(result.finished()).as(out).isTrue();
		assertThat(result.exitCode()).as(out).isZero();
		return JSON.readTree(out.substring(out.lastIndexOf('\n') + 1));
	}

	/** Where the reads of a page went, as its footer says to a reader with no writes of their own. */
	private static String awaitReadRoute(Predicate<String> condition) throws Exception {
		HttpClient reader = stack.https();
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		String route;
		do {
			HttpResponse<String> page = reader.send(HttpRequest.newBuilder(java.net.URI.create(stack.site() + "/"))
				.build(), HttpResponse.BodyHandlers.ofString());
			route = Jsoup.parse(page.body()).select("footer .read-route").text();
			if (condition.test(route)) {
				return route;
			}
			Thread.sleep(250);
		}
		while (System.nanoTime() < deadline);
		return route;
	}

	private static JsonNode awaitHealth(int managementPort, String status) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		JsonNode health;
		do {
			health = health(managementPort);
			if (status.equals(health.path("status").asString())) {
				return health;
			}
			Thread.sleep(250);
		}
		while (System.nanoTime() < deadline);
		return health;
	}

	/** Health with its details, which only the monitoring account may see. */
	private static JsonNode health(int managementPort) throws Exception {
		String monitoring = java.util.Base64.getEncoder()
			.encodeToString(("monitoring:" + stack.secret("monitoring-password")).getBytes(StandardCharsets.UTF_8));
		return JSON.readTree(HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + stack.port(managementPort)
					+ "/actuator/health"))
				.header("Authorization", "Basic " + monitoring)
				.build(), HttpResponse.BodyHandlers.ofString())
			.body());
	}

	private static JsonNode awaitDashboard(Predicate<JsonNode> condition) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
		JsonNode status;
		do {
			status = JSON.readTree(stack.dashboard("app-1"));
			if (condition.test(status)) {
				return status;
			}
			Thread.sleep(250);
		}
		while (System.nanoTime() < deadline);
		return status;
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
				.send(HttpRequest.newBuilder(java.net.URI.create(stack.site() + path)).build(),
						HttpResponse.BodyHandlers.discarding())
				.statusCode();
		}
		catch (java.io.IOException ex) {
			return -1;
		}
	}

}
