package dev.webstack.dashboard;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.webstack.dashboard.probe.PrometheusTarget;

/**
 * Everything the dashboard shows, as of one moment; also the JSON of
 * {@code /admin/api/status}.
 *
 * @param renderedBy the app server that assembled it
 * @param generatedAt when
 * @param probedAt when the probes it rests on last ran
 * @param components every component: the seven of the topology, Alertmanager and the exporters
 * @param spofs the single points of failure found in the live topology
 * @param security the live security checks
 * @param prometheusTargets Prometheus's scrape targets and their health
 * @param alerts the alerts firing now and those of the last 24 hours
 */
public record StatusReport(String renderedBy, Instant generatedAt, Instant probedAt, List<ComponentView> components,
		List<Spof> spofs, List<SecurityCheck> security, List<PrometheusTarget> prometheusTargets, AlertsPanel alerts) {

	/** The components by name, for the topology picture. */
	public Map<String, ComponentView> byName() {
		Map<String, ComponentView> map = new java.util.LinkedHashMap<>();
		this.components.forEach((c) -> map.put(c.name(), c));
		return map;
	}

	/** Whether traffic can flow from one component to the next (both up, or degraded but serving). */
	public boolean flows(String from, String to) {
		Map<String, ComponentView> map = byName();
		ComponentView a = map.get(from);
		ComponentView b = map.get(to);
		if (a == null || b == null || a.down() || b.down()) {
			return false;
		}
		if ("app server".equals(b.role())) {
			return b.figures().getOrDefault("HAProxy check", "").startsWith("UP");
		}
		if ("replica database".equals(b.role()) || Topology.CLUSTER_NODE.equals(b.role())) {
			return b.up();
		}
		return true;
	}

	/** The topology picture, laid out from the components that run. */
	public Picture picture() {
		return Picture.of(this);
	}

}
