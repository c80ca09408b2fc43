package dev.webstack.dashboard;

import java.util.List;

import dev.webstack.alerts.AlertEvent;

/**
 * The alerts Alertmanager delivered, as the dashboard shows them.
 *
 * @param firing what fires now, oldest first
 * @param lastDay everything fired or resolved in the last 24 hours, newest first
 * @param unavailable why the alerts could not be read (the databases unreachable), or
 * {@code null}
 */
public record AlertsPanel(List<AlertEvent> firing, List<AlertEvent> lastDay, String unavailable) {

	static AlertsPanel unavailable(String why) {
		return new AlertsPanel(List.of(), List.of(), why);
	}

	/** Whether an alert about this component fires. */
	public boolean firingOn(String component) {
		return this.firing.stream().anyMatch((alert) -> component.equals(alert.component()));
	}

}
