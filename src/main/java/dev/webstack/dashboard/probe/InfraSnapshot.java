package dev.webstack.dashboard.probe;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything the probes last found, at once. Without an Alertmanager in the deployment,
 * {@code alertmanager} is {@code null}.
 */
public record InfraSnapshot(Probed<List<HaproxyServer>> haproxy, Probed<NginxStatus> nginx,
		Map<String, Probed<AppStatus>> apps, Probed<DatabaseStatus> primary, Probed<DatabaseStatus> replica,
		Probed<List<PrometheusTarget>> prometheus, Probed<AlertmanagerStatus> alertmanager, Probed<EdgeStatus> edge, Probed<FirewallStatus> firewall,
		Probed<List<String>> appGrants, Probed<AccessStatus> access, Instant at) {

}
