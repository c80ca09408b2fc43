package dev.webstack;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./stack} itself, as a person runs it: {@code up} from nothing, the site used
 * through app-1, {@code up} repairing a killed app server and a stopped replica, and
 * {@code down} leaving nothing behind. Runs on ports and a state directory of its own,
 * so it does not disturb a stack the developer has running.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StackIntegrationTests {

	private static final int PRIMARY_PORT = 23307;

	private static final int REPLICA_PORT = 23308;

	private static final int APP_PORT = 29001;

	private static Path state;

	private final HttpClient browser = HttpClient.newBuilder()
		.cookieHandler(new CookieManager())
		.followRedirects(HttpClient.Redirect.NEVER)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	@BeforeAll
	static void createStateDirectory() throws IOException {
		state = Files.createTempDirectory("webstack-stack-");
	}

	@AfterAll
	static void stopEverything() throws Exception {
		stack("down");
		FileSystemUtils.deleteRecursively(state);
	}

	@Test
	@Order(1)
	void upStartsTheDatabasePairAndApp1AndPrintsWhereTheyAre() throws Exception {
		String out = stack("up");
		assertThat(out).contains("starting db-1", "starting db-2", "starting app-1")
			.contains("http://127.0.0.1:" + APP_PORT + "/")
			.contains(state.resolve("secrets/admin-password").toString());
		assertThat(Files.getPosixFilePermissions(state.resolve("secrets/admin-password")).toString())
			.isEqualTo("[OWNER_READ, OWNER_WRITE]");
		assertThat(stack("status")).containsPattern("db-1 +primary +127.0.0.1:" + PRIMARY_PORT + " +\\d+ +UP")
			.containsPattern("db-2 +replica +127.0.0.1:" + REPLICA_PORT + " +\\d+ +UP")
			.containsPattern("app-1 +app +127.0.0.1:" + APP_PORT + " +\\d+ +UP");
		assertThat(stack("up")).as("up again changes nothing").doesNotContain("starting").contains("already running");
	}

	@Test
	@Order(2)
	void aPersonPostsAndCommentsAndThePostIsOnBothServers() throws Exception {
		String title = "Stack post " + UUID.randomUUID();
		HttpResponse<String> created = post("/posts",
				Map.of("_csrf", token("/posts/new"), "title", title, "body", "Hello", "author", "Ada"));
		assertThat(created.statusCode()).isEqualTo(302);
		String path = URI.create(created.headers().firstValue("Location").orElseThrow()).getPath();
		String id = path.substring(path.lastIndexOf('/') + 1);

		HttpResponse<String> commented = post(path + "/comments",
				Map.of("_csrf", token(path), "body", "Nice", "author", "Grace"));
		assertThat(commented.statusCode()).isEqualTo(302);

		assertThat(count(PRIMARY_PORT, "select count(*) from post where title = ?", title)).isEqualTo(1);
		awaitReplicated("select count(*) from comment where post_id = ?", id);

		Document page = Jsoup.parse(get(path).body());
		assertThat(page.select("article h1").text()).isEqualTo(title);
		assertThat(page.select(".comments .body").eachText()).containsExactly("Nice");
		assertThat(page.select("footer .app-server").text()).isEqualTo("app-1");
		assertThat(page.select("footer .read-route").text()).isEqualTo("replica (read-only transaction)");
	}

	@Test
	@Order(3)
	void upRestartsAKilledAppServerAndLeavesTheRestAlone() throws Exception {
		String db1 = pid("db-1");
		String db2 = pid("db-2");
		kill(pid("app-1"));
		assertThat(stack("status")).containsPattern("app-1 +app +127.0.0.1:" + APP_PORT + " +- +DOWN");

		String out = stack("up");
		assertThat(out).contains("starting app-1").doesNotContain("starting db-");
		assertThat(pid("db-1")).isEqualTo(db1);
		assertThat(pid("db-2")).isEqualTo(db2);
		assertThat(get("/").statusCode()).isEqualTo(200);
	}

	@Test
	@Order(4)
	void upRestartsAStoppedReplicaWhoseReplicationResumes() throws Exception {
		kill(pid("db-2"));
		String title = "Written while the replica was down " + UUID.randomUUID();
		HttpResponse<String> created = post("/posts",
				Map.of("_csrf", token("/posts/new"), "title", title, "body", "b", "author", "Ada"));
		assertThat(created.statusCode()).isEqualTo(302);

		String out = stack("up");
		assertThat(out).contains("starting db-2").doesNotContain("starting db-1").doesNotContain("starting app-1");
		awaitReplicated("select count(*) from post where title = ?", title);
	}

	@Test
	@Order(5)
	void downStopsEverythingItStarted() throws Exception {
		List<String> pids = List.of(pid("db-1"), pid("db-2"), pid("app-1"));
		stack("down");
		for (String pid : pids) {
			assertThat(Path.of("/proc", pid)).as("process " + pid + " is gone").doesNotExist();
		}
		assertThat(stack("status")).doesNotContain(" UP");
	}

	private String token(String path) throws Exception {
		return Jsoup.parse(get(path).body()).select("input[name=_csrf]").first().val();
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.browser.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP_PORT + path)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String path, Map<String, String> fields) throws Exception {
		String form = fields.entrySet()
			.stream()
			.map((e) -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
			.collect(Collectors.joining("&"));
		return this.browser.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP_PORT + path))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static void awaitReplicated(String query, String value) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (count(REPLICA_PORT, query, value) == 0 && System.nanoTime() < deadline) {
			Thread.sleep(100);
		}
		assertThat(count(REPLICA_PORT, query, value)).as("on the replica: " + query).isEqualTo(1);
	}

	private static int count(int port, String query, String value) throws SQLException, IOException {
		String password = Files.readString(state.resolve("secrets/db-app-password")).strip();
		try (Connection connection = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/webstack",
				"webstack_app", password); PreparedStatement statement = connection.prepareStatement(query)) {
			statement.setString(1, value);
			try (ResultSet rows = statement.executeQuery()) {
				rows.next();
				return rows.getInt(1);
			}
		}
	}

	private static String pid(String component) throws IOException {
		return Files.readString(state.resolve("run/" + component + ".pid")).strip();
	}

	/** Kills a process this test's stack started, by its recorded PID, and waits for it to go. */
	private static void kill(String pid) throws Exception {
		ProcessHandle process = ProcessHandle.of(Long.parseLong(pid)).orElseThrow();
		process.destroyForcibly();
		process.onExit().get(30, TimeUnit.SECONDS);
	}

	private static String stack(String... args) throws Exception {
		List<String> command = new ArrayList<>(List.of(Path.of("stack").toAbsolutePath().toString()));
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		Map<String, String> env = builder.environment();
		env.put("WEBSTACK_STATE_DIR", state.toString());
		env.put("WEBSTACK_DB_PRIMARY_PORT", String.valueOf(PRIMARY_PORT));
		env.put("WEBSTACK_DB_REPLICA_PORT", String.valueOf(REPLICA_PORT));
		env.put("WEBSTACK_APP_PORT_BASE", String.valueOf(APP_PORT - 1));
		env.put("WEBSTACK_MANAGEMENT_PORT_BASE", "29100");
		Process process = builder.start();
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(300, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as("./stack " + String.join(" ", args) + " said:\n" + out).isZero();
		return out;
	}

}
