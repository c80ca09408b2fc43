package dev.webstack.dashboard.probe;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything the probes last found, at once: each load balancer's stats and each web
 * server's status by name. Without an Alertmanager in the deployment, {@code alertmanager}
 * is {@code null}; with a single load balancer, so is {@code siteHolder} (which load
 * balancer holds the site's shared address).
 */
public record InfraSnapshot(Map<String, Probed<List<HaproxyServer>>> loadBalancers,
		Map<String, Probed<NginxStatus>> webServers, Probed<String> siteHolder, Map<String, Probed<AppStatus>> apps, Probed<DatabaseStatus> primary, Probed<DatabaseStatus> replica,
		Probed<List<PrometheusTarget>> prometheus, Probed<AlertmanagerStatus> alertmanager, Probed<EdgeStatus> edge, Probed<FirewallStatus> firewall,
		Probed<List<String>> appGrants, Probed<AccessStatus> access, Instant at) {

}
