package dev.webstack.dashboard.probe;

import java.util.Map;

/**
 * What the monitoring side's doors answer to the wrong key, as tried from this app
 * server: HAProxy's stats page and {@code /metrics}, and the app servers' health
 * details on their management ports.
 *
 * @param statsAnonymous HAProxy's stats page without credentials (401 when locked)
 * @param metricsAnonymous HAProxy's {@code /metrics} without credentials (401 when locked)
 * @param metricsWithStatsCredential {@code /metrics} with the stats page's credential (401
 * when each door has its own key)
 * @param healthDetailsAnonymous per app server, whether its management port shows health
 * details to a caller without credentials
 * @param healthDetailsWithCredential per app server, whether it shows them to the
 * monitoring account
 */
public record AccessStatus(int statsAnonymous, int metricsAnonymous, int metricsWithStatsCredential,
		Map<String, Boolean> healthDetailsAnonymous, Map<String, Boolean> healthDetailsWithCredential) {
}
