package dev.webstack;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.CookieManager;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
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
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLSocket;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.ResourceLock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What attackers throw at a site, thrown at this one through HAProxy over HTTPS: every
 * answer is a deliberate refusal (a 4xx, never a 5xx), nothing invalid is stored, no
 * markup a user wrote is ever rendered as markup, and the site still works afterwards.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ResourceLock(Lanes.OTHERS)
@Order(5)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class HostileInputStackIntegrationTests {

	private static TestStack stack;

	private static HttpClient browser;

	private static RawHttps https;

	@BeforeAll
	static void up() throws Exception {
		// Ports stay below the ephemeral range, apart from the other test stacks'.
		stack = new TestStack(14000);
		stack.stack("up");
		browser = HttpClient.newBuilder()
			.sslContext(stack.https().sslContext())
			.cookieHandler(new CookieManager())
			.followRedirects(HttpClient.Redirect.NEVER)
			.build();
		https = new RawHttps(stack.https().sslContext(), stack.port(8443));
	}

	@AfterAll
	static void down() throws Exception {
		stack.destroy();
	}

	@Test
	void oldTlsVersionsAreRefusedAndCurrentOnesAccepted() throws Exception {
		for (String version : List.of("-tls1", "-tls1_1")) {
			String out = openssl(version);
			assertThat(out).as(version).contains("alert protocol version").contains("Cipher is (NONE)");
		}
		assertThat(openssl("-tls1_2")).contains("New, TLSv1.2");
		assertThat(openssl("-tls1_3")).contains("New, TLSv1.3");
	}

	@Test
	void pathTraversalAndProbingGetNothing() throws Exception {
		for (String path : List.of("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%252e%252e/etc/passwd",
				"/css/..%2f..%2fapplication.properties", "/webjars/../application.properties",
				"/css/%2e%2e/%2e%2e/application.properties", "/..;/admin", "/admin;jsessionid=x", "/WEB-INF/web.xml",
				"/application.properties", "/.git/config", "/posts/%00", "/posts/1%20OR%201=1",
				"/posts/99999999999999999999", "/actuator/env", "/%61ctuator/env")) {
			HttpResponse<String> response = raw(path);
			assertThat(response.statusCode()).as(path).isBetween(400, 499);
			assertThat(response.body()).as(path)
				.doesNotContain("root:")
				.doesNotContain("spring.")
				.doesNotContain("[core]")
				.doesNotContain("Exception");
		}
	}

	@Test
	void unknownMethodsAre405() throws Exception {
		for (String method : List.of("PUT", "DELETE", "PATCH", "TRACE", "PROPFIND", "FOO")) {
			HttpResponse<String> response = browser.send(HttpRequest.newBuilder(URI.create(stack.site() + "/posts/1"))
				.method(method, HttpRequest.BodyPublishers.noBody())
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).as(method).isEqualTo(405);
		}
	}

	@Test
	void hostileQueriesAreRefusedOrHarmless() throws Exception {
		assertThat(statusLine("/search?q=%ZZ")).as("malformed escape").startsWith("HTTP/1.1 400");
		assertThat(statusLine("/posts/%ZZ")).as("malformed escape").startsWith("HTTP/1.1 400");
		for (String query : List.of("q=%27%20OR%201%3D1%20--", "q=1%3B%20DROP%20TABLE%20post", "q=%C0%AE%C0%AE",
				"q=%FF%FE", "q=" + "x".repeat(5000), "page=-1", "page=1e9", "page=99999999999",
				"page=%27", "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")) {
			HttpResponse<String> response = raw("/search?" + query);
			assertThat(response.statusCode()).as(query).isLessThan(500);
			assertThat(response.body()).as(query).doesNotContain("<script>alert(1)</script>").doesNotContain("Exception");
			response = raw("/?" + query);
			assertThat(response.statusCode()).as(query).isLessThan(500);
		}
		assertThat(raw("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").body())
			.as("reflected, escaped")
			.contains("&lt;script&gt;alert(1)&lt;/script&gt;");
	}

	@Test
	void hostileFormsAreRefusedAndNothingInvalidIsStored() throws Exception {
		long before = stack.postCount();
		List<Map<String, String>> invalid = List.of(Map.of("title", "x".repeat(121), "body", "b", "author", "a"),
				Map.of("title", "", "body", "b", "author", "a"), Map.of("title", "t", "body", "", "author", "a"),
				Map.of("title", "t", "body", "b", "author", "x".repeat(61)),
				Map.of("title", "t", "body", "x".repeat(10_001), "author", "a"), Map.of("title", "t"));
		for (Map<String, String> fields : invalid) {
			HttpResponse<String> response = send("/posts", fields);
			assertThat(response.statusCode()).as(fields.keySet() + " " + fields.values().stream()
				.map(String::length)
				.toList()).isEqualTo(400);
			assertThat(Jsoup.parse(response.body()).select(".field-error")).isNotEmpty();
		}
		assertThat(send("/posts", Map.of("submission", "'; DROP TABLE post; --", "title", "t", "body", "b", "author",
				"a")).statusCode()).isEqualTo(400);
		assertThat(rawPost("/posts", "application/x-www-form-urlencoded", "title=%ZZ&body=%&author=%C0")
			.statusCode()).as("malformed encoding, no CSRF token").isBetween(400, 499);
		assertThat(rawPost("/posts", "multipart/form-data", "garbage").statusCode()).isBetween(400, 499);
		assertThat(rawPost("/posts", "application/json", "{\"title\":").statusCode()).isBetween(400, 499);
		assertThat(rawPost("/posts", "application/x-www-form-urlencoded", "x=" + "y".repeat(2_000_000))
			.statusCode()).isEqualTo(413);
		assertThat(stack.postCount()).as("nothing invalid was stored").isEqualTo(before);
	}

	@Test
	void storedMarkupIsRenderedAsTextAndSqlAsData() throws Exception {
		String xss = "<script>alert('xss')</script><img src=x onerror=alert(1)>";
		String sql = "Robert'); DROP TABLE post;--";
		HttpResponse<String> created = send("/posts", Map.of("title", xss, "body", xss + "\n" + sql, "author", sql));
		assertThat(created.statusCode()).isEqualTo(302);
		String path = URI.create(created.headers().firstValue("Location").orElseThrow()).getPath();
		assertThat(send(path + "/comments", Map.of("body", xss, "author", xss)).statusCode()).isEqualTo(302);

		HttpResponse<String> page = raw(path);
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body()).doesNotContain("<script>alert").doesNotContain("<img src=x");
		Document html = Jsoup.parse(page.body());
		assertThat(html.select("article h1").text()).isEqualTo(xss);
		assertThat(html.select("script")).as("a post page runs no script at all, so none a user wrote").isEmpty();
		assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
				(csp) -> assertThat(csp).contains("script-src 'self'").doesNotContain("unsafe-inline"));
		assertThat(raw("/").statusCode()).as("the post table is still there").isEqualTo(200);
	}

	@Test
	void aSlowClientIsCutOffByTheTimeout() throws Exception {
		try (SSLSocket socket = (SSLSocket) stack.https().sslContext().getSocketFactory()
			.createSocket(InetAddress.getByName("127.0.0.1"), stack.port(8443))) {
			socket.setSoTimeout(15_000);
			OutputStream out = socket.getOutputStream();
			out.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			long started = System.nanoTime();
			InputStream in = socket.getInputStream();
			String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
			assertThat(answer).startsWith("HTTP/1.1 408");
		}
	}

	@Test
	void headersAndErrorsDiscloseNothing() throws Exception {
		HttpResponse<String> page = raw("/posts/999999999");
		assertThat(page.statusCode()).isEqualTo(404);
		assertThat(page.headers().firstValue("Server")).hasValue("nginx");
		assertThat(page.headers().firstValue("X-Powered-By")).isEmpty();
		assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
		assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
		assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("same-origin");
		assertThat(page.headers().firstValue("Permissions-Policy")).isPresent();
		assertThat(page.body()).doesNotContain("Whitelabel").doesNotContain("Tomcat").doesNotContain("Spring");
		HttpResponse<String> css = raw(Jsoup.parse(raw("/").body()).select("link[rel=stylesheet]").attr("href"));
		assertThat(css.headers().firstValue("Server")).hasValue("nginx");
	}

	@Test
	@Order(Integer.MAX_VALUE)
	void floodsOfWritesMeet429AndTheSiteStillWorks() throws Exception {
		HttpClient flooder = HttpClient.newBuilder().sslContext(stack.https().sslContext()).build();
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 60; i++) {
			statuses.add(flooder.send(HttpRequest.newBuilder(URI.create(stack.site() + "/posts"))
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString("title=flood"))
				.build(), HttpResponse.BodyHandlers.discarding()).statusCode());
		}
		assertThat(statuses).contains(429).allMatch((s) -> s == 403 || s == 429);
		assertThat(raw("/").statusCode()).as("reads are not limited").isEqualTo(200);
		// The limit refills (10 a second): a write gets past it again, to CSRF's refusal.
		await("the write limit lets a write through again").atMost(Duration.ofSeconds(15))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> flooder.send(HttpRequest.newBuilder(URI.create(stack.site() + "/posts"))
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString("title=after"))
				.build(), HttpResponse.BodyHandlers.discarding()).statusCode(), (s) -> s == 403);
	}

	@Test
	void aClientCannotNameItsOwnAddressInTheLogsOrTheThrottle() throws Exception {
		String guesser = "127.0.0.21";
		List<String> spoofs = List.of("X-Forwarded-For: 203.0.113.7", "X-Forwarded-For: 203.0.113.7, 127.0.0.1",
				"Forwarded: for=203.0.113.7", "X-Real-IP: 203.0.113.7", "X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-For: 127.0.0.1");
		for (String spoof : spoofs) {
			List<String> headers = new ArrayList<>(List.of(spoof.split("\\r\\n")));
			headers.add(basic("admin", "wrong"));
			assertThat(https.send(guesser, "GET /admin/api/status HTTP/1.1", headers, null).status()).as(spoof)
				.isEqualTo(401);
		}
		// A sixth attempt named as yet another address: still the same client, held back.
		RawHttps.Response held = https.get(guesser, "/admin/api/status", "X-Forwarded-For: 203.0.113.8",
				basic("admin", stack.secret("admin-password")));
		assertThat(held.status()).isEqualTo(429);
		assertThat(held.header("Retry-After")).hasValueSatisfying((s) -> assertThat(s).matches("\\d+"));
		assertThat(https.get("127.0.0.22", "/admin/api/status", basic("admin", stack.secret("admin-password")))
			.status()).as("another client").isEqualTo(200);

		assertThat(https.get(guesser, "/", "X-Forwarded-For: 203.0.113.7").header("X-Client-Address"))
			.as("what the app saw").hasValue(guesser);

		// Every hop logs the address HAProxy saw, never the one the client wrote.
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(accessLogLines(guesser)).hasSize(7));
		for (String log : List.of("app-1-access.log", "app-2-access.log", "web-1.log")) {
			assertThat(Files.readString(stack.state().resolve("logs").resolve(log))).as(log).doesNotContain("203.0.113.");
		}
	}

	@Test
	void noSpellingOfASignInGetsMoreGuessesThanThePlainOne() throws Exception {
		String wrong = basic("admin", "wrong").substring("Authorization: Basic ".length());
		Map<String, SignIn> spellings = new LinkedHashMap<>();
		spellings.put("form at /%6Cogin, name padded", (source) -> formLogin(source, "/%6Cogin", " admin ", "wrong"));
		spellings.put("form, name in capitals", (source) -> formLogin(source, "/login", "ADMIN", "wrong"));
		spellings.put("Basic<TAB>", (source) -> https.get(source, "/admin/api/status", "Authorization: Basic\t" + wrong));
		spellings.put("basic, lower case", (source) -> https.get(source, "/admin/api/status", "authorization: basic " + wrong));
		spellings.put("Basic at /%61dmin", (source) -> https.get(source, "/%61dmin/api/status", "Authorization: Basic " + wrong));
		int client = 50;
		for (Map.Entry<String, SignIn> spelling : spellings.entrySet()) {
			String source = "127.0.0." + client++;
			// Each spelling from a client of its own, with no failures against the account yet.
			stack.rootSql("db-1", "delete from webstack.sign_in_account");
			for (int i = 0; i < 5; i++) {
				RawHttps.Response response = spelling.getValue().from(source);
				assertThat(response.status()).as(spelling.getKey()).isIn(302, 401);
				assertThat(response.header("Location").orElse("/login?error")).as(spelling.getKey()).endsWith("/login?error");
			}
			RawHttps.Response form = formLogin(source, "/login", "admin", stack.secret("admin-password"));
			assertThat(form.header("Location")).as(spelling.getKey())
				.hasValueSatisfying((location) -> assertThat(location).endsWith("/login?locked"));
			assertThat(form.header("Retry-After")).as(spelling.getKey()).isPresent();
			assertThat(https.get(source, "/admin/api/status", basic("admin", stack.secret("admin-password"))).status())
				.as(spelling.getKey())
				.isEqualTo(429);
		}
		stack.rootSql("db-1", "delete from webstack.sign_in_account");
	}

	/** One way of presenting a wrong password, sent from a source address. */
	@FunctionalInterface
	private interface SignIn {

		RawHttps.Response from(String source) throws Exception;

	}

	@Test
	void anAccountUnderAttackNeverRefusesAClientInGoodStanding() throws Exception {
		String right = basic("admin", stack.secret("admin-password"));
		String admin = "127.0.0.30";
		assertThat(https.get(admin, "/admin/api/status", right).status()).isEqualTo(200);
		// Other tests' failures against the account do not count here.
		stack.rootSql("db-1", "delete from webstack.sign_in_account");
		try {
			// Four addresses, five wrong passwords each: the account is under attack.
			for (int client = 31; client <= 34; client++) {
				for (int i = 0; i < 5; i++) {
					assertThat(https.get("127.0.0." + client, "/admin/api/status", basic("admin", "guess" + i)).status())
						.isEqualTo(401);
				}
			}
			assertThat(https.get("127.0.0.35", "/admin/api/status", basic("admin", "guess")).status())
				.as("a new client takes the account's one attempt of the interval")
				.isEqualTo(401);
			RawHttps.Response slowed = https.get("127.0.0.36", "/admin/api/status", right);
			assertThat(slowed.status()).as("the next new client waits").isEqualTo(429);
			assertThat(slowed.header("Retry-After")).isPresent();
			assertThat(https.get(admin, "/admin/api/status", right).status()).as("the admin's own client gets in")
				.isEqualTo(200);
		}
		finally {
			stack.rootSql("db-1", "delete from webstack.sign_in_account");
		}
	}

	@Test
	void probeAndActuatorPathsAreRefusedUnderAnySpelling() throws Exception {
		for (String path : List.of("/readyz", "/%72eadyz", "//readyz", "/./readyz", "/x/../readyz", "/readyz;x=1",
				"/%2e/readyz", "/livez", "/%6civez", "/actuator/health", "/%61ctuator/health", "/actuator;/health",
				"/READYZ")) {
			RawHttps.Response response = https.get("127.0.0.40", path);
			assertThat(response.status()).as(path).isEqualTo(404);
			assertThat(response.body()).as(path).doesNotContain("UP").doesNotContain("status");
		}
	}

	@Test
	void alertmanagersWebhookIsRefusedFromOutsideUnderAnySpellingEvenWithItsCredential() throws Exception {
		String credential = "Authorization: Basic " + Base64.getEncoder()
			.encodeToString(("alertmanager:" + stack.secret("alertmanager-password")).getBytes(StandardCharsets.UTF_8));
		String notification = "{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"fingerprint\":\"0badc0de\","
				+ "\"labels\":{\"alertname\":\"Forged\"},\"annotations\":{},\"startsAt\":\"2026-01-01T00:00:00Z\"}]}";
		for (String path : List.of("/internal/alerts", "/%69nternal/alerts", "//internal/alerts", "/./internal/alerts",
				"/x/../internal/alerts", "/internal;x=1/alerts", "/%2e/internal/alerts", "/INTERNAL/alerts",
				"/Internal/Alerts", "/internal%2falerts")) {
			RawHttps.Response post = https.send("127.0.0.42", "POST " + path + " HTTP/1.1",
					List.of(credential, "Content-Type: application/json"), notification);
			assertThat(post.status()).as("POST " + path).isEqualTo(404);
			assertThat(https.get("127.0.0.42", path, credential).status()).as("GET " + path).isEqualTo(404);
		}
		assertThat(stack.rootSql("db-1", "select count(*) from webstack.alert_event where alertname = 'Forged'"))
			.isEqualTo("0");
	}

	@Test
	void aHostNamedByTheClientIsTrustedForNothing() throws Exception {
		RawHttps.Response response = https.get("127.0.0.41", "/admin", "Host: evil.example",
				"X-Forwarded-Host: evil.example", "Forwarded: host=evil.example");
		assertThat(response.status()).isEqualTo(302);
		assertThat(response.header("Location")).hasValueSatisfying(
				(location) -> assertThat(location).doesNotContain("evil.example").contains("/login"));
	}

	/** The access-log lines that name this client address, in the app servers' logs. */
	private static List<String> accessLogLines(String address) throws Exception {
		List<String> lines = new ArrayList<>();
		for (String log : List.of("app-1-access.log", "app-2-access.log")) {
			Path file = stack.state().resolve("logs").resolve(log);
			if (Files.exists(file)) {
				Files.readAllLines(file).stream().filter((line) -> line.startsWith(address + " ")).forEach(lines::add);
			}
		}
		return lines;
	}

	/** An Authorization header line with these credentials. */
	private static String basic(String username, String password) {
		return "Authorization: Basic "
				+ Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

	/** Signs in through the form as a browser at this address would: its CSRF cookie and field first. */
	private static RawHttps.Response formLogin(String source, String path, String username, String password)
			throws Exception {
		RawHttps.Response page = https.get(source, "/login");
		String cookie = page.headers("Set-Cookie")
			.stream()
			.filter((c) -> c.contains("XSRF-TOKEN="))
			.map((c) -> c.substring(0, c.indexOf(';')))
			.findFirst()
			.orElseThrow();
		String csrf = Jsoup.parse(page.body()).select("input[name=_csrf]").val();
		String form = "_csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8) + "&username="
				+ URLEncoder.encode(username, StandardCharsets.UTF_8) + "&password="
				+ URLEncoder.encode(password, StandardCharsets.UTF_8);
		return https.send(source, "POST " + path + " HTTP/1.1",
				List.of("Cookie: " + cookie, "Content-Type: application/x-www-form-urlencoded"), form);
	}

	/** The status line of a GET sent byte for byte as given (for requests no client library would send). */
	private static String statusLine(String path) throws Exception {
		try (SSLSocket socket = (SSLSocket) stack.https().sslContext().getSocketFactory()
			.createSocket(InetAddress.getByName("127.0.0.1"), stack.port(8443))) {
			socket.setSoTimeout(10_000);
			socket.getOutputStream()
				.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
			String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
			return answer.lines().findFirst().orElse("");
		}
	}

	private static String openssl(String version) throws Exception {
		// Its input is empty, so s_client ends after the handshake.
		ChildProcess.Result openssl = ChildProcess.run(new ProcessBuilder("openssl", "s_client", "-connect",
				"127.0.0.1:" + stack.port(8443), version, "-cipher", "DEFAULT:@SECLEVEL=0"), Duration.ofSeconds(30));
		assertThat(openssl.finished()).isTrue();
		return openssl.output();
	}

	private static HttpResponse<String> raw(String path) throws Exception {
		return browser.send(HttpRequest.newBuilder(URI.create(stack.site() + path)).header("Accept", "text/html").build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private static HttpResponse<String> rawPost(String path, String type, String body) throws Exception {
		return HttpClient.newBuilder()
			.sslContext(stack.https().sslContext())
			.build()
			.send(HttpRequest.newBuilder(URI.create(stack.site() + path))
				.header("Content-Type", type)
				.POST(HttpRequest.BodyPublishers.ofString(body))
				.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** Sends a form as a browser would: fetched first, with its CSRF and one-time tokens. */
	private static HttpResponse<String> send(String path, Map<String, String> fields) throws Exception {
		String formPage = path.endsWith("/comments") ? path.substring(0, path.length() - "/comments".length())
				: "/posts/new";
		Document page = Jsoup.parse(raw(formPage).body());
		Map<String, String> all = new LinkedHashMap<>();
		all.put("_csrf", page.select("form[method=post] input[name=_csrf]").last().val());
		all.put("submission", page.select("input[name=submission]").last().val());
		all.putAll(fields);
		String form = all.entrySet()
			.stream()
			.map((e) -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
			.collect(Collectors.joining("&"));
		return browser.send(HttpRequest.newBuilder(URI.create(stack.site() + path))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("Accept", "text/html")
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

}
