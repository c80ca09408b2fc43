package dev.webstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An ha stack's site at the address its load balancers share, as the ha tests read it:
 * pages, and the dashboard's JSON as a script reads it (HTTP Basic), with what they look
 * for in it. A request whose kept connection was reset without an answer is sent once
 * more, as a browser does (the connections kept to a load balancer that died are reset
 * once the other holds the address).
 */
final class HaSite {

	/** The components of an ha topology. */
	static final List<String> COMPONENTS = List.of("lb-1", "lb-2", "web-1", "web-2", "app-1", "app-2", "db-1", "db-2",
			"db-3");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final String site;

	private final HttpClient https;

	private final Callable<String> adminPassword;

	HaSite(String site, HttpClient https, Callable<String> adminPassword) {
		this.site = site;
		this.https = https;
		this.adminPassword = adminPassword;
	}

	HttpResponse<String> get(String path) throws Exception {
		return send(HttpRequest.newBuilder(URI.create(this.site + path)).timeout(Duration.ofSeconds(15)).build());
	}

	/** The dashboard's JSON. */
	JsonNode dashboard() throws Exception {
		String auth = "Basic " + Base64.getEncoder()
			.encodeToString(("admin:" + this.adminPassword.call()).getBytes(StandardCharsets.UTF_8));
		HttpResponse<String> answer = send(HttpRequest.newBuilder(URI.create(this.site + "/admin/api/status"))
			.header("Authorization", auth)
			.timeout(Duration.ofSeconds(15))
			.build());
		assertThat(answer.statusCode()).isEqualTo(200);
		return JSON.readTree(answer.body());
	}

	/**
	 * Waits until both app servers have rendered a dashboard with every component named UP
	 * (each probes on its own, from the first look at its dashboard on), and returns the
	 * last of those.
	 */
	JsonNode awaitEveryComponentUp(List<String> names, Duration timeout) {
		Set<String> allUpOn = new TreeSet<>();
		JsonNode[] last = new JsonNode[1];
		await("every component up on both app servers' dashboards").atMost(timeout)
			.pollInterval(Duration.ofMillis(500))
			.until(() -> {
				JsonNode status = dashboard();
				if (notUp(status, names).isEmpty()) {
					allUpOn.add(status.path("renderedBy").asString());
					last[0] = status;
				}
				return allUpOn.containsAll(List.of("app-1", "app-2"));
			});
		return last[0];
	}

	private HttpResponse<String> send(HttpRequest request) throws Exception {
		try {
			return this.https.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (HttpTimeoutException ex) {
			throw ex;
		}
		catch (IOException ex) {
			return this.https.send(request, HttpResponse.BodyHandlers.ofString());
		}
	}

	/** A statement run as root on a database node, and its output. */
	@FunctionalInterface
	interface NodeSql {

		String run(String node, String sql) throws Exception;

	}

	/**
	 * A post written through the site, read back at once (on a reader node, which waits
	 * until it has applied the write: wsrep_sync_wait), and on every node.
	 */
	static void assertAPostIsReadBackAtOnceAndIsOnEveryNode(SiteBrowser person, NodeSql sql) throws Exception {
		String title = "written to the cluster " + System.nanoTime();
		HttpResponse<String> created = person.post("/posts",
				person.form("/posts/new", Map.of("title", title, "body", "on three nodes", "author", "ha")));
		assertThat(created.statusCode()).isEqualTo(302);
		HttpResponse<String> found = person.get("/search?q=" + title.replace(' ', '+'));
		assertThat(found.body()).contains(title).contains("class=\"read-route\">replica");
		for (String node : List.of("db-1", "db-2", "db-3")) {
			assertThat(sql.run(node, "select count(*) from webstack.post where title = '" + title + "'")).as(node)
				.isEqualTo("1");
		}
	}

	static JsonNode component(JsonNode status, String name) {
		for (JsonNode c : status.path("components")) {
			if (name.equals(c.path("name").asString())) {
				return c;
			}
		}
		throw new AssertionError("no component " + name + " in " + status.path("components"));
	}

	/** Those of the components named that are not UP, with their state. */
	static List<String> notUp(JsonNode status, List<String> names) {
		List<String> down = new ArrayList<>();
		for (String name : names) {
			String state = component(status, name).path("state").asString();
			if (!"UP".equals(state)) {
				down.add(name + " " + state);
			}
		}
		return down;
	}

	/** Each single point of failure as "tier: components (kind)". */
	static Set<String> spofs(JsonNode spofs) {
		Set<String> named = new TreeSet<>();
		for (JsonNode spof : spofs) {
			List<String> components = new ArrayList<>();
			spof.path("components").forEach((c) -> components.add(c.asString()));
			named.add(spof.path("tier").asString() + ": " + String.join(", ", components) + " ("
					+ spof.path("kind").asString() + ")");
		}
		return named;
	}

}
