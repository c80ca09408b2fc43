package dev.webstack.system;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.webstack.AppServer;
import dev.webstack.DatabasePair;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two app servers sharing nothing but the databases, and one browser (one cookie jar)
 * whose requests alternate between them as a round-robin load balancer sends them.
 */
class TwoAppServersIntegrationTests {

	private AppServer app1;

	private AppServer app2;

	private final HttpClient browser = HttpClient.newBuilder()
		.cookieHandler(new CookieManager())
		.followRedirects(HttpClient.Redirect.NEVER)
		.build();

	@BeforeEach
	void startTwoServers() {
		this.app1 = AppServer.start("app-1");
		this.app2 = AppServer.start("app-2");
	}

	@AfterEach
	void stopThem() {
		this.app1.close();
		this.app2.close();
	}

	@Test
	void aFormFetchedFromOneServerIsPostedToTheOtherWithItsMessageAfterTheRedirect() throws Exception {
		HttpResponse<String> form = get(this.app1, "/posts/new");
		assertThat(form.headers().firstValue("X-App-Server")).hasValue("app-1");
		String token = csrfToken(form.body());

		HttpResponse<String> invalid = post(this.app2, "/posts", Map.of("_csrf", token, "submission",
				submission(form.body()), "title", "", "body", "b", "author", "Ada"));
		assertThat(invalid.statusCode()).isEqualTo(400);
		assertThat(invalid.headers().firstValue("X-App-Server")).hasValue("app-2");
		assertThat(Jsoup.parse(invalid.body()).select(".field-error").eachText())
			.containsExactly("Give your post a title.");

		String title = "Across servers " + UUID.randomUUID();
		HttpResponse<String> created = post(this.app2, "/posts", Map.of("_csrf", csrfToken(invalid.body()),
				"submission", submission(invalid.body()), "title", title, "body", "b", "author", "Ada"));
		assertThat(created.statusCode()).isEqualTo(302);
		String location = URI.create(created.headers().firstValue("Location").orElseThrow()).getPath();

		DatabasePair.awaitReplica();
		HttpResponse<String> shown = get(this.app1, location);
		assertThat(shown.headers().firstValue("X-App-Server")).hasValue("app-1");
		Document page = Jsoup.parse(shown.body());
		assertThat(page.select(".flash").text()).isEqualTo("Your post is published.");
		assertThat(page.select("article h1").text()).isEqualTo(title);
		assertThat(Jsoup.parse(get(this.app2, location).body()).select(".flash")).as("shown once").isEmpty();
	}

	@Test
	void aSignInOnOneServerSurvivesItsDeath() throws Exception {
		assertThat(get(this.app2, "/admin").statusCode()).as("not signed in yet").isEqualTo(302);

		String token = csrfToken(get(this.app2, "/login").body());
		HttpResponse<String> wrong = post(this.app1, "/login",
				Map.of("_csrf", token, "username", "admin", "password", "guess"));
		assertThat(wrong.headers().firstValue("Location")).hasValueSatisfying((l) -> assertThat(l).endsWith("/login?error"));

		HttpResponse<String> signedIn = post(this.app1, "/login",
				Map.of("_csrf", token, "username", "admin", "password", DatabasePair.secret("admin-password")));
		assertThat(signedIn.statusCode()).isEqualTo(302);
		assertThat(signedIn.headers().firstValue("Location")).hasValueSatisfying((l) -> assertThat(l).endsWith("/admin"));

		this.app1.close();
		assertThat(this.app1.isRunning()).isFalse();

		HttpResponse<String> admin = get(this.app2, "/admin");
		assertThat(admin.statusCode()).isEqualTo(200);
		assertThat(admin.headers().firstValue("X-App-Server")).hasValue("app-2");
		assertThat(Jsoup.parse(admin.body()).select(".signed-in-user").text()).isEqualTo("admin");

		HttpResponse<String> out = post(this.app2, "/logout", Map.of("_csrf", csrfToken(admin.body())));
		assertThat(out.statusCode()).isEqualTo(302);
		assertThat(get(this.app2, "/admin").statusCode()).as("signed out").isEqualTo(302);
	}

	@Test
	void aWriterReadsTheirOwnWriteOnTheOtherServerWhileOthersStillReadTheReplica() throws Exception {
		DatabasePair.delayReplica(4);
		try {
			String title = "Mine " + UUID.randomUUID();
			String form = get(this.app2, "/posts/new").body();
			HttpResponse<String> created = post(this.app2, "/posts", Map.of("_csrf", csrfToken(form), "submission",
					submission(form), "title", title, "body", "b", "author", "Ada"));
			assertThat(created.statusCode()).isEqualTo(302);
			String location = URI.create(created.headers().firstValue("Location").orElseThrow()).getPath();

			HttpResponse<String> mine = get(this.app1, location);
			assertThat(mine.statusCode()).as("the writer sees the post at once, on the other server").isEqualTo(200);
			Document page = Jsoup.parse(mine.body());
			assertThat(page.select("article h1").text()).isEqualTo(title);
			assertThat(page.select("footer .read-route").text())
				.isEqualTo("primary (your last write has not reached the replica yet)");
			assertThat(Jsoup.parse(get(this.app1, "/").body()).select(".posts .title").eachText()).contains(title);

			HttpClient someoneElse = HttpClient.newHttpClient();
			HttpResponse<String> theirs = someoneElse.send(HttpRequest.newBuilder(URI.create(this.app1.url(location)))
				.header("Accept", "text/html")
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(theirs.statusCode()).as("others read the (delayed) replica").isEqualTo(404);
			assertThat(Jsoup.parse(theirs.body()).select("footer .read-route").text())
				.isEqualTo("replica (read-only transaction)");
		}
		finally {
			DatabasePair.delayReplica(0);
			DatabasePair.awaitReplica();
		}
	}

	private static String submission(String html) {
		return Jsoup.parse(html).select("input[name=submission]").first().val();
	}

	private static String csrfToken(String html) {
		return Jsoup.parse(html).select("input[name=_csrf]").first().val();
	}

	private HttpResponse<String> get(AppServer server, String path) throws Exception {
		return this.browser.send(HttpRequest.newBuilder(URI.create(server.url(path))).header("Accept", "text/html").build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(AppServer server, String path, Map<String, String> fields) throws Exception {
		String form = new LinkedHashMap<>(fields).entrySet()
			.stream()
			.map((e) -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
					+ URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
			.collect(Collectors.joining("&"));
		return this.browser.send(HttpRequest.newBuilder(URI.create(server.url(path)))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("Accept", "text/html")
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

}
