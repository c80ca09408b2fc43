package dev.webstack.dashboard;

import java.time.Instant;
import java.util.Map;

/**
 * One component of the topology as the dashboard shows it.
 *
 * @param name as in the picture: lb-1, web-1, app-1, app-2, db-1, db-2, prometheus
 * @param role load balancer, web server, app server, primary database, replica database, monitoring
 * @param state UP, DEGRADED or DOWN
 * @param since when this app server first saw it in this state
 * @param detail why it is not UP, or what it is doing
 * @param figures the numbers that matter for it, by name
 */
public record ComponentView(String name, String role, State state, Instant since, String detail,
		Map<String, String> figures) {

	/** The three states a component can be in. */
	public enum State {

		UP, DEGRADED, DOWN

	}

	public boolean up() {
		return this.state == State.UP;
	}

	public boolean down() {
		return this.state == State.DOWN;
	}

}
