package dev.webstack;

import java.io.IOException;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.ResourceLock;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One password per door, none of them in sight: the admin password, HAProxy's stats
 * page, HAProxy's {@code /metrics} and the app servers' health details each take their
 * own generated secret and open nothing else; guessing at the stats page is throttled;
 * and no secret is on any process's command line or in the stack's environments, while
 * {@code ./stack up} runs and after.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ResourceLock(Lanes.OTHERS)
@Order(6)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SecretsStackIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static TestStack stack;

	/** Every command line seen on this machine while {@code ./stack up} ran. */
	private static final Set<String> commandLinesDuringUp = ConcurrentHashMap.newKeySet();

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@BeforeAll
	static void up() throws Exception {
		stack = new TestStack(22000);
		AtomicBoolean starting = new AtomicBoolean(true);
		Thread watcher = new Thread(() -> {
			while (starting.get()) {
				commandLinesDuringUp.addAll(commandLines());
				// A sampling period, not a wait for anything: curl lives a few milliseconds.
				LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
			}
		}, "command-line-watcher");
		watcher.setDaemon(true);
		watcher.start();
		try {
			stack.stack("up");
		}
		finally {
			starting.set(false);
			watcher.join();
		}
	}

	@AfterAll
	static void down() throws Exception {
		stack.destroy();
	}

	@Test
	@Order(1)
	void noSecretIsOnACommandLineDuringUpNorAfter() throws Exception {
		List<String> secrets = secrets();
		assertThat(secrets).as("the stack's secrets").hasSizeGreaterThanOrEqualTo(10);
		assertThat(commandLinesDuringUp).as("command lines seen during ./stack up").isNotEmpty();
		for (Set<String> lines : List.of(commandLinesDuringUp, Set.copyOf(commandLines()))) {
			for (String line : lines) {
				for (String secret : secrets) {
					assertThat(line).as("a command line").doesNotContain(secret);
				}
			}
		}
		// ./stack status reads HAProxy's stats too.
		stack.stack("status");
	}

	@Test
	@Order(2)
	void noSecretIsInTheEnvironmentOfAnyProcessOfTheStack() throws Exception {
		List<Long> pids = new ArrayList<>();
		try (Stream<Path> files = Files.list(stack.state().resolve("run"))) {
			for (Path file : files.filter((f) -> f.toString().endsWith(".pid")).toList()) {
				long pid = Long.parseLong(Files.readString(file).strip());
				ProcessHandle.of(pid).ifPresent((process) -> {
					pids.add(pid);
					process.descendants().forEach((child) -> pids.add(child.pid()));
				});
			}
		}
		assertThat(pids).as("the stack's processes").hasSizeGreaterThanOrEqualTo(7);
		List<String> secrets = secrets();
		for (long pid : pids) {
			String environment = read(Path.of("/proc", String.valueOf(pid), "environ"));
			for (String secret : secrets) {
				assertThat(environment).as("the environment of pid " + pid).doesNotContain(secret);
			}
		}
	}

	@Test
	@Order(3)
	void theAdminPasswordOpensNeitherTheStatsPageNorMetrics() throws Exception {
		String admin = stack.secret("admin-password");
		for (String user : List.of("admin", "stats", "prometheus")) {
			assertThat(stats("/", user, admin)).as(user + " with the admin password, stats page").isEqualTo(401);
			assertThat(stats("/metrics", user, admin)).as(user + " with the admin password, /metrics")
				.isEqualTo(401);
		}
		assertThat(stats("/", null, null)).isEqualTo(401);
		assertThat(stats("/metrics", null, null)).isEqualTo(401);
	}

	@Test
	@Order(4)
	void eachCredentialOpensItsOwnDoorOnly() throws Exception {
		String statsPassword = stack.secret("lb-stats-password");
		String metricsPassword = stack.secret("lb-metrics-password");
		assertThat(stats("/;csv", "stats", statsPassword)).isEqualTo(200);
		assertThat(stats("/metrics", "stats", statsPassword)).as("the stats credential on /metrics").isEqualTo(401);
		assertThat(stats("/metrics", "prometheus", metricsPassword)).isEqualTo(200);
		assertThat(stats("/;csv", "prometheus", metricsPassword)).as("the metrics credential on the stats page")
			.isEqualTo(401);
		assertThat(Set.of(stack.secret("admin-password"), statsPassword, metricsPassword,
				stack.secret("monitoring-password")))
			.as("four different passwords")
			.hasSize(4);
	}

	@Test
	@Order(5)
	void healthDetailsOnTheManagementPortNeedTheMonitoringCredential() throws Exception {
		String monitoring = stack.secret("monitoring-password");
		for (int port : List.of(stack.port(9101), stack.port(9102))) {
			String health = "http://127.0.0.1:" + port + "/actuator/health";
			HttpResponse<String> anonymous = get(health, null, null);
			assertThat(anonymous.statusCode()).isEqualTo(200);
			assertThat(JSON.readTree(anonymous.body()).has("components")).as(anonymous.body()).isFalse();
			assertThat(JSON.readTree(anonymous.body()).path("status").asString()).isIn("UP", "DEGRADED");
			HttpResponse<String> admin = get(health, "admin", stack.secret("admin-password"));
			assertThat(admin.body()).as("the admin's credentials on the management port").doesNotContain("components");
			HttpResponse<String> monitored = get(health, "monitoring", monitoring);
			assertThat(monitored.statusCode()).isEqualTo(200);
			assertThat(JSON.readTree(monitored.body()).path("components").isEmpty()).as(monitored.body()).isFalse();
			assertThat(get("http://127.0.0.1:" + port + "/actuator/prometheus", null, null).statusCode())
				.as("Prometheus scrapes without credentials")
				.isEqualTo(200);
		}
	}

	@Test
	@Order(6)
	void prometheusScrapesEveryTargetWithItsOwnCredential() {
		String targets = "http://127.0.0.1:" + stack.port(9090) + "/api/v1/targets";
		await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
			Map<String, String> health = new LinkedHashMap<>();
			for (JsonNode target : JSON.readTree(get(targets, null, null).body()).path("data").path("activeTargets")) {
				health.put(target.path("labels").path("instance_name").asString(), target.path("health").asString()
						+ " " + target.path("lastError").asString());
			}
			assertThat(health).containsOnlyKeys("app-1", "app-2", "lb-1", "prometheus", "alertmanager", "node",
					"mysqld-1", "mysqld-2");
			assertThat(health.values()).as(health.toString()).allMatch((h) -> h.strip().equals("up"));
		});
	}

	@Test
	@Order(7)
	void theDashboardChecksEveryDoor() {
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
			Map<String, String> checks = new LinkedHashMap<>();
			JSON.readTree(stack.dashboard("app-1"))
				.path("security")
				.forEach((c) -> checks.put(c.path("name").asString(),
						c.path("result").asString() + ": " + c.path("evidence").asString()));
			assertThat(checks).hasEntrySatisfying("One password per door", (r) -> assertThat(r).startsWith("PASS"))
				.hasEntrySatisfying("HAProxy's stats page and /metrics locked, each with its own credential",
						(r) -> assertThat(r).startsWith("PASS"))
				.hasEntrySatisfying("Health details only for the monitoring account",
						(r) -> assertThat(r).startsWith("PASS").contains("shown to the monitoring account by app-1, app-2"));
		});
	}

	/** Last: it locks the stats user out from this address for half a minute. */
	@Test
	@Order(99)
	void guessingTheStatsPasswordIsThrottled() throws Exception {
		String metricsPassword = stack.secret("lb-metrics-password");
		List<Integer> answers = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			answers.add(stats("/", "stats", "wrong-" + i));
		}
		// The earlier tests' wrong passwords may still count: at most 6 refusals, then 429s.
		int firstThrottled = answers.indexOf(429);
		assertThat(firstThrottled).as(answers.toString()).isBetween(1, 6);
		assertThat(answers.subList(0, firstThrottled)).as(answers.toString()).containsOnly(401);
		assertThat(answers.subList(firstThrottled, answers.size())).as(answers.toString()).containsOnly(429);
		assertThat(stats("/;csv", "stats", stack.secret("lb-stats-password")))
			.as("throttled, the right password is no oracle")
			.isEqualTo(429);
		assertThat(stats("/metrics", "prometheus", metricsPassword)).as("another user is not locked out")
			.isEqualTo(200);
	}

	private static int stats(String path, String user, String password) throws Exception {
		return get("http://127.0.0.1:" + stack.port(8404) + path, user, password).statusCode();
	}

	private static HttpResponse<String> get(String url, String user, String password) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
		if (user != null) {
			request.header("Authorization", "Basic "
					+ Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * Every secret of this stack: each one-line file in its secrets directory, and each
	 * crypt(3) hash in the others (HAProxy's users).
	 */
	private static List<String> secrets() throws IOException {
		List<String> secrets = new ArrayList<>();
		try (Stream<Path> files = Files.list(stack.state().resolve("secrets"))) {
			for (Path file : files.filter(Files::isRegularFile).toList()) {
				String content = Files.readString(file).strip();
				if (!content.contains("\n")) {
					secrets.add(content);
				}
				else {
					Stream.of(content.split("\\s+")).filter((token) -> token.startsWith("$6$")).forEach(secrets::add);
				}
			}
		}
		assertThat(secrets).isNotEmpty().allMatch((s) -> s.length() >= 16);
		return secrets;
	}

	private static List<String> commandLines() {
		List<String> lines = new ArrayList<>();
		try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
			processes.filter((p) -> p.getFileName().toString().chars().allMatch(Character::isDigit))
				.forEach((p) -> {
					String line = read(p.resolve("cmdline"));
					if (!line.isEmpty()) {
						lines.add(line);
					}
				});
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		return lines;
	}

	/** A /proc file with its NUL separators as spaces; empty if the process has gone. */
	private static String read(Path file) {
		try {
			return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).replace('\0', ' ');
		}
		catch (IOException ex) {
			return "";
		}
	}

}
