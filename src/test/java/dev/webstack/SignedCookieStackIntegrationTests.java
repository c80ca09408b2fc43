package dev.webstack;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

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
 * The signed cookies through HAProxy over HTTPS: {@code __Host-} names, a value signed
 * for one purpose is no sign-in, logout and a password change end sign-ins, and
 * {@code ./stack rotate-keys} signs nobody out, during the rollout or after it, until the
 * old key's grace is over.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ResourceLock(Lanes.OTHERS)
@Order(7)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SignedCookieStackIntegrationTests {

	private static final String AUTH = "__Host-WEBSTACK_AUTH";

	private static TestStack stack;

	private static HttpClient client;

	/** A sign-in made before the rotation. */
	private static String beforeRotation;

	/** A sign-in made after it. */
	private static String afterRotation;

	@BeforeAll
	static void up() throws Exception {
		stack = new TestStack(18000);
		stack("up");
		client = stack.https();
	}

	@AfterAll
	static void down() throws Exception {
		stack.destroy();
	}

	@Test
	@Order(1)
	void everyCookieOfTheSiteIsHostPrefixedSecureAndHttpOnly() throws Exception {
		HttpResponse<String> signedIn = signInResponse(stack.secret("admin-password"));
		String auth = setCookie(signedIn, AUTH);
		assertThat(auth).contains("; Path=/").contains("; Secure").contains("; HttpOnly").doesNotContain("Domain=");
		assertThat(access(cookieValue(auth))).isEqualTo(200);

		HttpClient browser = browser();
		HttpResponse<String> created = post(browser, "/posts", Map.of("title", "Cookies " + UUID.randomUUID(),
				"body", "Signed", "author", "Ada"), "/posts/new");
		assertThat(created.statusCode()).isEqualTo(302);
		for (String name : List.of("__Host-WEBSTACK_FLASH", "__Host-WEBSTACK_RYW")) {
			assertThat(setCookie(created, name)).as(name)
				.contains("; Path=/")
				.contains("; Secure")
				.contains("; HttpOnly")
				.doesNotContain("Domain=");
		}
	}

	@Test
	@Order(2)
	void aValueSignedForAnotherPurposeIsNoSignIn() throws Exception {
		HttpResponse<String> created = post(browser(), "/posts", Map.of("title", "Purpose " + UUID.randomUUID(),
				"body", "Signed", "author", "Ada"), "/posts/new");
		String flash = cookieValue(setCookie(created, "__Host-WEBSTACK_FLASH"));
		String readYourWrites = cookieValue(setCookie(created, "__Host-WEBSTACK_RYW"));
		assertThat(flash).isNotEmpty();
		assertThat(readYourWrites).isNotEmpty();
		for (int i = 0; i < 4; i++) {
			assertThat(access(flash)).as("a flash cookie as the sign-in").isEqualTo(401);
			assertThat(access(readYourWrites)).as("a read-your-writes cookie as the sign-in").isEqualTo(401);
		}

		String signIn = signIn(stack.secret("admin-password"));
		for (int i = 0; i < 4; i++) {
			assertThat(send("WEBSTACK_AUTH=" + signIn).statusCode()).as("over HTTPS only the __Host- name counts")
				.isEqualTo(401);
		}
	}

	@Test
	@Order(3)
	void logoutEndsTheSignInOnBothAppServers() throws Exception {
		String password = stack.secret("admin-password");
		HttpClient browser = browser();
		assertThat(post(browser, "/login", Map.of("username", "admin", "password", password), "/login").statusCode())
			.isEqualTo(302);
		String cookie = ((CookieManager) browser.cookieHandler().orElseThrow()).getCookieStore()
			.getCookies()
			.stream()
			.filter((c) -> c.getName().equals(AUTH))
			.findFirst()
			.orElseThrow()
			.getValue();
		assertThat(servers(cookie, 6, 200)).containsExactlyInAnyOrder("app-1", "app-2");

		HttpResponse<String> loggedOut = post(browser, "/logout", Map.of(), "/admin");
		assertThat(loggedOut.statusCode()).isEqualTo(302);
		assertThat(setCookie(loggedOut, AUTH)).contains("Max-Age=0");
		assertThat(servers(cookie, 6, 401)).as("the old cookie, replayed")
			.containsExactlyInAnyOrder("app-1", "app-2");
		assertThat(access(signIn(password))).as("a new sign-in").isEqualTo(200);
	}

	@Test
	@Order(4)
	void rotatingTheKeySignsNobodyOutDuringOrAfterTheRollout() throws Exception {
		String password = stack.secret("admin-password");
		beforeRotation = signIn(password);
		String oldKey = keyId(beforeRotation);

		// While the key rotates: the old sign-in, and fresh sign-ins signed by either server
		// with whichever key it signs with at that moment, all used on both servers.
		AtomicBoolean rotating = new AtomicBoolean(true);
		AtomicInteger requests = new AtomicInteger();
		List<String> failures = new CopyOnWriteArrayList<>();
		Set<String> keysSeen = ConcurrentHashMap.newKeySet();
		AtomicInteger rounds = new AtomicInteger();
		CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
			while (rotating.get()) {
				try {
					String fresh = signIn(password);
					keysSeen.add(keyId(fresh));
					for (String cookie : List.of(beforeRotation, fresh, beforeRotation, fresh)) {
						HttpResponse<String> response = send(AUTH + "=" + cookie);
						requests.incrementAndGet();
						if (response.statusCode() != 200) {
							failures.add(response.statusCode() + " from "
									+ response.headers().firstValue("X-App-Server").orElse("?") + " for key "
									+ keyId(cookie));
						}
					}
					rounds.incrementAndGet();
				}
				catch (Exception ex) {
					failures.add(ex.toString());
				}
			}
		});
		try {
			String out = stack.stack("rotate-keys");
			assertThat(out).contains("nobody was signed out");
			// And a few rounds that start after it, with cookies signed by the new key.
			int after = rounds.get() + 3;
			await().atMost(Duration.ofSeconds(120)).until(() -> rounds.get() >= after || !failures.isEmpty());
		}
		finally {
			rotating.set(false);
			load.get(60, TimeUnit.SECONDS);
		}
		assertThat(failures).as("requests refused during the rotation").isEmpty();
		assertThat(requests.get()).isGreaterThan(0);

		afterRotation = signIn(password);
		assertThat(keyId(afterRotation)).as("signed with the new key").isNotEqualTo(oldKey);
		assertThat(servers(afterRotation, 6, 200)).containsExactlyInAnyOrder("app-1", "app-2");
		assertThat(servers(beforeRotation, 6, 200)).as("the old key, in its grace")
			.containsExactlyInAnyOrder("app-1", "app-2");
		assertThat(keysSeen).as("keys that signed during the rotation").contains(keyId(afterRotation));

		TestStack.Result again = stack.run(Map.of(), "rotate-keys");
		assertThat(again.exitCode()).as("a second rotation within the grace").isNotZero();
		assertThat(again.output()).contains("is accepted until");
	}

	@Test
	@Order(5)
	void pastTheGraceTheOldKeyIsRefused() throws Exception {
		// The previous key's grace runs from its file's time: as if the grace had passed.
		Path previous = stack.state().resolve("secrets/session-key.previous");
		Files.setLastModifiedTime(previous, FileTime.from(Instant.now().minus(Duration.ofHours(9))));
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(servers(beforeRotation, 6, 401)).containsExactlyInAnyOrder("app-1",
					"app-2"));
		assertThat(servers(afterRotation, 6, 200)).containsExactlyInAnyOrder("app-1", "app-2");
	}

	@Test
	@Order(6)
	void aNewAdminPasswordEndsTheSignInsMadeWithTheOldOne() throws Exception {
		String signIn = signIn(stack.secret("admin-password"));
		Path file = stack.state().resolve("secrets/admin-password");
		String newPassword = "New" + UUID.randomUUID().toString().replace("-", "");
		Files.writeString(file, newPassword);
		// Secrets are read at start: the app servers restart, one at a time.
		stack("restart", "app-1");
		stack("restart", "app-2");
		assertThat(servers(signIn, 6, 401)).as("a sign-in made with the old password")
			.containsExactlyInAnyOrder("app-1", "app-2");
		assertThat(servers(signIn(newPassword), 6, 200)).containsExactlyInAnyOrder("app-1", "app-2");
	}

	/** Runs {@code ./stack} and fails if it fails. */
	private static void stack(String... args) throws Exception {
		stack.stack(args);
	}

	/** Signs in through the site's form and returns the sign-in cookie's value. */
	private static String signIn(String password) throws Exception {
		return cookieValue(setCookie(signInResponse(password), AUTH));
	}

	private static HttpResponse<String> signInResponse(String password) throws Exception {
		HttpResponse<String> response = post(browser(), "/login", Map.of("username", "admin", "password", password),
				"/login");
		assertThat(response.statusCode()).isEqualTo(302);
		assertThat(response.headers().firstValue("Location")).hasValueSatisfying((to) -> assertThat(to).endsWith("/admin"));
		return response;
	}

	/** The status of the admin API for a sign-in cookie: 200, or 401 for no sign-in. */
	private static int access(String signIn) throws Exception {
		return send(AUTH + "=" + signIn).statusCode();
	}

	/** The app servers that answered {@code count} requests, each of which had to get this status. */
	private static Set<String> servers(String signIn, int count, int status) throws Exception {
		Set<String> servers = new HashSet<>();
		for (int i = 0; i < count; i++) {
			HttpResponse<String> response = send(AUTH + "=" + signIn);
			assertThat(response.statusCode()).as("request " + i).isEqualTo(status);
			servers.add(response.headers().firstValue("X-App-Server").orElseThrow());
		}
		return servers;
	}

	private static HttpResponse<String> send(String cookie) throws Exception {
		return client.send(HttpRequest.newBuilder(URI.create(stack.site() + "/admin/api/status"))
			.header("Cookie", cookie)
			.timeout(Duration.ofSeconds(30))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** A fresh browser, with its own cookies. */
	private static HttpClient browser() throws Exception {
		return HttpClient.newBuilder()
			.sslContext(client.sslContext())
			.cookieHandler(new CookieManager())
			.followRedirects(HttpClient.Redirect.NEVER)
			.connectTimeout(Duration.ofSeconds(5))
			.build();
	}

	/** Posts a form as the page at {@code formPage} has it: its CSRF token and one-time fields included. */
	private static HttpResponse<String> post(HttpClient browser, String path, Map<String, String> fields,
			String formPage) throws Exception {
		HttpResponse<String> page = browser.send(HttpRequest.newBuilder(URI.create(stack.site() + formPage))
			.header("Accept", "text/html")
			.build(), HttpResponse.BodyHandlers.ofString());
		Map<String, String> all = new HashMap<>(fields);
		Document document = Jsoup.parse(page.body());
		all.put("_csrf", document.select("form[method=post] input[name=_csrf]").last().val());
		if (!document.select("input[name=submission]").isEmpty()) {
			all.put("submission", document.select("input[name=submission]").last().val());
		}
		String form = all.entrySet()
			.stream()
			.map((e) -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
			.collect(Collectors.joining("&"));
		return browser.send(HttpRequest.newBuilder(URI.create(stack.site() + path))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** The Set-Cookie header of a response for this cookie. */
	private static String setCookie(HttpResponse<?> response, String name) {
		List<String> all = new ArrayList<>(response.headers().allValues("Set-Cookie"));
		return all.stream()
			.filter((header) -> header.startsWith(name + "="))
			.reduce((first, second) -> second)
			.orElseThrow(() -> new AssertionError("no " + name + " cookie in " + all));
	}

	private static String cookieValue(String setCookie) {
		return setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
	}

	/** The id of the key that signed a cookie value: what comes before its first dot. */
	private static String keyId(String value) {
		return value.substring(0, value.indexOf('.'));
	}

}
