package dev.webstack.dashboard.probe;

import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An app server's figures as Prometheus has them from its scrapes (every 5 s): one query
 * a round for every app server, so the probes ask each management port only for its
 * health.
 *
 * @param uptimeSeconds seconds since the JVM started, or NaN when Prometheus has none
 * @param heapUsedBytes heap in use, or NaN
 * @param requestsPerSecond HTTP requests per second over the last minute, or NaN
 */
public record AppFigures(double uptimeSeconds, double heapUsedBytes, double requestsPerSecond) {

	static final AppFigures UNKNOWN = new AppFigures(Double.NaN, Double.NaN, Double.NaN);

	/** The three figures of every app server, each series labelled with its {@code figure}. */
	static final String QUERY = "label_replace(process_uptime_seconds{job=\"apps\"}, \"figure\", \"uptime\", \"\", \"\")"
			+ " or label_replace(sum by (instance_name) (jvm_memory_used_bytes{job=\"apps\",area=\"heap\"}),"
			+ " \"figure\", \"heap\", \"\", \"\")"
			+ " or label_replace(sum by (instance_name) (rate(http_server_requests_seconds_count{job=\"apps\"}[1m])),"
			+ " \"figure\", \"rate\", \"\", \"\")";

	/** The figures by app server ({@code instance_name}) from the answer to {@link #QUERY}. */
	static Map<String, AppFigures> parse(JsonMapper json, String body) {
		JsonNode root = json.readTree(body);
		if (!"success".equals(root.path("status").asString(""))) {
			throw new IllegalArgumentException("Prometheus did not answer the query: " + root.path("error").asString(body));
		}
		Map<String, AppFigures> figures = new LinkedHashMap<>();
		for (JsonNode sample : root.path("data").path("result")) {
			String app = sample.path("metric").path("instance_name").asString("");
			double value = Double.parseDouble(sample.path("value").path(1).asString("NaN"));
			AppFigures known = figures.getOrDefault(app, UNKNOWN);
			figures.put(app, switch (sample.path("metric").path("figure").asString("")) {
				case "uptime" -> new AppFigures(value, known.heapUsedBytes(), known.requestsPerSecond());
				case "heap" -> new AppFigures(known.uptimeSeconds(), value, known.requestsPerSecond());
				case "rate" -> new AppFigures(known.uptimeSeconds(), known.heapUsedBytes(), value);
				default -> known;
			});
		}
		return figures;
	}

}
