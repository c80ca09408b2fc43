package dev.webstack.alerts;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One alert as a notification from Alertmanager carried it: firing, or resolved.
 *
 * @param fingerprint Alertmanager's hash of the alert's labels (the same alert, the same
 * fingerprint)
 * @param alertname the rule that fired (prometheus/alerts.yml, prometheus/slo.yml)
 * @param status {@code firing} or {@code resolved}
 * @param severity the rule's severity label ({@code critical}, {@code warning})
 * @param component the component it concerns (its {@code database} label, else its
 * {@code instance_name}), or {@code null} for the site as a whole
 * @param summary the rule's summary, filled in by Prometheus
 * @param startsAt when this episode began to fire
 * @param endsAt when it resolved ({@code null} while firing)
 * @param receivedAt when an app server first recorded it in this status
 * @param labels all of its labels
 */
public record AlertEvent(String fingerprint, String alertname, String status, String severity, String component,
		String summary, Instant startsAt, Instant endsAt, Instant receivedAt, Map<String, String> labels) {

	public static final String FIRING = "firing";

	public static final String RESOLVED = "resolved";

	/** Alertmanager's fingerprints: a hash of the labels, in lower-case hex. */
	public static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{1,32}");

	public boolean firing() {
		return FIRING.equals(this.status);
	}

	/** Where the README's runbook says what to do, on the dashboard's own copy of it. */
	@JsonProperty
	public String runbook() {
		return "/admin/runbook#" + this.alertname.toLowerCase(Locale.ROOT);
	}

}
