package dev.webstack.routing;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.webstack.AppServer;
import dev.webstack.DatabasePair;
import org.jsoup.Jsoup;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The primary dies (SIGKILL) right after a burst of acknowledged writes: the site stays
 * browsable from the replica, a write gets a clear 503 at once, writes resume by
 * themselves when the primary returns, and not one acknowledged write is lost.
 */
class PrimaryOutageIntegrationTests {

	private final HttpClient browser = HttpClient.newBuilder()
		.cookieHandler(new CookieManager())
		.followRedirects(HttpClient.Redirect.NEVER)
		.build();

	@Test
	void noAcknowledgedWriteIsLostAndTheSiteStaysReadable() throws Exception {
		try (AppServer app = AppServer.start("app-outage")) {
			String run = UUID.randomUUID().toString().substring(0, 8);
			List<String> acknowledged = new ArrayList<>();
			for (int i = 0; i < 40; i++) {
				String title = "durable " + run + " #" + i;
				if (post(app, title).statusCode() == 302) {
					acknowledged.add(title);
				}
			}
			assertThat(acknowledged).hasSize(40);
			DatabasePair.kill("db-1");
			System.out.printf("primary outage: %d writes acknowledged, then db-1 killed with SIGKILL%n",
					acknowledged.size());
			try {
				duringTheOutage(app, run);
			}
			finally {
				DatabasePair.repair();
			}
			await("writes resume by themselves").atMost(Duration.ofSeconds(15))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> post(app, "after " + run).statusCode(), (status) -> status == 302);

			DatabasePair.awaitReplica();
			assertThat(count(DatabasePair.PRIMARY_PORT, "durable " + run + " #%")).isEqualTo(acknowledged.size());
			assertThat(count(DatabasePair.REPLICA_PORT, "durable " + run + " #%")).isEqualTo(acknowledged.size());
			assertThat(count(DatabasePair.PRIMARY_PORT, "refused%" + run)).as("nothing refused was stored").isZero();
			System.out.printf("primary outage: %d acknowledged, %d on db-1 and %d on db-2 after restart, 0 lost%n",
					acknowledged.size(), count(DatabasePair.PRIMARY_PORT, "durable " + run + " #%"),
					count(DatabasePair.REPLICA_PORT, "durable " + run + " #%"));
		}
	}

	/** While db-1 is down: pages from the replica, writes refused at once with a clear 503. */
	private void duringTheOutage(AppServer app, String run) throws Exception {
		awaitReadOnlyMode(app);
		HttpResponse<String> home = get(app, "/", "text/html");
		assertThat(home.statusCode()).as("browsable from the replica").isEqualTo(200);
		assertThat(home.headers().firstValue("X-Read-From")).hasValue("replica");
		assertThat(Jsoup.parse(home.body()).select(".notice").text()).startsWith("Read-only mode");

		long started = System.nanoTime();
		HttpResponse<String> refused = post(app, "refused " + run);
		assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no hang").isLessThan(Duration.ofSeconds(1));
		assertThat(refused.statusCode()).isEqualTo(503);
		assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
		assertThat(Jsoup.parse(refused.body()).select("h1").text()).isEqualTo("Read-only mode");
		assertThat(refused.body()).doesNotContain("Exception").doesNotContain("at dev.webstack");
		HttpResponse<String> api = postJson(app, "refused too " + run);
		assertThat(api.statusCode()).isEqualTo(503);
		assertThat(api.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(api.body()).contains("\"title\":\"Read-only mode\"");
	}

	private void awaitReadOnlyMode(AppServer app) {
		ReplicationMonitor monitor = app.bean(ReplicationMonitor.class);
		await("the monitor finds the primary unreachable").atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(100))
			.until(monitor::primaryUnreachable);
	}

	private static int count(int port, String pattern) throws Exception {
		return DatabasePair.count(port, "select count(*) from post where title like ?", pattern);
	}

	private HttpResponse<String> get(AppServer app, String path, String accept) throws Exception {
		return this.browser.send(HttpRequest.newBuilder(URI.create(app.url(path)))
			.timeout(Duration.ofSeconds(30))
			.header("Accept", accept)
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(AppServer app, String title) throws Exception {
		return send(app, title, "text/html");
	}

	private HttpResponse<String> postJson(AppServer app, String title) throws Exception {
		return send(app, title, "application/json");
	}

	private HttpResponse<String> send(AppServer app, String title, String accept) throws Exception {
		org.jsoup.nodes.Document page = Jsoup.parse(get(app, "/posts/new", "text/html").body());
		Map<String, String> fields = Map.of("_csrf", page.select("input[name=_csrf]").val(), "submission",
				page.select("input[name=submission]").val(), "title", title, "body", "b", "author", "Ada");
		String form = fields.entrySet()
			.stream()
			.map((e) -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
			.collect(Collectors.joining("&"));
		return this.browser.send(HttpRequest.newBuilder(URI.create(app.url("/posts")))
			.timeout(Duration.ofSeconds(30))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("Accept", accept)
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

}
