package dev.webstack.alerts;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import dev.webstack.alerts.AlertNotification.InvalidNotificationException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Alertmanager's webhook receiver: records every alert of a notification, firing or
 * resolved, in the database. Alertmanager alone may call it (HTTP Basic, see
 * security/AlertWebhookSecurityConfiguration); HAProxy answers 404 to any path with an
 * {@code internal} segment, so it is reached only from inside. A notification is answered
 * 200 once recorded (a repeat too), 400 with the reason when it is malformed (Alertmanager
 * does not retry those), and 503 while the primary is unreachable (Alertmanager retries).
 */
@RestController
class AlertWebhookController {

	static final String PATH = "/internal/alerts";

	private final AlertLog log;

	private final JsonMapper json;

	private final Clock clock;

	AlertWebhookController(AlertLog log, JsonMapper json, Clock clock) {
		this.log = log;
		this.json = json;
		this.clock = clock;
	}

	@PostMapping(path = PATH, consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Integer> notify(@RequestBody String body) {
		List<AlertEvent> events = AlertNotification.parse(this.json, body, this.clock.instant());
		this.log.record(events);
		return Map.of("recorded", events.size());
	}

	@ExceptionHandler(InvalidNotificationException.class)
	ResponseEntity<Map<String, String>> invalid(InvalidNotificationException ex) {
		return ResponseEntity.badRequest()
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("error", ex.getMessage()));
	}

}
