package dev.webstack.dashboard;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.webstack.dashboard.probe.InfraProperties;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.stereotype.Component;

/**
 * Alertmanager's silences, through its API, for the dashboard: Debian's Alertmanager has no
 * web UI of its own, so the admin silences an alert here (or with {@code amtool}).
 */
@Component
class Silences {

	/** One silence as Alertmanager holds it. */
	record Silence(String id, Map<String, String> matchers, Instant startsAt, Instant endsAt, String createdBy,
			String comment) {
	}

	private final InfraProperties infra;

	private final JsonMapper json;

	private final Clock clock;

	private final HttpClient http;

	Silences(InfraProperties infra, JsonMapper json, Clock clock) {
		this.infra = infra;
		this.json = json;
		this.clock = clock;
		this.http = HttpClient.newBuilder().connectTimeout(infra.probeTimeout()).build();
	}

	boolean available() {
		return this.infra.hasAlertmanager();
	}

	/** The silences in force now, those ending first first. */
	List<Silence> active() throws IOException {
		JsonNode silences = this.json.readTree(send(request("/api/v2/silences").GET()));
		List<Silence> active = new ArrayList<>();
		for (JsonNode silence : silences) {
			if (!"active".equals(silence.path("status").path("state").asString())) {
				continue;
			}
			Map<String, String> matchers = new LinkedHashMap<>();
			silence.path("matchers").forEach((m) -> matchers.put(m.path("name").asString(), m.path("value").asString()));
			active.add(new Silence(silence.path("id").asString(), matchers,
					Instant.parse(silence.path("startsAt").asString()), Instant.parse(silence.path("endsAt").asString()),
					silence.path("createdBy").asString(), silence.path("comment").asString()));
		}
		active.sort(Comparator.comparing(Silence::endsAt));
		return active;
	}

	/**
	 * Silences exactly one alert: every one of its labels, matched for equality.
	 * @return the new silence's id
	 */
	String silence(Map<String, String> labels, Duration duration, String author, String comment) throws IOException {
		ObjectNode body = this.json.createObjectNode();
		ArrayNode matchers = body.putArray("matchers");
		labels.forEach((name, value) -> matchers.addObject()
			.put("name", name)
			.put("value", value)
			.put("isRegex", false)
			.put("isEqual", true));
		Instant now = this.clock.instant();
		body.put("startsAt", now.toString());
		body.put("endsAt", now.plus(duration).toString());
		body.put("createdBy", author);
		body.put("comment", comment);
		String answer = send(request("/api/v2/silences").header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(this.json.writeValueAsString(body))));
		return this.json.readTree(answer).path("silenceID").asString();
	}

	/** Ends a silence now. */
	void expire(String id) throws IOException {
		send(request("/api/v2/silence/" + id).DELETE());
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create(this.infra.alertmanagerUrl() + path))
			.timeout(this.infra.probeTimeout().multipliedBy(2));
	}

	private String send(HttpRequest.Builder request) throws IOException {
		try {
			HttpResponse<String> response = this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() != 200) {
				throw new IOException("Alertmanager answered " + response.statusCode() + ": " + response.body().strip());
			}
			return response.body();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted", ex);
		}
	}

}
