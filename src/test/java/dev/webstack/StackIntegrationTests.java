package dev.webstack;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import dev.webstack.dashboard.probe.HaproxyServer;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.ResourceLock;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole native stack, as a person runs and uses it: {@code ./stack up} from nothing,
 * the site through HAProxy over HTTPS, then Nginx, then app-1 and app-2, repairs by
 * {@code up}, and {@code down} leaving nothing behind. Runs with every port shifted by
 * {@value #OFFSET} and a state directory of its own, so it does not disturb a stack the
 * developer has running.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ResourceLock(Lanes.OTHERS)
@Order(10)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class StackIntegrationTests {

	private static final int OFFSET = 20000;

	private static final int HTTP_PORT = 8080 + OFFSET;

	private static final int HTTPS_PORT = 8443 + OFFSET;

	private static final int STATS_PORT = 8404 + OFFSET;

	private static final int PRIMARY_PORT = 3307 + OFFSET;

	private static final int REPLICA_PORT = 3308 + OFFSET;

	private static final String SITE = "https://127.0.0.1:" + HTTPS_PORT;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static Path state;

	private static SiteBrowser site;

	private static HttpClient browser;

	private static TestStack testStack;

	/** The admins' mailbox: Alertmanager's e-mail goes here (.stack/alerting.conf). */
	private static SmtpSink mail;

	private static String alerting;

	@BeforeAll
	static void createStateDirectory() throws IOException {
		testStack = new TestStack(OFFSET);
		state = testStack.state();
		mail = new SmtpSink();
		alerting = """
				# The admins' address and the relay: the test's own SMTP sink.
				email_to = admins@webstack.test
				email_from = alerts@webstack.test
				smtp_relay = 127.0.0.1:%d
				smtp_require_tls = false
				""".formatted(mail.port());
		Files.writeString(state.resolve("alerting.conf"), alerting);
	}

	@AfterAll
	static void stopEverything() throws Exception {
		testStack.destroy();
		mail.close();
	}

	@Test
	@Order(1)
	void upStartsEveryComponentAndPrintsTheHttpsUrl() throws Exception {
		String out = stack("up");
		assertThat(out).contains("starting db-1", "starting db-2", "starting app-1", "starting app-2",
				"starting web-1", "starting lb-1", "starting prometheus", "starting alertmanager",
				"lb-1 sees app-1 and app-2 UP")
			.contains(SITE + "/", "e-mail to admins@webstack.test")
			.contains(state.resolve("secrets/admin-password").toString());
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("secrets/admin-password"))))
			.isEqualTo("rw-------");
		String status = stack("status");
		for (String component : List.of("lb-1", "web-1", "app-1", "app-2", "db-1", "db-2", "prometheus",
				"alertmanager", "node", "mysqld-1", "mysqld-2")) {
			assertThat(status).containsPattern("(?m)^" + component + " .* \\d+ +UP");
		}
		assertThat(stack("up")).as("up again starts nothing").doesNotContain("starting").contains("already running");
		site = new SiteBrowser(SITE, state.resolve("tls/lb-1.crt"));
		browser = site.client();
	}

	@Test
	@Order(2)
	void requestsAlternateBetweenApp1AndApp2ThroughNginx() throws Exception {
		List<String> servers = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			HttpResponse<String> page = get("/");
			assertThat(page.statusCode()).isEqualTo(200);
			assertThat(page.headers().firstValue("X-Web-Server")).hasValue("web-1");
			servers.add(page.headers().firstValue("X-App-Server").orElseThrow());
		}
		// Round-robin alternates every request HAProxy receives; the dashboard's own probes
		// (a few requests every 2 s from each app server) share the rotation, and each time an
		// odd number of them falls between two of this client's requests, those two land on
		// the same server. So: balanced, and alternating on nearly every step (a random
		// choice would alternate on about half).
		long app1 = servers.stream().filter("app-1"::equals).count();
		assertThat(app1).as("round-robin: %s", servers).isBetween(7L, 13L);
		long alternations = 0;
		for (int i = 1; i < servers.size(); i++) {
			alternations += servers.get(i).equals(servers.get(i - 1)) ? 0 : 1;
		}
		assertThat(alternations).as("round-robin: %s", servers).isGreaterThanOrEqualTo(14);
	}

	@Test
	@Order(3)
	void httpRedirectsToHttpsAndHttpsCarriesHsts() throws Exception {
		HttpResponse<String> plain = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + HTTP_PORT + "/posts/new?x=1")).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(plain.statusCode()).isEqualTo(301);
		assertThat(plain.headers().firstValue("Location")).hasValue(SITE + "/posts/new?x=1");
		assertThat(get("/").headers().firstValue("Strict-Transport-Security")).hasValue("max-age=63072000");
	}

	@Test
	@Order(4)
	void staticAssetsComeFromNginxWithoutReachingAnApp() throws Exception {
		String stylesheet = Jsoup.parse(get("/").body()).select("link[rel=stylesheet]").attr("href");
		assertThat(stylesheet).as("fingerprinted by the app").matches("/css/site-[0-9a-f]{32}\\.css");
		HttpResponse<String> css = get(stylesheet);
		assertThat(css.statusCode()).isEqualTo(200);
		assertThat(css.headers().firstValue("X-Web-Server")).hasValue("web-1");
		assertThat(css.headers().firstValue("X-App-Server")).as("no app server answered").isEmpty();
		assertThat(css.headers().firstValue("Cache-Control")).hasValue("max-age=31536000");
		assertThat(css.body()).contains("--accent");
	}

	@Test
	@Order(5)
	void nothingUnderActuatorNorTheProbesAnswersThroughHaproxy() throws Exception {
		for (String path : List.of("/actuator", "/actuator/health", "/actuator/prometheus", "/actuator/env",
				"/readyz", "/livez", "/ACTUATOR/health")) {
			HttpResponse<String> response = get(path);
			assertThat(response.statusCode()).as(path).isEqualTo(404);
			assertThat(response.body()).as(path).doesNotContain("\"status\"");
		}
		HttpResponse<String> stats = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + STATS_PORT + "/metrics")).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(stats.statusCode()).as("HAProxy's exporter wants credentials").isEqualTo(401);
	}

	@Test
	@Order(6)
	void theAppSeesTheClientsAddressAndHttps() throws Exception {
		String marker = UUID.randomUUID().toString();
		String response = rawGetFrom("127.0.0.7", "/search?q=" + marker);
		assertThat(response).startsWith("HTTP/1.1 200");
		// The access log line is written once the response has gone out.
		Pattern line = Pattern.compile("(?m)^127\\.0\\.0\\.7 .*GET /search\\?q=" + marker);
		await("the access log line").atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(100))
			.untilAsserted(() -> assertThat(accessLogs()).containsPattern(line));

		HttpResponse<String> admin = get("/admin");
		assertThat(admin.statusCode()).isEqualTo(302);
		assertThat(admin.headers().firstValue("Location")).as("relative: the Host a client names is not used")
			.hasValue("/login");
	}

	@Test
	@Order(7)
	void aPersonPostsAndCommentsAndThePostIsOnBothDatabases() throws Exception {
		String title = "Stack post " + UUID.randomUUID();
		HttpResponse<String> created = post("/posts",
				form("/posts/new", Map.of("title", title, "body", "Hello", "author", "Ada")));
		assertThat(created.statusCode()).isEqualTo(302);
		String path = URI.create(created.headers().firstValue("Location").orElseThrow()).getPath();
		String id = path.substring(path.lastIndexOf('/') + 1);

		HttpResponse<String> commented = post(path + "/comments",
				form(path, Map.of("body", "Nice", "author", "Grace")));
		assertThat(commented.statusCode()).isEqualTo(302);

		assertThat(count(PRIMARY_PORT, "select count(*) from post where title = ?", title)).isEqualTo(1);
		awaitReplicated("select count(*) from comment where post_id = ?", id);

		Set<String> renderedBy = new HashSet<>();
		// Round-robin, shared with the dashboard's probes: a few pages reach both servers.
		for (int i = 0; i < 8 && renderedBy.size() < 2; i++) {
			Document page = Jsoup.parse(get(path).body());
			assertThat(page.select("article h1").text()).isEqualTo(title);
			assertThat(page.select(".comments .body").eachText()).containsExactly("Nice");
			assertThat(page.select("footer .read-route").text()).isEqualTo("replica (read-only transaction)");
			renderedBy.add(page.select("footer .app-server").text());
		}
		assertThat(renderedBy).containsExactlyInAnyOrder("app-1", "app-2");
	}

	@Test
	@Order(8)
	void prometheusScrapesBothAppsHaproxyAlertmanagerAndTheExporters() throws Exception {
		String targets = await("eight targets up").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (9090 + OFFSET) + "/api/v1/targets"))
					.timeout(Duration.ofSeconds(10))
					.build(), HttpResponse.BodyHandlers.ofString())
				.body(), (body) -> body.split("\"health\":\"up\"", -1).length - 1 == 8);
		assertThat(targets).contains("\"instance_name\":\"app-1\"", "\"instance_name\":\"app-2\"",
				"\"instance_name\":\"alertmanager\"",
				"\"instance_name\":\"lb-1\"", "\"instance_name\":\"node\"", "\"instance_name\":\"mysqld-1\"",
				"\"instance_name\":\"mysqld-2\"");
		// The exporters reach what they watch: this host's figures, both databases as their
		// least-privilege account sees them (status and replication, no data).
		await("the exporters' figures").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> prometheusQuery("node_memory_MemAvailable_bytes").size() == 1
					&& prometheusQuery("mysql_up == 1").size() == 2
					&& prometheusQuery("mysql_slave_status_slave_io_running{database=\"db-2\"} == 1").size() == 1
					&& prometheusQuery("mysql_global_variables_read_only{role=\"primary\"} == 0").size() == 1);
	}

	@Test
	@Order(8)
	void prometheusRecordsEachAppServersRequestsAndTheSitesObjectives() throws Exception {
		for (int i = 0; i < 10; i++) {
			assertThat(get("/").statusCode()).isEqualTo(200);
		}
		// The recording rules of prometheus/slo.yml, on the app servers' real metrics.
		await("a request rate and a p99 recorded for both app servers").atMost(Duration.ofSeconds(90))
			.pollInterval(Duration.ofSeconds(1))
			.until(() -> prometheusQuery("instance_name:http_requests:rate1m > 0").size() == 2
					&& prometheusQuery("instance_name:http_latency_seconds:p99_1m >= 0").size() == 2);
		JsonNode slow = await("the site's slow ratio over 5 minutes").atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofSeconds(1))
			.until(() -> prometheusQuery("slo:http_slow:ratio_rate5m"), (result) -> result.size() == 1);
		assertThat(slow.get(0).path("value").get(1).asString()).as("a share of requests").matches("0|0\\.\\d+|1");
		assertThat(prometheusQuery("slo:http_errors:ratio_rate5m")).hasSize(1);
	}

	@Test
	@Order(9)
	void theDashboardChartsEachHostsResourcesAndEachDatabasesWorkFromPrometheus() throws Exception {
		String password = Files.readString(state.resolve("secrets/admin-password")).strip();
		JsonNode series = await("charts with figures from every exporter").atMost(Duration.ofSeconds(90))
			.pollInterval(Duration.ofSeconds(1))
			.until(() -> JSON.readTree(site.getAsAdmin("/admin/api/series", password).body()), (json) -> figures(json, "cpu").containsKey("node")
						&& figures(json, "memory").containsKey("node") && !figures(json, "disk").isEmpty()
						&& figures(json, "queries").keySet().containsAll(List.of("db-1", "db-2"))
						&& figures(json, "connections").keySet().containsAll(List.of("db-1", "db-2")));
		assertThat(series.path("source").asString()).isEqualTo("prometheus");
		assertThat(figures(series, "memory").get("node")).as("memory in use, %").isBetween(0.0, 100.0);
		assertThat(figures(series, "connections").get("db-1")).as("db-1's connections: the app servers' pools")
			.isGreaterThanOrEqualTo(1.0);
	}

	/** A chart's last figure of each series that has one, by label. */
	private static Map<String, Double> figures(JsonNode series, String chartId) {
		Map<String, Double> last = new java.util.HashMap<>();
		for (JsonNode chart : series.path("charts")) {
			if (chart.path("id").asString().equals(chartId)) {
				for (JsonNode line : chart.path("series")) {
					for (JsonNode value : line.path("values")) {
						if (value.isNumber()) {
							last.put(line.path("label").asString(), value.asDouble());
						}
					}
				}
			}
		}
		return last;
	}

	private static JsonNode prometheusQuery(String query) throws Exception {
		String body = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (9090 + OFFSET) + "/api/v1/query?query="
					+ URLEncoder.encode(query, StandardCharsets.UTF_8)))
				.timeout(Duration.ofSeconds(10))
				.build(), HttpResponse.BodyHandlers.ofString())
			.body();
		return JSON.readTree(body).path("data").path("result");
	}

	@Test
	@Order(9)
	void theDashboardNeedsALoginAndShowsEveryComponentUp() throws Exception {
		HttpResponse<String> page = get("/admin");
		assertThat(page.statusCode()).isEqualTo(302);
		assertThat(page.headers().firstValue("Location")).hasValue("/login");
		HttpResponse<String> anonymous = browser.send(HttpRequest.newBuilder(URI.create(SITE + "/admin/api/status"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(anonymous.statusCode()).isEqualTo(401);
		assertThat(apiStatus("wrong-password").statusCode()).isEqualTo(401);

		// Nobody watched the dashboard before: the first report starts its probes, and the
		// security checks (TLS handshakes, openssl) take a round or two longer than health.
		// The firewall check reports this machine's own tables (a Docker engine's, when one
		// runs), which this stack does not load natively: every other check must pass.
		String password = Files.readString(state.resolve("secrets/admin-password")).strip();
		JsonNode status = await("every component UP and every security check passed").atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> JSON.readTree(apiStatus(password).body()), (s) -> allUp(s) && securityResults(s)
				.entrySet()
				.stream()
				.filter((check) -> !check.getKey().equals("Firewall rules loaded on every host"))
				.filter((check) -> check.getValue().equals("PASS"))
				.count() == 16);
		assertThat(states(status)).as("every one of the eleven UP").isEqualTo(ALL_UP);
		List<String> spofs = new ArrayList<>();
		status.path("spofs").forEach((spof) -> spofs.add(spof.path("tier").asString()));
		assertThat(spofs).containsExactly("load balancer", "web server", "primary database");
		Map<String, String> security = securityResults(status);
		assertThat(security).hasSize(17);
		security.remove("Firewall rules loaded on every host");
		assertThat(security.values()).as(security.toString()).containsOnly("PASS");
		List<String> targets = new ArrayList<>();
		status.path("prometheusTargets")
			.forEach((t) -> targets.add(t.path("instanceName").asString() + "=" + t.path("health").asString()));
		assertThat(targets).contains("app-1=up", "app-2=up", "lb-1=up");
	}

	@Test
	@Order(10)
	void anAdminSignsInWithABrowserAndSeesThePanels() throws Exception {
		Path profile = Files.createTempDirectory(state, "chromium-");
		ChromeOptions options = new ChromeOptions();
		options.setBinary("/usr/bin/chromium");
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
				"--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
				"--window-size=1280,1800", "--user-data-dir=" + profile);
		// The stack's certificate is self-signed.
		options.setAcceptInsecureCerts(true);
		ChromeDriverService service = new ChromeDriverService.Builder()
			.usingDriverExecutable(new java.io.File("/usr/bin/chromedriver"))
			.build();
		WebDriver chrome = new ChromeDriver(service, options);
		try {
			chrome.get(SITE + "/admin");
			assertThat(chrome.getCurrentUrl()).isEqualTo(SITE + "/login");
			chrome.findElement(By.id("username")).sendKeys("admin");
			chrome.findElement(By.id("password"))
				.sendKeys(Files.readString(state.resolve("secrets/admin-password")).strip());
			chrome.findElement(By.cssSelector("form button[type=submit]")).click();
			// The panels are rendered again every few seconds: an element found just before that
			// is stale when read, and is found and read again.
			WebDriverWait wait = new WebDriverWait(chrome, Duration.ofSeconds(15));
			wait.ignoring(StaleElementReferenceException.class);
			wait.until(ExpectedConditions.urlToBe(SITE + "/admin"));
			assertThat(chrome.findElements(By.cssSelector("table.components tbody tr"))).hasSize(11);
			assertThat(chrome.findElements(By.cssSelector(".node"))).as("the picture's boxes").hasSize(8);
			assertThat(text(wait, ".alerts h2")).isEqualTo("Alerts");
			assertThat(text(wait, ".spofs")).contains("load balancer", "web server", "primary database");
			assertThat(chrome.findElements(By.cssSelector(".checks li"))).hasSize(17);
			String firstRender = text(wait, "#panels .meta time");
			wait.until((driver) -> !driver.findElement(By.cssSelector("#panels .meta time")).getText()
				.equals(firstRender));
			wait.until((driver) -> driver.findElements(By.cssSelector("#charts .chart")).size() == 11);
			Path screenshot = Path.of("target", "dashboard.png");
			Files.write(screenshot, ((TakesScreenshot) chrome).getScreenshotAs(OutputType.BYTES));
			assertThat(Files.size(screenshot)).isGreaterThan(10_000);
		}
		finally {
			chrome.quit();
			service.stop();
		}
	}

	/** The text of the element a selector finds, read again if it was replaced meanwhile. */
	private static String text(WebDriverWait wait, String selector) {
		return wait.until((driver) -> driver.findElement(By.cssSelector(selector)).getText());
	}

	private static HttpResponse<String> apiStatus(String password) throws Exception {
		return site.getAsAdmin("/admin/api/status", password);
	}

	/** Polls the dashboard's JSON (with HTTP Basic) until a condition holds; fails after 30 s. */
	private static Map<String, String> securityResults(JsonNode status) {
		Map<String, String> security = new java.util.LinkedHashMap<>();
		status.path("security").forEach((c) -> security.put(c.path("name").asString(), c.path("result").asString()));
		return security;
	}

	private static JsonNode awaitStatus(java.util.function.Predicate<JsonNode> condition) throws Exception {
		String password = Files.readString(state.resolve("secrets/admin-password")).strip();
		return await("the dashboard's status").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(250))
			.until(() -> {
				HttpResponse<String> response = apiStatus(password);
				assertThat(response.statusCode()).isEqualTo(200);
				return JSON.readTree(response.body());
			}, condition);
	}

	/** The seven of the picture, Alertmanager, and the three exporters Prometheus scrapes. */
	private static final Map<String, String> ALL_UP = Map.ofEntries(Map.entry("lb-1", "UP"),
			Map.entry("web-1", "UP"), Map.entry("app-1", "UP"), Map.entry("app-2", "UP"), Map.entry("db-1", "UP"),
			Map.entry("db-2", "UP"), Map.entry("prometheus", "UP"), Map.entry("alertmanager", "UP"),
			Map.entry("node", "UP"), Map.entry("mysqld-1", "UP"), Map.entry("mysqld-2", "UP"));

	/** Whether the dashboard shows exactly the eleven components, each of them UP. */
	private static boolean allUp(JsonNode status) {
		return states(status).equals(ALL_UP);
	}

	private static Map<String, String> states(JsonNode status) {
		Map<String, String> states = new java.util.LinkedHashMap<>();
		status.path("components").forEach((c) -> states.put(c.path("name").asString(), c.path("state").asString()));
		return states;
	}

	@Test
	@Order(11)
	void oversizedBodiesAndWriteFloodsAreRefusedByNginx() throws Exception {
		HttpResponse<String> huge = browser.send(HttpRequest.newBuilder(URI.create(SITE + "/posts"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("body=" + "x".repeat(2 * 1024 * 1024)))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(huge.statusCode()).isEqualTo(413);
		assertThat(huge.headers().firstValue("X-Web-Server")).hasValue("web-1");

		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 40; i++) {
			statuses.add(post("/posts", Map.of("title", "flood")).statusCode());
		}
		assertThat(statuses).as("without a CSRF token each write is refused; past the burst, by the rate limit")
			.contains(403, 429)
			.allMatch((status) -> status == 403 || status == 429);
		// The limit refills (10 a second): a write gets past it again, to CSRF's refusal.
		await("the write limit lets a write through again").atMost(Duration.ofSeconds(15))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> post("/posts", Map.of("title", "after the flood")).statusCode(), (status) -> status == 403);
	}

	@Test
	@Order(12)
	void aDeadAppServerLeavesRotationWithinThreeSecondsWithoutFailingReads() throws Exception {
		testStack.kill("app-2");
		long killed = System.nanoTime();
		List<Integer> statuses = new java.util.concurrent.CopyOnWriteArrayList<>();
		// Reads all the while HAProxy's checks take to find app-2 down.
		await("HAProxy sees app-2 DOWN").atMost(Duration.ofSeconds(3))
			.pollInterval(Duration.ofMillis(10))
			.until(() -> {
				statuses.add(get("/").statusCode());
				return serverState("app-2");
			}, "DOWN"::equals);
		assertThat(statuses).as("reads while app-2 was being detected").isNotEmpty();
		for (int i = 0; i < 10; i++) {
			HttpResponse<String> page = get("/");
			statuses.add(page.statusCode());
			assertThat(page.headers().firstValue("X-App-Server")).hasValue("app-1");
		}
		assertThat(statuses).as("reads retried on app-1 while app-2 was being detected").containsOnly(200);
		JsonNode status = awaitStatus((st) -> "DOWN".equals(states(st).get("app-2")));
		assertThat(Duration.ofNanos(System.nanoTime() - killed)).as("the dashboard shows it within one refresh")
			.isLessThan(Duration.ofSeconds(5));
		assertThat(states(status)).containsEntry("app-2", "DOWN").containsEntry("app-1", "UP");
		List<String> spofs = new ArrayList<>();
		status.path("spofs").forEach((spof) -> spofs.add(spof.path("tier").asString() + ":" + spof.path("kind").asString()));
		assertThat(spofs).contains("app servers:redundancy lost");
	}

	/** What HAProxy's health checks say of a backend server, from its stats CSV. */
	private static String serverState(String server) throws Exception {
		String password = Files.readString(state.resolve("secrets/lb-stats-password")).strip();
		String csv = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + STATS_PORT + "/;csv"))
				.header("Authorization", "Basic " + Base64.getEncoder()
					.encodeToString(("stats:" + password).getBytes(StandardCharsets.UTF_8)))
				.build(), HttpResponse.BodyHandlers.ofString())
			.body();
		for (HaproxyServer row : HaproxyServer.parseCsv(csv)) {
			if ("app_servers".equals(row.proxy()) && server.equals(row.name())) {
				return row.status();
			}
		}
		throw new IllegalStateException("no server " + server + " in HAProxy's stats");
	}

	@Test
	@Order(13)
	void aConfigurationErrorIsCaughtBeforeAnythingStartsOrChanges() throws Exception {
		String lb = pid("lb-1");
		Path broken = state.resolve("broken-haproxy.cfg");
		Files.writeString(broken,
				Files.readString(Path.of("haproxy/haproxy.cfg")).replace("balance roundrobin", "balance nonsense"));

		TestStack.Result result = run(Map.of("WEBSTACK_HAPROXY_CONFIG", broken.toString()), "up");
		assertThat(result.exitCode()).isNotZero();
		assertThat(result.output()).contains("HAProxy configuration", "is invalid", "nothing was started")
			.doesNotContain("starting app-2");
		assertThat(pid("lb-1")).isEqualTo(lb);
		assertThat(Path.of("/proc", lb)).exists();
	}

	@Test
	@Order(13)
	void aBrokenAlertingConfIsRefusedNamingTheLineAndAlertmanagerKeepsItsConfiguration() throws Exception {
		String alertmanager = pid("alertmanager");
		Path rendered = state.resolve("alertmanager/alertmanager.yml");
		String before = Files.readString(rendered);
		Map<String, String> cases = Map.of("email_to = admins@example.org\nsmtp_relay = relay:25\nemial_from = x@y\n",
				"unknown setting 'emial_from'", "email_to = admins@example.org\n", "smtp_relay is missing",
				"email_to = admins@example.org, root@localhost\nsmtp_relay = relay:25\n", "cannot read",
				"email_to = admins@example.org'\nsmtp_relay = relay:25\n", "is not an e-mail address",
				"email_to = a@b\nsmtp_relay = relay:25\nsmtp_require_tls = maybe\n", "is not true or false",
				"email_to = a@b\nsmtp_relay = relay:25\nsmtp_username = me\n", "smtp-password (its password) is missing");
		try {
			for (var bad : cases.entrySet()) {
				Files.writeString(state.resolve("alerting.conf"), bad.getKey());
				TestStack.Result result = run(Map.of(), "reload", "alertmanager");
				assertThat(result.exitCode()).as(bad.getKey()).isNotZero();
				assertThat(result.output()).as(bad.getKey()).contains("alerting.conf: ", bad.getValue());
				assertThat(Files.readString(rendered)).as("the configuration Alertmanager runs").isEqualTo(before);
			}
		}
		finally {
			Files.writeString(state.resolve("alerting.conf"), alerting);
		}
		assertThat(pid("alertmanager")).isEqualTo(alertmanager);
		assertThat(stack("status")).containsPattern("(?m)^alertmanager .* UP");
	}

	@Test
	@Order(14)
	void upRestartsWhatIsMissingAndLeavesTheRestAlone() throws Exception {
		String db1 = pid("db-1");
		String app1 = pid("app-1");
		String lb = pid("lb-1");
		testStack.kill("web-1");
		testStack.kill("db-2");
		String title = "Written while the replica was down " + UUID.randomUUID();
		assertThat(count(PRIMARY_PORT, "select count(*) from post where title = ?", title)).isZero();
		try (Connection primary = connect(PRIMARY_PORT);
				PreparedStatement insert = primary.prepareStatement(
						"insert into post (title, body, author, created_at) values (?, 'b', 'a', now(3))")) {
			insert.setString(1, title);
			insert.executeUpdate();
		}

		String out = stack("up");
		assertThat(out).contains("starting app-2", "starting web-1", "starting db-2")
			.doesNotContain("starting db-1")
			.doesNotContain("starting app-1")
			.doesNotContain("starting lb-1");
		assertThat(List.of(pid("db-1"), pid("app-1"), pid("lb-1"))).containsExactly(db1, app1, lb);
		awaitReplicated("select count(*) from post where title = ?", title);
		assertThat(get("/").statusCode()).isEqualTo(200);
		await("app-2 back in rotation by itself").atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> serverState("app-2"), "UP"::equals);
		assertThat(states(awaitStatus(StackIntegrationTests::allUp))).as("the dashboard shows them back")
			.isEqualTo(ALL_UP);
	}

	@Test
	@Order(15)
	void everyProcessOfEveryComponentRunsAsItsOwnAccountAndHaproxysWorkersAreChrooted() throws Exception {
		// Run by root, ./stack gives each component an unprivileged account; run by anyone
		// else, everything runs as that user. After the repairs above, so the restarted
		// components count too.
		boolean root = uid(Path.of("/proc/self")) == 0;
		Map<String, String> accounts = Map.ofEntries(Map.entry("db-1", "mysql"), Map.entry("db-2", "mysql"),
				Map.entry("web-1", "www-data"), Map.entry("lb-1", "haproxy"), Map.entry("app-1", "webstack"),
				Map.entry("app-2", "webstack"), Map.entry("prometheus", "webstack"),
				Map.entry("alertmanager", "webstack"), Map.entry("node", "prometheus"),
				Map.entry("mysqld-1", "prometheus"), Map.entry("mysqld-2", "prometheus"));
		List<Path> haproxyWorkers = new ArrayList<>();
		for (var component : accounts.entrySet()) {
			String name = component.getKey();
			long expected = root ? accountUid(component.getValue()) : uid(Path.of("/proc/self"));
			ProcessHandle leader = ProcessHandle.of(Long.parseLong(pid(name))).orElseThrow();
			List<ProcessHandle> processes = new ArrayList<>(List.of(leader));
			processes.addAll(leader.descendants().toList());
			if (name.equals("web-1") || name.equals("lb-1")) {
				assertThat(processes).as("%s has workers", name).hasSizeGreaterThan(1);
			}
			for (ProcessHandle process : processes) {
				Path proc = Path.of("/proc", String.valueOf(process.pid()));
				String status;
				try {
					status = Files.readString(proc.resolve("status"));
				}
				catch (java.nio.file.NoSuchFileException ex) {
					continue; // a short-lived child (a probe's openssl) that has just ended
				}
				String what = name + " process " + process.pid() + " " + process.info().commandLine().orElse("");
				// Real, effective, saved and file-system user IDs alike: none left to regain root.
				assertThat(field(status, "Uid").split("\\s+")).as(what).containsOnly(String.valueOf(expected));
				if (!root) {
					continue;
				}
				long capabilities = Long.parseLong(field(status, "CapEff"), 16);
				if (name.equals("lb-1")) {
					// HAProxy keeps CAP_SYS_CHROOT (bit 18) and nothing else.
					assertThat(capabilities & ~(1L << 18)).as(what + " capabilities").isZero();
					if (process.pid() != leader.pid()) {
						haproxyWorkers.add(proc.resolve("root"));
					}
				}
				else {
					assertThat(capabilities).as(what + " capabilities").isZero();
				}
			}
		}
		if (!root) {
			return;
		}
		assertThat(haproxyWorkers).isNotEmpty();
		for (Path workerRoot : haproxyWorkers) {
			Path chroot = Files.readSymbolicLink(workerRoot);
			assertThat(chroot).as("HAProxy worker's root").isNotEqualTo(Path.of("/"));
			try (var entries = Files.list(chroot)) {
				assertThat(entries.toList()).as("the chroot %s is empty", chroot).isEmpty();
			}
			assertThat(Files.getOwner(chroot).getName()).isEqualTo("root");
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(chroot))).endsWith("r-xr-x");
		}
		// Each secret is readable by its one reader: the app servers' own, and ./stack's.
		assertThat(Files.getOwner(state.resolve("secrets/admin-password")).getName()).isEqualTo("webstack");
		assertThat(Files.getOwner(state.resolve("secrets/session-key")).getName()).isEqualTo("webstack");
		assertThat(Files.getOwner(state.resolve("secrets/db-app-password")).getName()).isEqualTo("webstack");
		assertThat(Files.getOwner(state.resolve("secrets/db-replication-password")).getName()).isEqualTo("root");
	}

	@Test
	@Order(16)
	void noSecretEverReachesALogAndEverySecretFileIsPrivate() throws Exception {
		List<Path> logs;
		try (var files = Files.list(state.resolve("logs"))) {
			logs = files.toList();
		}
		try (var secrets = Files.list(state.resolve("secrets"))) {
			for (Path secret : secrets.toList()) {
				assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).as(secret.toString())
					.isEqualTo("rw-------");
				String value = Files.readString(secret).strip();
				for (Path log : logs) {
					assertThat(Files.readString(log)).as(log + " holds no secret").doesNotContain(value);
				}
			}
		}
	}

	/**
	 * A new release (the built jar and an additive migration) and back: ./stack deploy
	 * replaces the app servers one at a time, the first applying the migration; deployed
	 * again, nothing is replaced; rolled back to the release before, both servers start
	 * against the newer schema (Flyway ignores a migration newer than the code). A file that
	 * is not the application's jar is refused. (Under load: the ha mode's test and chaos.)
	 */
	@Test
	@Order(17)
	void aNewReleaseIsDeployedOnceAndRolledBackOntoItsNewerSchema() throws Exception {
		Path next = state.resolve("webstack-next.jar");
		TestStack.writeNextRelease(next);
		String deployed = stack("deploy", next.toString());
		Matcher release = Pattern.compile("deploying release (\\w+) onto").matcher(deployed);
		assertThat(release.find()).as(deployed).isTrue();
		assertThat(deployed).contains("draining app-1", "app-1 back in rotation", "draining app-2",
				"app-2 back in rotation", "every app server runs release " + release.group(1));
		assertThat(testStack.rootSql("db-1",
				"select count(*) from webstack.flyway_schema_history where version = '99'"))
			.isEqualTo("1");
		assertThat(stack("deploy", next.toString()))
			.contains("app-1 runs release " + release.group(1) + " already",
					"app-2 runs release " + release.group(1) + " already")
			.doesNotContain("draining");
		String back = stack("deploy", Path.of("target/webstack.jar").toAbsolutePath().toString());
		assertThat(back).as("rolled back onto the newer schema").contains("app-1 back in rotation",
				"app-2 back in rotation", "every app server runs release");
		assertThat(back).doesNotContain("every app server runs release " + release.group(1));
		TestStack.Result refused = run(Map.of(), "deploy", "README.md");
		assertThat(refused.exitCode()).isNotZero();
		assertThat(refused.output()).contains("README.md is not a Webstack application jar");
	}

	/**
	 * The whole path of an alert: app-2 dies; Prometheus sees it, Alertmanager groups it and
	 * delivers it to the webhook (app-1 records it, app-2's delivery is retried) and by
	 * e-mail; the dashboard shows it firing, with its runbook. `./stack up`
	 * brings app-2 back and the resolution arrives the same two ways. A silence made with
	 * amtool keeps AppRedundancyLost, which fires with it, from everyone.
	 */
	@Test
	@Order(18)
	@Timeout(value = 8, unit = TimeUnit.MINUTES)
	void aDeadAppServerIsAlertedOnTheDashboardAndByEmailWithinTwoMinutesAndResolvedAfterUp() throws Exception {
		String silence = silence("AppRedundancyLost");
		// Earlier faults may have fired it (app-1 down for a while): only what follows counts.
		int mailBefore = mail.messages().size();
		long killedAt = System.currentTimeMillis();
		testStack.kill("app-2");
		JsonNode firing = await("InstanceDown of app-2 on the dashboard").atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofSeconds(1))
			.until(() -> alert(JSON.readTree(testStack.dashboard("app-1")).path("alerts").path("firing"),
					"InstanceDown", "app-2", killedAt), (alert) -> alert != null);
		assertThat(firing.path("severity").asString()).isEqualTo("critical");
		assertThat(firing.path("summary").asString()).isEqualTo("app-2 does not answer Prometheus's scrapes");
		assertThat(firing.path("runbook").asString()).isEqualTo("/admin/runbook#instancedown");
		SmtpSink.Message fired = await("the e-mail of it").atMost(Duration.ofMinutes(1))
			.pollInterval(Duration.ofSeconds(1))
			.until(() -> email("[FIRING:1] InstanceDown", "app-2"), (message) -> message != null);
		assertThat(fired.to()).containsExactly("<admins@webstack.test>");
		assertThat(fired.from()).isEqualTo("<alerts@webstack.test>");

		assertThat(stack("up")).contains("starting app-2").doesNotContain("starting app-1");
		JsonNode resolved = await("its resolution on the dashboard").atMost(Duration.ofMinutes(3))
			.pollInterval(Duration.ofSeconds(1))
			.until(() -> JSON.readTree(testStack.dashboard("app-2")).path("alerts"),
					(alerts) -> alert(alerts.path("firing"), "InstanceDown", "app-2", killedAt) == null
							&& alert(alerts.path("lastDay"), "InstanceDown", "app-2", killedAt) != null
							&& "resolved".equals(alert(alerts.path("lastDay"), "InstanceDown", "app-2", killedAt)
								.path("status")
								.asString()));
		assertThat(resolved.path("unavailable").isNull()).isTrue();
		await("the e-mail of its resolution").atMost(Duration.ofMinutes(1))
			.pollInterval(Duration.ofSeconds(1))
			.until(() -> email("[RESOLVED] InstanceDown", "app-2"), (message) -> message != null);
		assertThat(testStack.rootSql("db-1", "select status from webstack.alert_event where alertname = 'InstanceDown'"
				+ " and component = 'app-2' and starts_at >= " + killedAt + " order by id"))
			.as("each status recorded once, though both app servers received it").isEqualTo("firing\nresolved");
		assertThat(testStack.rootSql("db-1", "select count(*) from webstack.alert_event where alertname = "
				+ "'AppRedundancyLost' and starts_at >= " + killedAt))
			.as("the silenced alert reached nobody").isEqualTo("0");
		List<SmtpSink.Message> since = mail.messages().subList(mailBefore, mail.messages().size());
		assertThat(since).as("the e-mails since the silence").noneMatch((message) -> message.content()
			.contains("Subject: [FIRING:1] AppRedundancyLost"));
		expire(silence);
	}

	@Test
	@Order(19)
	void benchmarkMixPublishesRealPostsThroughTheChain() throws Exception {
		// ./stack bench's 90/10 mix must really write: a tenth of its requests publish a post
		// with the tokens of the form page before (CSRF cookie and field, one-time token).
		long before = testStack.postCount();
		ChildProcess.Result wrk = ChildProcess.run(new ProcessBuilder("wrk", "-t1", "-c1", "-d2s", "-s",
				Path.of("scripts/bench/mix.lua").toAbsolutePath().toString(), SITE + "/"), Duration.ofSeconds(30));
		assertThat(wrk.finished()).isTrue();
		String out = wrk.output();
		Matcher result = Pattern.compile("RESULT \\S+ \\S+ \\S+ (\\d+) (\\d+) (\\d+)").matcher(out);
		assertThat(result.find()).as(out).isTrue();
		long requests = Long.parseLong(result.group(1));
		long errors = Long.parseLong(result.group(2));
		long refused = Long.parseLong(result.group(3));
		long published = testStack.postCount() - before;
		assertThat(errors).as("failures other than HTTP statuses: " + out).isEqualTo(refused);
		assertThat(published).as(out).isPositive();
		// Every write either lands or is refused by web-1's per-address limit (429): one in
		// ten requests, less the few cut short by the end of the run.
		assertThat(published + refused).as(out).isGreaterThanOrEqualTo(requests / 10 - 2);
	}

	/**
	 * Alertmanager's inhibition rules as rendered and loaded: alerts posted to its API as
	 * Prometheus posts them. A dead primary silences the replication alerts that follow from
	 * it; an app server down silences its own latency alert, not the other's.
	 */
	@Test
	@Order(19)
	void alertmanagerInhibitsTheAlertsThatFollowFromADeadPrimaryOrADeadAppServer() throws Exception {
		String run = UUID.randomUUID().toString();
		String until = java.time.Instant.now().plusSeconds(120).toString();
		String alerts = "[" + String.join(",",
				postedAlert(run, until, "\"alertname\":\"DatabaseDown\",\"job\":\"mysqld\",\"database\":\"db-1\","
						+ "\"role\":\"primary\",\"instance_name\":\"mysqld-1\""),
				postedAlert(run, until, "\"alertname\":\"ReplicationStopped\""),
				postedAlert(run, until, "\"alertname\":\"InstanceDown\",\"job\":\"apps\",\"instance_name\":\"app-1\""),
				postedAlert(run, until, "\"alertname\":\"AppLatencyHigh\",\"instance_name\":\"app-1\""),
				postedAlert(run, until, "\"alertname\":\"AppLatencyHigh\",\"instance_name\":\"app-2\""))
				+ "]";
		HttpClient http = HttpClient.newHttpClient();
		String alertmanager = "http://127.0.0.1:" + (9093 + OFFSET);
		assertThat(http.send(HttpRequest.newBuilder(URI.create(alertmanager + "/api/v2/alerts"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(alerts))
			.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
		Map<String, String> expected = Map.of("DatabaseDown/mysqld-1", "active", "ReplicationStopped/", "suppressed",
				"InstanceDown/app-1", "active", "AppLatencyHigh/app-1", "suppressed", "AppLatencyHigh/app-2", "active");
		await("Alertmanager's verdicts").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(250))
			.until(() -> {
				Map<String, String> found = new java.util.TreeMap<>();
				JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(alertmanager + "/api/v2/alerts?filter="
						+ URLEncoder.encode("run=\"" + run + "\"", StandardCharsets.UTF_8))).build(),
						HttpResponse.BodyHandlers.ofString()).body())
					.forEach((alert) -> found.put(alert.path("labels").path("alertname").asString() + "/"
							+ alert.path("labels").path("instance_name").asString(""),
							alert.path("status").path("state").asString()));
				return found;
			}, expected::equals);
	}

	private static String postedAlert(String run, String endsAt, String labels) {
		return "{\"labels\":{" + labels + ",\"severity\":\"warning\",\"run\":\"" + run
				+ "\"},\"annotations\":{\"summary\":\"posted by StackIntegrationTests\"},\"endsAt\":\"" + endsAt
				+ "\"}";
	}

	@Test
	@Order(20)
	void downStopsEverythingItStarted() throws Exception {
		List<String> pids = new ArrayList<>();
		for (String component : List.of("lb-1", "web-1", "app-1", "app-2", "db-1", "db-2", "prometheus",
				"alertmanager", "node", "mysqld-1", "mysqld-2")) {
			pids.add(pid(component));
		}
		stack("down");
		for (String pid : pids) {
			assertThat(Path.of("/proc", pid)).as("process " + pid + " is gone").doesNotExist();
		}
		assertThat(stack("status")).doesNotContain(" UP");
	}

	/** The newest episode of an alert about a component that began after a moment, or null. */
	private static JsonNode alert(JsonNode alerts, String alertname, String component, long after) {
		for (JsonNode alert : alerts) {
			if (alertname.equals(alert.path("alertname").asString())
					&& component.equals(alert.path("component").asString())
					&& java.time.Instant.parse(alert.path("startsAt").asString()).toEpochMilli() >= after) {
				return alert;
			}
		}
		return null;
	}

	private static SmtpSink.Message email(String subject, String about) {
		return mail.messages()
			.stream()
			.filter((message) -> message.content().contains("Subject: " + subject) && message.content().contains(about))
			.findFirst()
			.orElse(null);
	}

	/**
	 * Silences an alert for 10 minutes with amtool, Alertmanager's own client of its API
	 * (Debian's package ships no web UI), as the runbook says.
	 */
	private static String silence(String alertname) throws Exception {
		ChildProcess.Result added = ChildProcess.run(new ProcessBuilder("amtool", "silence", "add",
				"alertname=" + alertname, "--duration=10m", "--author=StackIntegrationTests",
				"--comment=planned: app-2 is killed on purpose", "--alertmanager.url=" + alertmanagerUrl()),
				Duration.ofSeconds(60));
		assertThat(added.finished() && added.exitCode() == 0).as(added.output()).isTrue();
		String id = added.output().strip();
		assertThat(id).as("a silence's id").matches("[0-9a-f-]{36}");
		return id;
	}

	private static void expire(String silence) throws Exception {
		ChildProcess.Result expired = ChildProcess.run(new ProcessBuilder("amtool", "silence", "expire", silence,
				"--alertmanager.url=" + alertmanagerUrl()), Duration.ofSeconds(60));
		assertThat(expired.finished() && expired.exitCode() == 0).as(expired.output()).isTrue();
	}

	private static String alertmanagerUrl() {
		return "http://127.0.0.1:" + testStack.port(9093);
	}

	private static String accessLogs() throws IOException {
		return Files.readString(state.resolve("logs/app-1-access.log"))
				+ Files.readString(state.resolve("logs/app-2-access.log"));
	}

	/** A GET over a TLS connection made from a loopback address of our choosing. */
	private static String rawGetFrom(String localAddress, String path) throws Exception {
		try (SSLSocket socket = (SSLSocket) httpsContext().getSocketFactory()
			.createSocket(InetAddress.getByName("127.0.0.1"), HTTPS_PORT, InetAddress.getByName(localAddress), 0)) {
			socket.setSoTimeout(30_000);
			OutputStream out = socket.getOutputStream();
			out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + HTTPS_PORT + "\r\nConnection: close\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	private static SSLContext httpsContext() throws Exception {
		return browser.sslContext();
	}

	private static Map<String, String> form(String path, Map<String, String> fields) throws Exception {
		return site.form(path, fields);
	}

	private static HttpResponse<String> get(String path) throws Exception {
		return site.get(path);
	}

	private static HttpResponse<String> post(String path, Map<String, String> fields) throws Exception {
		return site.post(path, fields);
	}

	private static void awaitReplicated(String query, String value) {
		await("on the replica: " + query).atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> count(REPLICA_PORT, query, value), (n) -> n == 1);
	}

	private static Connection connect(int port) throws SQLException, IOException {
		String password = Files.readString(state.resolve("secrets/db-app-password")).strip();
		return DriverManager.getConnection(
				"jdbc:mysql://127.0.0.1:" + port + "/webstack?connectTimeout=5000&socketTimeout=60000", "webstack_app",
				password);
	}

	private static int count(int port, String query, String value) throws SQLException, IOException {
		try (Connection connection = connect(port); PreparedStatement statement = connection.prepareStatement(query)) {
			statement.setString(1, value);
			try (ResultSet rows = statement.executeQuery()) {
				rows.next();
				return rows.getInt(1);
			}
		}
	}

	/** The real user ID of a process, from its /proc directory. */
	private static long uid(Path proc) throws IOException {
		return Long.parseLong(field(Files.readString(proc.resolve("status")), "Uid").split("\\s+")[0]);
	}

	private static long accountUid(String account) throws IOException {
		return Files.readAllLines(Path.of("/etc/passwd"))
			.stream()
			.map((line) -> line.split(":"))
			.filter((entry) -> entry[0].equals(account))
			.mapToLong((entry) -> Long.parseLong(entry[2]))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no account " + account));
	}

	/** A field of /proc/<pid>/status ("Uid", "CapEff"), its value trimmed. */
	private static String field(String status, String name) {
		return status.lines()
			.filter((line) -> line.startsWith(name + ":"))
			.map((line) -> line.substring(name.length() + 1).strip())
			.findFirst()
			.orElseThrow();
	}

	private static String pid(String component) throws IOException {
		return testStack.pid(component);
	}

	private static String stack(String... args) throws Exception {
		return testStack.stack(args);
	}

	private static TestStack.Result run(Map<String, String> extraEnv, String... args) throws Exception {
		return testStack.run(extraEnv, args);
	}


}
