package dev.webstack.dashboard.probe;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One scrape target as Prometheus's {@code /api/v1/targets} reports it.
 *
 * @param job the scrape job
 * @param instanceName the component it scrapes ({@code instance_name} label), or its address
 * @param health up, down or unknown
 * @param lastError the last scrape's error, or empty
 */
public record PrometheusTarget(String job, String instanceName, String health, String lastError) {

	public static List<PrometheusTarget> parse(JsonMapper json, String body) {
		JsonNode root = json.readTree(body);
		List<PrometheusTarget> targets = new ArrayList<>();
		for (JsonNode target : root.path("data").path("activeTargets")) {
			JsonNode labels = target.path("labels");
			String name = labels.path("instance_name").asString(labels.path("instance").asString(""));
			targets.add(new PrometheusTarget(labels.path("job").asString(""), name,
					target.path("health").asString("unknown"), target.path("lastError").asString("")));
		}
		return targets;
	}

}
