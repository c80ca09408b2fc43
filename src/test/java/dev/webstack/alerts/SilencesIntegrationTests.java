package dev.webstack.alerts;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import dev.webstack.ChildProcess;
import dev.webstack.DatabasePair;
import dev.webstack.DatabasePairTests;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;

/**
 * Silencing an alert from the dashboard (Debian's Alertmanager has no web UI), against a
 * real Alertmanager that this test starts where the application looks for it: the silence
 * matches exactly the alert's labels, carries the admin's name and reason, and ends when
 * asked; bad input changes nothing, and an Alertmanager that does not answer is named.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SilencesIntegrationTests extends DatabasePairTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** Where the application's configuration for these tests (DatabasePair) puts Alertmanager. */
	private static final int PORT = 9093 + (DatabasePair.PRIMARY_PORT - 3307);

	private static Path dir;

	private static ChildProcess alertmanager;

	@Autowired
	private MockMvcTester mvc;

	@BeforeAll
	static void startAlertmanager() throws Exception {
		dir = Files.createTempDirectory("webstack-alertmanager-");
		Files.writeString(dir.resolve("alertmanager.yml"), "route:\n  receiver: nobody\nreceivers:\n  - name: nobody\n");
		alertmanager = ChildProcess.start(new ProcessBuilder("prometheus-alertmanager",
				"--config.file=" + dir.resolve("alertmanager.yml"), "--storage.path=" + dir.resolve("data"),
				"--web.listen-address=127.0.0.1:" + PORT, "--cluster.listen-address="));
		await("Alertmanager ready").atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(200))
			.ignoreExceptions()
			.until(() -> http("GET", "/-/ready", null).statusCode() == 200);
	}

	@AfterAll
	static void stopAlertmanager() throws Exception {
		if (alertmanager != null) {
			alertmanager.finish(Duration.ZERO);
		}
		FileSystemUtils.deleteRecursively(dir);
	}

	@Test
	@Order(1)
	void anAdminSilencesExactlyOneFiringAlertForAWhileWithAReasonAndEndsItEarly() throws Exception {
		String fingerprint = firingAlert();
		Document form = page(this.mvc.get()
			.uri("/admin/silences?fingerprint=" + fingerprint)
			.with(user("admin").roles("ADMIN"))
			.exchange(), HttpStatus.OK);
		assertThat(form.select("form input[name=fingerprint]").val()).isEqualTo(fingerprint);
		assertThat(form.select("select[name=hours] option").eachAttr("value")).containsExactly("1", "4", "24");

		MvcTestResult created = this.mvc.post()
			.uri("/admin/silences")
			.with(user("admin").roles("ADMIN"))
			.with(csrf())
			.param("fingerprint", fingerprint)
			.param("hours", "4")
			.param("comment", " planned restart of app-2 ")
			.exchange();
		assertThat(created).hasStatus(HttpStatus.FOUND).hasRedirectedUrl("/admin/silences");
		JsonNode silence = silenceOf(fingerprint);
		assertThat(silence.path("createdBy").asString()).isEqualTo("admin");
		assertThat(silence.path("comment").asString()).isEqualTo("planned restart of app-2");
		assertThat(Duration.between(Instant.now(), Instant.parse(silence.path("endsAt").asString())))
			.isBetween(Duration.ofMinutes(230), Duration.ofMinutes(241));
		Map<String, String> matchers = new java.util.TreeMap<>();
		silence.path("matchers").forEach((m) -> {
			assertThat(m.path("isEqual").asBoolean()).isTrue();
			assertThat(m.path("isRegex").asBoolean()).isFalse();
			matchers.put(m.path("name").asString(), m.path("value").asString());
		});
		assertThat(matchers).isEqualTo(Map.of("alertname", "SilenceMe", "severity", "critical", "instance_name",
				"app-2", "run", fingerprint));

		String id = silence.path("id").asString();
		Document list = page(this.mvc.get().uri("/admin/silences").with(user("admin").roles("ADMIN")).exchange(),
				HttpStatus.OK);
		assertThat(list.select("tr[data-silence=" + id + "]").text()).contains("alertname=SilenceMe",
				"planned restart of app-2", "admin");

		assertThat(this.mvc.post()
			.uri("/admin/silences/" + id + "/expire")
			.with(user("admin").roles("ADMIN"))
			.with(csrf())
			.exchange()).hasStatus(HttpStatus.FOUND);
		assertThat(JSON.readTree(http("GET", "/api/v2/silence/" + id, null).body()).path("status").path("state")
			.asString()).isEqualTo("expired");
	}

	@Test
	@Order(2)
	void badInputIsRefusedSayingWhyAndSilencesNothing() throws Exception {
		String fingerprint = firingAlert();
		int before = JSON.readTree(http("GET", "/api/v2/silences", null).body()).size();
		Map<String[], HttpStatus> cases = Map.of(new String[] { fingerprint, "3", "why" }, HttpStatus.BAD_REQUEST,
				new String[] { fingerprint, "", "why" }, HttpStatus.BAD_REQUEST,
				new String[] { fingerprint, "1", "   " }, HttpStatus.BAD_REQUEST,
				new String[] { fingerprint, "1", "two\nlines" }, HttpStatus.BAD_REQUEST,
				new String[] { fingerprint, "1", "x".repeat(201) }, HttpStatus.BAD_REQUEST,
				new String[] { "0123456789abcdef", "1", "why" }, HttpStatus.NOT_FOUND,
				new String[] { "../../api/v2/silences", "1", "why" }, HttpStatus.NOT_FOUND);
		for (var bad : cases.entrySet()) {
			MvcTestResult refused = this.mvc.post()
				.uri("/admin/silences")
				.with(user("admin").roles("ADMIN"))
				.with(csrf())
				.param("fingerprint", bad.getKey()[0])
				.param("hours", bad.getKey()[1])
				.param("comment", bad.getKey()[2])
				.exchange();
			assertThat(refused).as(String.join(" | ", bad.getKey())).hasStatus(bad.getValue());
			assertThat(page(refused, bad.getValue()).select(".errors").text()).as(String.join(" | ", bad.getKey()))
				.isNotBlank();
		}
		assertThat(this.mvc.post()
			.uri("/admin/silences/not-a-silence/expire")
			.with(user("admin").roles("ADMIN"))
			.with(csrf())
			.exchange()).hasStatus(HttpStatus.BAD_REQUEST);
		assertThat(this.mvc.post()
			.uri("/admin/silences")
			.with(user("admin").roles("ADMIN"))
			.param("fingerprint", fingerprint)
			.param("hours", "1")
			.param("comment", "no CSRF token")
			.exchange()).hasStatus(HttpStatus.FORBIDDEN);
		assertThat(this.mvc.get().uri("/admin/silences").exchange()).as("admins only").hasStatus(HttpStatus.FOUND);
		assertThat(JSON.readTree(http("GET", "/api/v2/silences", null).body()).size()).as("nothing silenced")
			.isEqualTo(before);
	}

	@Test
	@Order(3)
	void anAlertmanagerThatDoesNotAnswerIsNamedAndNothingIsSilenced() throws Exception {
		String fingerprint = firingAlert();
		alertmanager.finish(Duration.ZERO);
		alertmanager = null;
		MvcTestResult refused = this.mvc.post()
			.uri("/admin/silences")
			.with(user("admin").roles("ADMIN"))
			.with(csrf())
			.param("fingerprint", fingerprint)
			.param("hours", "1")
			.param("comment", "Alertmanager is gone")
			.exchange();
		assertThat(page(refused, HttpStatus.SERVICE_UNAVAILABLE).select(".errors").text())
			.contains("Alertmanager does not answer, nothing changed");
		assertThat(page(this.mvc.get().uri("/admin/silences").with(user("admin").roles("ADMIN")).exchange(),
				HttpStatus.OK).select(".errors").text()).contains("Alertmanager does not answer");
	}

	/** Delivers a firing alert through the webhook, as Alertmanager would; returns its fingerprint. */
	private String firingAlert() throws Exception {
		String fingerprint = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
		String body = "{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"fingerprint\":\"" + fingerprint
				+ "\",\"labels\":{\"alertname\":\"SilenceMe\",\"severity\":\"critical\",\"instance_name\":\"app-2\","
				+ "\"run\":\"" + fingerprint + "\"},\"annotations\":{\"summary\":\"app-2 is in trouble\"},"
				+ "\"startsAt\":\"" + Instant.now() + "\",\"endsAt\":\"0001-01-01T00:00:00Z\"}]}";
		String credential = Base64.getEncoder()
			.encodeToString(("alertmanager:" + DatabasePair.secret("alertmanager-password"))
				.getBytes(StandardCharsets.UTF_8));
		assertThat(this.mvc.post()
			.uri("/internal/alerts")
			.contentType(MediaType.APPLICATION_JSON)
			.content(body)
			.header("Authorization", "Basic " + credential)
			.exchange()).hasStatusOk();
		DatabasePair.awaitReplica();
		return fingerprint;
	}

	private static JsonNode silenceOf(String fingerprint) throws Exception {
		for (JsonNode silence : JSON.readTree(http("GET", "/api/v2/silences", null).body())) {
			for (JsonNode matcher : silence.path("matchers")) {
				if ("run".equals(matcher.path("name").asString())
						&& fingerprint.equals(matcher.path("value").asString())) {
					return silence;
				}
			}
		}
		throw new AssertionError("no silence for " + fingerprint);
	}

	private static Document page(MvcTestResult result, HttpStatus status) throws Exception {
		assertThat(result).hasStatus(status);
		return Jsoup.parse(result.getResponse().getContentAsString());
	}

	private static java.net.http.HttpResponse<String> http(String method, String path, String body)
			throws Exception {
		return java.net.http.HttpClient.newHttpClient()
			.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + PORT + path))
				.timeout(Duration.ofSeconds(10))
				.method(method, (body != null) ? java.net.http.HttpRequest.BodyPublishers.ofString(body)
						: java.net.http.HttpRequest.BodyPublishers.noBody())
				.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
	}

}
