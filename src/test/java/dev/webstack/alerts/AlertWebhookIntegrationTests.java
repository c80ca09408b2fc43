package dev.webstack.alerts;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import dev.webstack.DatabasePair;
import dev.webstack.DatabasePairTests;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;

/**
 * Alertmanager's webhook through the whole application and the real databases: who may
 * call it, what it records (once, whoever delivers it and how often), what it refuses,
 * and how the dashboard then shows the alerts.
 */
class AlertWebhookIntegrationTests extends DatabasePairTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Autowired
	private MockMvcTester mvc;

	@Test
	void aFiringAlertDeliveredTwiceIsRecordedOnceAndShownUntilItsResolutionArrives() throws Exception {
		String fingerprint = fingerprint();
		String firing = notification(alert("firing", fingerprint, "InstanceDown", "app-2", "2026-11-28T10:00:00.123Z",
				null));
		assertThat(deliver(firing, alertmanager())).hasStatusOk();
		assertThat(deliver(firing, alertmanager())).as("the other app server's delivery, or a repeat").hasStatusOk();
		assertThat(rows(fingerprint)).isEqualTo(1);

		DatabasePair.awaitReplica();
		JsonNode alerts = status().path("alerts");
		JsonNode shown = find(alerts.path("firing"), fingerprint);
		assertThat(shown.path("alertname").asString()).isEqualTo("InstanceDown");
		assertThat(shown.path("component").asString()).isEqualTo("app-2");
		assertThat(shown.path("startsAt").asString()).isEqualTo("2026-11-28T10:00:00.123Z");
		assertThat(shown.path("runbook").asString()).isEqualTo("/admin/runbook#instancedown");
		assertThat(shown.path("summary").asString()).isEqualTo("app-2 does not answer");
		Document panels = Jsoup.parse(this.mvc.get()
			.uri("/admin/panels")
			.with(user("admin").roles("ADMIN"))
			.exchange()
			.getResponse()
			.getContentAsString());
		assertThat(panels.select(".node[data-node=app-2]").hasClass("alerting")).as("app-2 marked in the picture")
			.isTrue();
		assertThat(panels.select(".node[data-node=app-1]").hasClass("alerting")).isFalse();
		assertThat(panels.select(".firing li[data-alert=InstanceDown] a.runbook").attr("href"))
			.isEqualTo("/admin/runbook#instancedown");

		assertThat(deliver(notification(alert("resolved", fingerprint, "InstanceDown", "app-2",
				"2026-11-28T10:00:00.123Z", "2026-11-28T10:03:00Z")), alertmanager())).hasStatusOk();
		assertThat(rows(fingerprint)).isEqualTo(2);
		DatabasePair.awaitReplica();
		alerts = status().path("alerts");
		assertThat(ids(alerts.path("firing"))).doesNotContain(fingerprint);
		List<String> history = alerts.path("lastDay")
			.valueStream()
			.filter((event) -> fingerprint.equals(event.path("fingerprint").asString()))
			.map((event) -> event.path("status").asString())
			.toList();
		assertThat(history).containsExactly("resolved", "firing");
	}

	@Test
	void theWebhookOpensOnlyToAlertmanagersAccount() throws Exception {
		String fingerprint = fingerprint();
		String body = notification(alert("firing", fingerprint, "Forged", null, "2026-11-28T10:00:00Z", null));
		assertThat(deliver(body, null)).hasStatus(HttpStatus.UNAUTHORIZED);
		assertThat(deliver(body, basic("alertmanager", "wrong"))).hasStatus(HttpStatus.UNAUTHORIZED);
		assertThat(deliver(body, basic("alertmanager", DatabasePair.secret("alertmanager-password") + " ")))
			.hasStatus(HttpStatus.UNAUTHORIZED);
		assertThat(deliver(body, basic("admin", DatabasePair.secret("admin-password"))))
			.as("the admin's credentials do not open it")
			.hasStatus(HttpStatus.UNAUTHORIZED);
		assertThat(rows(fingerprint)).isZero();
		assertThat(this.mvc.get().uri("/admin/api/status").header("Authorization", alertmanager()).exchange())
			.as("nor does Alertmanager's open the dashboard")
			.hasStatus(HttpStatus.UNAUTHORIZED);
	}

	@Test
	void aMalformedNotificationIsRefusedWholeSayingWhyAndRecordsNothing() throws Exception {
		String fingerprint = fingerprint();
		String good = alert("firing", fingerprint, "Malformed", null, "2026-11-28T10:00:00Z", null);
		List<String[]> cases = List.of(new String[] { "not json", "not JSON" },
				new String[] { "[]", "not a JSON object" },
				new String[] { "{\"version\":\"3\",\"alerts\":[" + good + "]}", "version must be \"4\"" },
				new String[] { "{\"version\":\"4\",\"alerts\":[]}", "alerts must be a non-empty array" },
				new String[] { notification(good, alert("burning", fingerprint(), "X", null, "2026-11-28T10:00:00Z",
						null)), "alerts[1].status must be firing or resolved" },
				new String[] { notification(good, alert("firing", "NOT-HEX", "X", null, "2026-11-28T10:00:00Z", null)),
						"alerts[1].fingerprint" },
				new String[] { notification(good, alert("firing", fingerprint(), "no spaces", null,
						"2026-11-28T10:00:00Z", null)), "alerts[1].labels.alertname" },
				new String[] { notification(good, alert("firing", fingerprint(), "X", null, "yesterday", null)),
						"alerts[1].startsAt must be an RFC 3339 time" },
				new String[] { notification(good, alert("resolved", fingerprint(), "X", null, "2026-11-28T10:00:00Z",
						null)), "alerts[1].endsAt" },
				new String[] { notification(good, alert("firing", fingerprint(), "X", null, "2026-11-28T10:00:00Z",
						null).replace("\"severity\":\"critical\"", "\"severity\":3")),
						"alerts[1].labels.severity must be a string" });
		for (String[] bad : cases) {
			MvcTestResult refused = deliver(bad[0], alertmanager());
			assertThat(refused).as(bad[0]).hasStatus(HttpStatus.BAD_REQUEST);
			assertThat(JSON.readTree(refused.getResponse().getContentAsString()).path("error").asString()).as(bad[0])
				.contains(bad[1]);
		}
		assertThat(rows(fingerprint)).as("the good alert beside a bad one is not recorded either").isZero();
	}

	@Test
	void theRunbookHasASectionForEveryAlertRuleAndTheDashboardLinksThere() throws Exception {
		MvcTestResult page = this.mvc.get().uri("/admin/runbook").with(user("admin").roles("ADMIN")).exchange();
		assertThat(page).hasStatusOk();
		Document runbook = Jsoup.parse(page.getResponse().getContentAsString());
		List<String> rules = new ArrayList<>();
		for (String file : List.of("prometheus/alerts.yml", "prometheus/slo.yml")) {
			Files.readAllLines(Path.of(file))
				.stream()
				.map(String::strip)
				.filter((line) -> line.startsWith("- alert: "))
				.forEach((line) -> rules.add(line.substring("- alert: ".length()).strip()));
		}
		assertThat(rules).hasSizeGreaterThan(15);
		for (String rule : rules) {
			Element section = runbook.getElementById(rule.toLowerCase(Locale.ROOT));
			assertThat(section).as(rule).isNotNull();
			assertThat(section.select("h2").text()).isEqualTo(rule);
			assertThat(section.select(".runbook-text").text()).as(rule + " says what to do").isNotBlank();
		}
		assertThat(this.mvc.get().uri("/admin/runbook").exchange()).as("for admins only")
			.hasStatus(HttpStatus.FOUND);
	}

	private MvcTestResult deliver(String body, String authorization) {
		var request = this.mvc.post().uri("/internal/alerts").contentType(MediaType.APPLICATION_JSON).content(body);
		if (authorization != null) {
			request = request.header("Authorization", authorization);
		}
		return request.exchange();
	}

	private JsonNode status() throws Exception {
		MvcTestResult result = this.mvc.get().uri("/admin/api/status").header("Authorization", admin()).exchange();
		assertThat(result).hasStatusOk();
		return JSON.readTree(result.getResponse().getContentAsString());
	}

	private static JsonNode find(JsonNode alerts, String fingerprint) {
		return alerts.valueStream()
			.filter((alert) -> fingerprint.equals(alert.path("fingerprint").asString()))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no alert " + fingerprint + " in " + alerts));
	}

	private static List<String> ids(JsonNode alerts) {
		return alerts.valueStream().map((alert) -> alert.path("fingerprint").asString()).toList();
	}

	private static int rows(String fingerprint) throws SQLException {
		return DatabasePair.count(DatabasePair.PRIMARY_PORT,
				"select count(*) from alert_event where fingerprint = ?", fingerprint);
	}

	private static String fingerprint() {
		return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
	}

	static String notification(String... alerts) {
		return "{\"version\":\"4\",\"status\":\"firing\",\"receiver\":\"admins\",\"alerts\":["
				+ String.join(",", alerts) + "]}";
	}

	static String alert(String status, String fingerprint, String alertname, String instance, String startsAt,
			String endsAt) {
		String instanceLabel = (instance != null) ? ",\"instance_name\":\"" + instance + "\"" : "";
		return "{\"status\":\"" + status + "\",\"fingerprint\":\"" + fingerprint + "\",\"labels\":{\"alertname\":\""
				+ alertname + "\",\"severity\":\"critical\"" + instanceLabel + "},\"annotations\":{\"summary\":\""
				+ instance + " does not answer\"},\"startsAt\":\"" + startsAt + "\",\"endsAt\":\""
				+ ((endsAt != null) ? endsAt : "0001-01-01T00:00:00Z") + "\"}";
	}

	private static String alertmanager() {
		return basic("alertmanager", DatabasePair.secret("alertmanager-password"));
	}

	private static String admin() {
		return basic("admin", DatabasePair.secret("admin-password"));
	}

	private static String basic(String user, String password) {
		return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

}
