package dev.webstack.dashboard.probe;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What Alertmanager holds, from its {@code /api/v2/alerts}.
 *
 * @param active alerts it notifies about now
 * @param suppressed alerts silenced or inhibited
 */
public record AlertmanagerStatus(int active, int suppressed) {

	public static AlertmanagerStatus parse(JsonMapper json, String body) {
		JsonNode alerts = json.readTree(body);
		if (!alerts.isArray()) {
			throw new IllegalArgumentException("not Alertmanager's list of alerts");
		}
		int active = 0;
		int suppressed = 0;
		for (JsonNode alert : alerts) {
			String state = alert.path("status").path("state").asString("");
			if ("active".equals(state)) {
				active++;
			}
			else if ("suppressed".equals(state)) {
				suppressed++;
			}
		}
		return new AlertmanagerStatus(active, suppressed);
	}

}
