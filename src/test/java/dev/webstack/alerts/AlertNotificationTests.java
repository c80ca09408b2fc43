package dev.webstack.alerts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook's payload as Debian's Alertmanager 0.25 really sends it (captured from a
 * webhook receiver), firing and resolved.
 */
class AlertNotificationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Instant NOW = Instant.parse("2026-11-28T18:16:00Z");

	@Test
	void aFiringNotification() throws IOException {
		List<AlertEvent> events = AlertNotification.parse(JSON, captured("alertmanager-0.25-webhook-firing.json"), NOW);
		assertThat(events).hasSize(1);
		AlertEvent event = events.get(0);
		assertThat(event.alertname()).isEqualTo("InstanceDown");
		assertThat(event.status()).isEqualTo("firing");
		assertThat(event.firing()).isTrue();
		assertThat(event.component()).isEqualTo("app-2");
		assertThat(event.severity()).isEqualTo("critical");
		assertThat(event.summary()).isEqualTo("app-2 does not answer Prometheus's scrapes");
		assertThat(event.fingerprint()).matches("[0-9a-f]{16}");
		assertThat(event.startsAt()).isEqualTo(Instant.parse("2026-11-28T18:14:16.123Z"));
		assertThat(event.endsAt()).as("Alertmanager's zero time while firing").isNull();
		assertThat(event.receivedAt()).isEqualTo(NOW);
		assertThat(event.labels()).containsEntry("job", "apps").containsEntry("instance", "127.0.0.1:9102");
		assertThat(event.runbook()).isEqualTo("/admin/runbook#instancedown");
	}

	@Test
	void itsResolutionIsTheSameAlertAndEpisode() throws IOException {
		AlertEvent firing = AlertNotification.parse(JSON, captured("alertmanager-0.25-webhook-firing.json"), NOW)
			.get(0);
		AlertEvent resolved = AlertNotification
			.parse(JSON, captured("alertmanager-0.25-webhook-resolved.json"), NOW.plusSeconds(60))
			.get(0);
		assertThat(resolved.status()).isEqualTo("resolved");
		assertThat(resolved.fingerprint()).isEqualTo(firing.fingerprint());
		assertThat(resolved.startsAt()).isEqualTo(firing.startsAt());
		assertThat(resolved.endsAt()).isEqualTo(Instant.parse("2026-11-28T18:15:02Z"));
	}

	private static String captured(String name) throws IOException {
		try (InputStream in = AlertNotificationTests.class.getResourceAsStream("/alerts/" + name)) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

}
