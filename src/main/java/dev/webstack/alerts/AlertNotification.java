package dev.webstack.alerts;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the body of one of Alertmanager's webhook notifications (payload version 4) into
 * the alerts it carries, checking every field that is kept: anything else is refused
 * whole, with a message that says what is wrong, and nothing is recorded.
 */
final class AlertNotification {

	static final int MAX_ALERTS = 1000;

	private static final Pattern ALERTNAME = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]{0,127}");

	private static final int MAX_SUMMARY = 1024;

	private static final int MAX_COMPONENT = 64;

	private static final int MAX_LABELS_JSON = 16_000;

	private AlertNotification() {
	}

	/**
	 * The alerts of a notification.
	 * @param json the mapper
	 * @param body the request's body
	 * @param receivedAt when it arrived
	 * @return its alerts, at least one
	 * @throws InvalidNotificationException if it is not a version 4 notification with
	 * well-formed alerts
	 */
	static List<AlertEvent> parse(JsonMapper json, String body, Instant receivedAt) {
		JsonNode root;
		try {
			root = json.readTree(body);
		}
		catch (JacksonException ex) {
			throw new InvalidNotificationException("the body is not JSON");
		}
		if (root == null || !root.isObject()) {
			throw new InvalidNotificationException("the body is not a JSON object");
		}
		if (!"4".equals(root.path("version").asString(""))) {
			throw new InvalidNotificationException("version must be \"4\" (Alertmanager's webhook payload)");
		}
		JsonNode alerts = root.path("alerts");
		if (!alerts.isArray() || alerts.isEmpty()) {
			throw new InvalidNotificationException("alerts must be a non-empty array");
		}
		if (alerts.size() > MAX_ALERTS) {
			throw new InvalidNotificationException("more than " + MAX_ALERTS + " alerts in one notification");
		}
		List<AlertEvent> events = new ArrayList<>();
		for (int i = 0; i < alerts.size(); i++) {
			events.add(alert(json, alerts.get(i), "alerts[" + i + "]", receivedAt));
		}
		return events;
	}

	private static AlertEvent alert(JsonMapper json, JsonNode alert, String where, Instant receivedAt) {
		String status = text(alert, "status", where);
		if (!AlertEvent.FIRING.equals(status) && !AlertEvent.RESOLVED.equals(status)) {
			throw new InvalidNotificationException(where + ".status must be firing or resolved");
		}
		String fingerprint = text(alert, "fingerprint", where);
		if (!AlertEvent.FINGERPRINT.matcher(fingerprint).matches()) {
			throw new InvalidNotificationException(where + ".fingerprint must be up to 32 lower-case hex digits");
		}
		Map<String, String> labels = strings(alert.path("labels"), where + ".labels");
		String alertname = labels.getOrDefault("alertname", "");
		if (!ALERTNAME.matcher(alertname).matches()) {
			throw new InvalidNotificationException(where + ".labels.alertname must be a rule's name");
		}
		if (json.writeValueAsString(labels).length() > MAX_LABELS_JSON) {
			throw new InvalidNotificationException(where + ".labels are too long");
		}
		Map<String, String> annotations = strings(alert.path("annotations"), where + ".annotations");
		Instant startsAt = instant(alert, "startsAt", where);
		Instant endsAt = AlertEvent.RESOLVED.equals(status) ? instant(alert, "endsAt", where) : null;
		String component = labels.containsKey("database") ? labels.get("database") : labels.get("instance_name");
		return new AlertEvent(fingerprint, alertname, status, labels.getOrDefault("severity", "none"),
				shorten(component, MAX_COMPONENT), shorten(annotations.getOrDefault("summary", ""), MAX_SUMMARY),
				startsAt, endsAt, receivedAt, labels);
	}

	private static String text(JsonNode node, String field, String where) {
		JsonNode value = node.path(field);
		if (!value.isString() || value.asString().isEmpty()) {
			throw new InvalidNotificationException(where + "." + field + " must be a non-empty string");
		}
		return value.asString();
	}

	private static Map<String, String> strings(JsonNode node, String where) {
		if (!node.isObject()) {
			throw new InvalidNotificationException(where + " must be an object of strings");
		}
		Map<String, String> map = new LinkedHashMap<>();
		for (Map.Entry<String, JsonNode> entry : node.properties()) {
			if (!entry.getValue().isString()) {
				throw new InvalidNotificationException(where + "." + entry.getKey() + " must be a string");
			}
			map.put(entry.getKey(), entry.getValue().asString());
		}
		return map;
	}

	private static Instant instant(JsonNode node, String field, String where) {
		String text = text(node, field, where);
		try {
			Instant instant = Instant.parse(text);
			if (instant.getEpochSecond() <= 0) {
				throw new InvalidNotificationException(where + "." + field + " is not set");
			}
			return instant;
		}
		catch (DateTimeParseException ex) {
			throw new InvalidNotificationException(where + "." + field + " must be an RFC 3339 time");
		}
	}

	/** Prometheus writes the summary from labels: a long one is cut, not refused (the alert would be lost). */
	private static String shorten(String text, int max) {
		return (text == null || text.length() <= max) ? text : text.substring(0, max - 1) + "…";
	}

	/** A notification that cannot be recorded as it is; the message says why. */
	static final class InvalidNotificationException extends RuntimeException {

		InvalidNotificationException(String message) {
			super(message);
		}

	}

}
