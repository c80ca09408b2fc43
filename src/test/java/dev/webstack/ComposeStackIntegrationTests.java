package dev.webstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.webstack.LoadGenerator.Progress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;


import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Docker Compose stack run for real: {@code docker/compose.yaml} with
 * {@code docker/compose.local.yaml} (every image built here from Debian's packages, the
 * MariaDB pair), started from a copy of the project with its own secrets, under its own
 * project name and ports, and driven from this machine as a user, an admin and an operator
 * would: HTTPS round-robin through lb-1 and web-1, a post on both databases, the dashboard's
 * JSON, Prometheus's targets, the client's address in the app's access log, an app
 * container killed under load, a rolling deploy ({@code docker/deploy.sh}) of a new
 * release under load, and {@code down -v} leaving nothing behind. Needs a Docker
 * engine (./stack test starts one); uses {@code docker compose} where the Compose plugin
 * exists, else {@code docker-compose}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ResourceLock(Lanes.OTHERS)
@Order(8)
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class ComposeStackIntegrationTests {

	private static final int HTTP_PORT = 24080;

	private static final int HTTPS_PORT = 24443;

	private static final String SITE = "https://127.0.0.1:" + HTTPS_PORT;

	/** lb-1's and web-1's addresses on their networks (compose.yaml's ipv4_address). */
	private static final Set<String> PROXIES = Set.of("172.30.0.10", "172.30.0.20", "172.30.1.10");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	static Path dir;

	private static ComposeProject stack;

	private static SiteBrowser site;

	private static HttpClient browser;

	@BeforeAll
	static void upWithLocalImages() throws Exception {
		stack = ComposeProject.copyInto(dir, List.of("docker/compose.local.yaml"), Map.of("WEBSTACK_HTTP_PORT",
				String.valueOf(HTTP_PORT), "WEBSTACK_HTTPS_PORT", String.valueOf(HTTPS_PORT)));
		stack.assertSucceeds(Duration.ofMinutes(15), stack.compose("up", "-d", "--build"));
		site = new SiteBrowser(SITE, stack.certificate());
		browser = site.client();
		await("HAProxy sees both app servers UP").atMost(Duration.ofMinutes(3))
			.pollInterval(Duration.ofSeconds(1))
			.until(() -> haproxyServers().values(), (states) -> states.size() == 2 && states.stream().allMatch("UP"::equals));
	}

	@AfterAll
	static void downEvenAfterAFailure() throws Exception {
		if (stack != null) {
			stack.down();
		}
	}

	@Test
	@Order(1)
	void httpsRoundRobinThroughLb1AndWeb1ToBothAppServers() throws Exception {
		Set<String> servers = new HashSet<>();
		for (int i = 0; i < 10; i++) {
			HttpResponse<String> page = site.get("/");
			assertThat(page.statusCode()).isEqualTo(200);
			assertThat(page.headers().firstValue("X-Web-Server")).hasValue("web-1");
			servers.add(page.headers().firstValue("X-App-Server").orElseThrow());
		}
		assertThat(servers).containsExactlyInAnyOrder("app-1", "app-2");
		HttpResponse<String> plain = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + HTTP_PORT + "/posts/new")).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(plain.statusCode()).isEqualTo(301);
		assertThat(plain.headers().firstValue("Location")).hasValue(SITE + "/posts/new");
	}

	@Test
	@Order(2)
	void aPostWrittenThroughTheSiteIsOnBothDatabases() throws Exception {
		String title = "Compose post " + UUID.randomUUID();
		HttpResponse<String> created = site.post("/posts",
				site.form("/posts/new", Map.of("title", title, "body", "Hello", "author", "Ada")));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(302);
		String count = "select count(*) from webstack.post where title = '" + title + "'";
		assertThat(rootSql("db-1", count)).isEqualTo("1");
		await("the post replicated to db-2").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> rootSql("db-2", count), "1"::equals);
		HttpResponse<String> shown = site.get(URI.create(created.headers().firstValue("Location").orElseThrow()).getPath());
		assertThat(shown.body()).contains(title);
	}

	@Test
	@Order(3)
	void theDashboardShowsTheComposeTopologyWithEveryComponentUp() throws Exception {
		String password = secret("admin-password");
		// The first look starts the probes; the components are UP from a later round.
		JsonNode status = await("every component UP").atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofSeconds(1))
			.until(() -> JSON.readTree(site.getAsAdmin("/admin/api/status", password).body()), (json) -> json.path("components").size() == 7 && states(json).values().stream()
					.allMatch("UP"::equals));
		assertThat(states(status).keySet()).containsExactlyInAnyOrder("lb-1", "web-1", "app-1", "app-2", "db-1",
				"db-2", "prometheus");
		assertThat(status.path("spofs").findValuesAsString("tier")).contains("load balancer", "web server",
				"primary database");
	}

	@Test
	@Order(4)
	void prometheusScrapesEveryTargetUp() throws Exception {
		JsonNode targets = stack.awaitPrometheusTargetsUp(4);
		List<String> jobs = new ArrayList<>();
		targets.forEach((t) -> jobs.add(t.path("labels").path("job").asString()));
		assertThat(jobs).containsExactlyInAnyOrder("apps", "apps", "haproxy", "prometheus");
	}

	@Test
	@Order(5)
	void theAppLogsTheClientsRealAddressWhateverForwardingHeadersTheClientSends() throws Exception {
		// A client with an address of its own on the front network, claiming other addresses in
		// every header an attacker would try.
		String marker = "client-" + UUID.randomUUID();
		ChildProcess.Result sent = run(Duration.ofSeconds(60), "docker", "run", "--rm", "--network",
				stack.name() + "_front", "--ip", "172.30.0.77", "--entrypoint", "curl", "webstack/web:local", "-sk", "-o",
				"/dev/null",
				"-w", "%{http_code}", "-H", "X-Forwarded-For: 203.0.113.9", "-H", "X-Real-IP: 203.0.113.10", "-H",
				"Forwarded: for=203.0.113.11", "-H", "X-Forwarded-For: 127.0.0.1",
				"https://lb-1/?marker=" + marker);
		assertThat(sent.output()).as("the status curl printed").endsWith("200");
		String logged = await("the request in an app server's access log").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> accessLogLine(marker), (line) -> line != null);
		assertThat(logged.split(" ")[0]).as(logged).isEqualTo("172.30.0.77");
		// From this machine, through Docker's published port: the address HAProxy saw.
		String fromHere = "here-" + UUID.randomUUID();
		assertThat(browser.send(HttpRequest.newBuilder(URI.create(SITE + "/?marker=" + fromHere))
			.header("X-Forwarded-For", "203.0.113.9")
			.build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
		String line = await("the request from here in an access log").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> accessLogLine(fromHere), (l) -> l != null);
		String client = line.split(" ")[0];
		assertThat(client).as(line).isNotIn(PROXIES).isNotEqualTo("203.0.113.9");
		assertThat(run(Duration.ofSeconds(30), compose("logs", "--no-color", "lb-1")).output().lines()
			.filter((l) -> l.contains(fromHere))
			.findFirst()).as("HAProxy logged the same client").hasValueSatisfying((l) -> assertThat(l).contains(client + ":"));
	}

	@Test
	@Order(6)
	void anAppContainerKilledUnderLoadIsTakenOutByHaproxyWithNoFailedRead() throws Exception {
		LoadGenerator load = LoadGenerator.start(SITE, stack.certificate(), 20, 4, 2, null);
		load.awaitRunning(true);
		assertSucceeds(Duration.ofMinutes(1), compose("kill", "app-2"));
		Progress killed = load.progress();
		await("HAProxy sees app-2 DOWN").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> haproxyServers().get("app-2"), "DOWN"::equals);
		Progress down = load.awaitAnsweredReads(killed, 20);
		JsonNode figures = load.figures("kill the app-2 container");
		assertThat(down.answeredReads() - killed.answeredReads()).as("reads answered while app-2 was down")
			.isGreaterThanOrEqualTo(20);
		assertThat(figures.path("readFailures").asLong()).isZero();
		assertThat(figures.path("writeFailures").asLong()).isZero();

		assertSucceeds(Duration.ofMinutes(1), compose("start", "app-2"));
		await("HAProxy sees app-2 UP again").atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofSeconds(1))
			.until(() -> haproxyServers().get("app-2"), "UP"::equals);
	}

	/**
	 * docker/deploy.sh with a new release (the built jar and an additive migration) under
	 * load: each app server drained through HAProxy and replaced by a container of the new
	 * image, one after the other, no request failed; run again, nothing replaced.
	 */
	@Test
	@Order(7)
	void aRollingDeployOfANewReleaseReplacesOneAppContainerAtATimeAndFailsNoRequest() throws Exception {
		TestStack.writeNextRelease(dir.resolve("target/webstack.jar"));
		Path stop = dir.resolve("load-stop");
		LoadGenerator load = LoadGenerator.start(SITE, stack.certificate(), 600, 4, 2, stop);
		Progress before = load.awaitRunning(true);
		ChildProcess.Result deployed;
		try {
			deployed = run(Duration.ofMinutes(10), stack.deploy());
		}
		finally {
			Files.writeString(stop, "");
		}
		Progress after = load.progress();
		JsonNode figures = load.figures("rolling deploy in Compose");
		assertThat(deployed.exitCode()).as(deployed.output()).isZero();
		assertThat(deployed.output()).contains("draining app-1", "app-1 back in rotation", "draining app-2",
				"app-2 back in rotation", "every app server runs the image just built");
		assertThat(deployed.output().indexOf("app-1 back in rotation")).as("one at a time")
			.isLessThan(deployed.output().indexOf("draining app-2"));
		String image = run(Duration.ofSeconds(30), "docker", "image", "inspect", "-f", "{{.Id}}", "webstack/app:local")
			.output()
			.strip();
		for (String app : List.of("app-1", "app-2")) {
			String container = run(Duration.ofSeconds(30), compose("ps", "-q", app)).output().strip();
			assertThat(run(Duration.ofSeconds(30), "docker", "inspect", "-f", "{{.Image}}", container).output().strip())
				.as(app)
				.isEqualTo(image);
		}
		assertThat(after.answeredReads()).as("reads answered during the deploy").isGreaterThan(before.answeredReads());
		LoadGenerator.assertNothingFailed(figures);
		assertThat(rootSql("db-1", "select count(*) from webstack.flyway_schema_history where version = '99'"))
			.isEqualTo("1");
		ChildProcess.Result again = run(Duration.ofMinutes(5), stack.deploy());
		assertThat(again.exitCode()).as(again.output()).isZero();
		assertThat(again.output()).contains("app-1 runs the image already", "app-2 runs the image already")
			.doesNotContain("draining");
	}

	@Test
	@Order(8)
	void downWithVolumesLeavesNoContainerNetworkOrVolume() throws Exception {
		stack.downLeavingNothing();
	}

	/** HAProxy's view of its app servers, from its stats CSV, asked from web-1 on the front network. */
	private static Map<String, String> haproxyServers() throws Exception {
		// The password reaches curl on its standard input, never on a command line.
		Path config = Files.createTempFile(dir, "curl-", ".conf");
		Files.writeString(config, "user = \"stats:" + secret("lb-stats-password") + "\"\n");
		ChildProcess.Result stats = ChildProcess
			.start(stack.processBuilder(compose("exec", "-T", "web-1", "curl", "-sS", "-K", "-", "http://lb-1:8404/;csv")),
					config)
			.finish(Duration.ofSeconds(30));
		Files.delete(config);
		return stats.output()
			.lines()
			.map((line) -> line.split(","))
			.filter((fields) -> fields.length > 17 && "app_servers".equals(fields[0])
					&& fields[1].startsWith("app-"))
			.collect(Collectors.toMap((fields) -> fields[1], (fields) -> fields[17].split(" ")[0]));
	}

	/** The first line of either app server's access log that contains {@code marker}, or null. */
	private static String accessLogLine(String marker) throws Exception {
		for (String app : List.of("app-1", "app-2")) {
			String log = run(Duration.ofSeconds(30), compose("exec", "-T", app, "cat", "/tmp/" + app + "-access.log"))
				.output();
			String line = log.lines().filter((l) -> l.contains(marker)).findFirst().orElse(null);
			if (line != null) {
				return line;
			}
		}
		return null;
	}

	private static Map<String, String> states(JsonNode status) {
		Map<String, String> states = new java.util.HashMap<>();
		status.path("components").forEach((c) -> states.put(c.path("name").asString(), c.path("state").asString()));
		return states;
	}

	private static String secret(String name) throws IOException {
		return stack.secret(name);
	}

	private static ChildProcess.Result run(Duration timeout, String... command) throws Exception {
		return stack.run(timeout, command);
	}

	private static void assertSucceeds(Duration timeout, String... command) throws Exception {
		stack.assertSucceeds(timeout, command);
	}

	private static String[] compose(String... args) {
		return stack.compose(args);
	}

	private static String rootSql(String db, String sql) throws Exception {
		return stack.rootSql(db, sql);
	}

}
