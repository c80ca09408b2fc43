package dev.webstack.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.webstack.dashboard.ComponentView.State;
import dev.webstack.dashboard.probe.AlertmanagerStatus;
import dev.webstack.dashboard.probe.AppFigures;
import dev.webstack.dashboard.probe.AppStatus;
import dev.webstack.dashboard.probe.DatabaseStatus;
import dev.webstack.dashboard.probe.HaproxyServer;
import dev.webstack.dashboard.probe.InfraSnapshot;
import dev.webstack.dashboard.probe.NginxStatus;
import dev.webstack.dashboard.probe.Probed;
import dev.webstack.dashboard.probe.PrometheusTarget;
import dev.webstack.routing.ClusterMembership;
import dev.webstack.routing.ReplicationState;

/**
 * Turns what the probes found into the components: the seven of the picture, Alertmanager
 * (where one runs), and the exporters Prometheus scrapes (their health is Prometheus's
 * view of them; while Prometheus is down they are not listed). Each has a state and the
 * figures that matter for it, and this remembers since when each has been in its state.
 */
class Topology {

	static final String BACKEND = "app_servers";

	/** The exporters' scrape jobs, and the role of each job's exporters. */
	private static final Map<String, String> EXPORTER_JOBS = Map.of("node", "host exporter", "mysqld",
			"database exporter");

	private final Map<String, Since> since = new ConcurrentHashMap<>();

	private record Since(State state, Instant at) {
	}

	/**
	 * @param cluster a Galera cluster's nodes as the routing last read them, or null for a
	 * primary and a replica
	 */
	List<ComponentView> components(InfraSnapshot snapshot, ReplicationState replication, double maxLagSeconds,
			ClusterMembership.View cluster) {
		List<ComponentView> components = new ArrayList<>();
		snapshot.loadBalancers()
			.forEach((name, haproxy) -> components.add(loadBalancer(name, haproxy, snapshot.siteHolder())));
		snapshot.webServers().forEach((name, nginx) -> components.add(webServer(name, nginx)));
		snapshot.apps().forEach((name, app) -> components.add(appServer(name, app, snapshot.loadBalancers())));
		if (cluster != null) {
			cluster.nodes().forEach((node) -> components.add(clusterNode(node, cluster)));
		}
		else {
			components.add(primary(snapshot.primary()));
			components.add(replica(snapshot.replica(), replication, maxLagSeconds));
		}
		components.add(prometheus(snapshot.prometheus()));
		if (snapshot.alertmanager() != null) {
			components.add(alertmanager(snapshot.alertmanager()));
		}
		if (snapshot.prometheus().ok()) {
			snapshot.prometheus()
				.value()
				.stream()
				.filter((target) -> EXPORTER_JOBS.containsKey(target.job()))
				.forEach((target) -> components.add(exporter(target)));
		}
		return components.stream().map((c) -> withSince(c, snapshot.at())).toList();
	}

	private ComponentView withSince(ComponentView component, Instant at) {
		Since previous = this.since.compute(component.name(),
				(name, old) -> (old != null && old.state() == component.state()) ? old : new Since(component.state(), at));
		return new ComponentView(component.name(), component.role(), component.state(), previous.at(),
				component.detail(), component.figures());
	}

	private static ComponentView loadBalancer(String name, Probed<List<HaproxyServer>> haproxy,
			Probed<String> siteHolder) {
		if (!haproxy.ok()) {
			return down(name, "load balancer", haproxy);
		}
		Map<String, String> figures = new LinkedHashMap<>();
		String holds = "";
		if (siteHolder != null) {
			boolean holder = siteHolder.ok() && name.equals(siteHolder.value());
			figures.put("site's address", holder ? "held here" : siteHolder.ok() ? "held by " + siteHolder.value()
					: "unknown: " + siteHolder.error());
			holds = holder ? "holds the site's address; " : "standing by; ";
		}
		List<HaproxyServer> servers = haproxy.value()
			.stream()
			.filter((s) -> BACKEND.equals(s.proxy()) && s.isServer())
			.toList();
		for (HaproxyServer server : servers) {
			figures.put(server.name(), server.status() + " (" + server.checkStatus() + ") for "
					+ duration(server.lastChangeSeconds()) + ", " + server.currentSessions() + " sessions, "
					+ server.http5xx() + " 5xx, " + server.retries() + " retries");
		}
		haproxy.value()
			.stream()
			.filter((s) -> "public_https".equals(s.proxy()) && "FRONTEND".equals(s.name()))
			.findFirst()
			.ifPresent((f) -> figures.put("https sessions", f.currentSessions() + " now, " + f.totalSessions() + " total"));
		long up = servers.stream().filter((s) -> s.status().startsWith("UP")).count();
		if (up == servers.size() && up > 0) {
			return new ComponentView(name, "load balancer", State.UP, null,
					holds + "balancing round-robin over " + up + " servers", figures);
		}
		return new ComponentView(name, "load balancer", State.DEGRADED, null,
				holds + up + " of " + servers.size() + " backend servers up", figures);
	}

	private static ComponentView webServer(String name, Probed<NginxStatus> nginx) {
		if (!nginx.ok()) {
			return down(name, "web server", nginx);
		}
		NginxStatus status = nginx.value();
		Map<String, String> figures = new LinkedHashMap<>();
		figures.put("connections", status.active() + " active (" + status.reading() + " reading, " + status.writing()
				+ " writing, " + status.waiting() + " idle)");
		figures.put("requests", String.valueOf(status.requests()));
		return new ComponentView(name, "web server", State.UP, null, "serving", figures);
	}

	/**
	 * An app server is in rotation while some load balancer that answers has one of its
	 * paths (one per web server: {@code app-1} through web-1, {@code app-1.web-2} through
	 * web-2) UP; a dead web server's paths are that web server's trouble, not its.
	 */
	private static ComponentView appServer(String name, Probed<AppStatus> app,
			Map<String, Probed<List<HaproxyServer>>> loadBalancers) {
		if (!app.ok()) {
			return down(name, "app server", app);
		}
		AppStatus status = app.value();
		AppFigures known = status.figures();
		Map<String, String> figures = new LinkedHashMap<>();
		// From Prometheus: none until its first scrapes, or while it is down.
		figures.put("uptime", Double.isNaN(known.uptimeSeconds()) ? "unknown" : duration(known.uptimeSeconds()));
		figures.put("heap", Double.isNaN(known.heapUsedBytes()) ? "unknown"
				: String.format(Locale.ROOT, "%.0f MB", known.heapUsedBytes() / 1024 / 1024));
		figures.put("requests/s", Double.isNaN(known.requestsPerSecond()) ? "measuring"
				: String.format(Locale.ROOT, "%.1f", known.requestsPerSecond()));
		Map<String, String> paths = new LinkedHashMap<>();
		boolean seen = false;
		for (Map.Entry<String, Probed<List<HaproxyServer>>> lb : loadBalancers.entrySet()) {
			if (!lb.getValue().ok()) {
				continue;
			}
			seen = true;
			for (HaproxyServer s : lb.getValue().value()) {
				if (BACKEND.equals(s.proxy()) && (name.equals(s.name()) || s.name().startsWith(name + "."))) {
					String path = (loadBalancers.size() > 1) ? lb.getKey() + " " + s.name() : s.name();
					paths.put(path, s.status() + " (" + s.checkStatus() + ")");
				}
			}
		}
		long pathsUp = paths.values().stream().filter((state) -> state.startsWith("UP")).count();
		boolean inRotation = pathsUp > 0;
		String lbView;
		if (!seen) {
			lbView = "unknown";
		}
		else if (paths.isEmpty()) {
			lbView = "not in HAProxy's backend";
		}
		else if (paths.size() == 1) {
			lbView = paths.values().iterator().next();
		}
		else {
			List<String> each = new ArrayList<>();
			paths.forEach((path, state) -> each.add(path + " " + state));
			lbView = (inRotation ? "UP on " + pathsUp + " of " + paths.size() + " paths: " : "")
					+ String.join(", ", each);
		}
		figures.put("HAProxy check", lbView);
		if (!"UP".equals(status.health())) {
			return new ComponentView(name, "app server", State.DEGRADED, null, "health " + status.health(), figures);
		}
		if (seen && !inRotation) {
			return new ComponentView(name, "app server", State.DEGRADED, null, "out of rotation: " + lbView,
					figures);
		}
		return new ComponentView(name, "app server", State.UP, null, "serving", figures);
	}

	private static ComponentView primary(Probed<DatabaseStatus> primary) {
		if (!primary.ok()) {
			return down("db-1", "primary database", primary);
		}
		DatabaseStatus db = primary.value();
		Map<String, String> figures = databaseFigures(db);
		return db.readOnly()
				? new ComponentView("db-1", "primary database", State.DEGRADED, null, "read-only: writes refused",
						figures)
				: new ComponentView("db-1", "primary database", State.UP, null, "taking writes", figures);
	}

	private static ComponentView replica(Probed<DatabaseStatus> replica, ReplicationState replication,
			double maxLagSeconds) {
		if (!replica.ok()) {
			return down("db-2", "replica database", replica);
		}
		DatabaseStatus db = replica.value();
		Map<String, String> figures = databaseFigures(db);
		double lag = replication.lagSeconds();
		figures.put("lag", Double.isInfinite(lag) ? "unbounded" : String.format(Locale.ROOT, "%.2f s", lag));
		if (db.replica() != null) {
			figures.put("threads", "I/O " + (db.replica().ioRunning() ? "running" : "stopped") + ", SQL "
					+ (db.replica().sqlRunning() ? "running" : "stopped"));
			if (!db.replica().lastError().isEmpty()) {
				figures.put("last error", db.replica().lastError());
			}
		}
		String problem = replication.problem(maxLagSeconds);
		if (db.replica() != null && !db.replica().running()) {
			problem = "replication stopped";
		}
		return (problem == null)
				? new ComponentView("db-2", "replica database", State.UP, null, "replicating, serving reads", figures)
				: new ComponentView("db-2", "replica database", State.DEGRADED, null, problem, figures);
	}

	static final String CLUSTER_NODE = "database node";

	private static ComponentView clusterNode(ClusterMembership.Node node, ClusterMembership.View cluster) {
		if (!node.reachable()) {
			return new ComponentView(node.name(), CLUSTER_NODE, State.DOWN, null, node.error(), Map.of());
		}
		Map<String, String> figures = new LinkedHashMap<>();
		figures.put("component", node.clusterStatus() + ", " + node.clusterSize() + " nodes");
		figures.put("state", node.state());
		if (!node.synced()) {
			String why = node.inPrimaryComponent() ? node.state() + ": not serving yet"
					: "cut off from the quorum (" + node.clusterStatus() + "): refuses reads and writes";
			return new ComponentView(node.name(), CLUSTER_NODE, State.DEGRADED, null, why, figures);
		}
		String detail = node.name().equals(cluster.writer()) ? "the writer: taking writes, synced"
				: cluster.readers().contains(node.name()) ? "synced, serving reads" : "synced";
		return new ComponentView(node.name(), CLUSTER_NODE, State.UP, null, detail, figures);
	}

	private static ComponentView prometheus(Probed<List<PrometheusTarget>> prometheus) {
		if (!prometheus.ok()) {
			return down("prometheus", "monitoring", prometheus);
		}
		List<PrometheusTarget> targets = prometheus.value();
		long up = targets.stream().filter((t) -> "up".equals(t.health())).count();
		Map<String, String> figures = new LinkedHashMap<>();
		figures.put("targets", up + " of " + targets.size() + " up");
		return (up == targets.size())
				? new ComponentView("prometheus", "monitoring", State.UP, null, "scraping", figures)
				: new ComponentView("prometheus", "monitoring", State.DEGRADED, null,
						(targets.size() - up) + " targets down", figures);
	}

	private static ComponentView alertmanager(Probed<AlertmanagerStatus> alertmanager) {
		if (!alertmanager.ok()) {
			return down("alertmanager", "alerting", alertmanager);
		}
		Map<String, String> figures = new LinkedHashMap<>();
		figures.put("alerts", alertmanager.value().active() + " active, " + alertmanager.value().suppressed()
				+ " silenced or inhibited");
		return new ComponentView("alertmanager", "alerting", State.UP, null, "routing alerts", figures);
	}

	private static ComponentView exporter(PrometheusTarget target) {
		String role = EXPORTER_JOBS.get(target.job());
		if (!"up".equals(target.health())) {
			String error = target.lastError().isEmpty() ? "Prometheus's scrape: " + target.health()
					: "Prometheus's scrape: " + target.lastError();
			return new ComponentView(target.instanceName(), role, State.DOWN, null, error, Map.of());
		}
		return new ComponentView(target.instanceName(), role, State.UP, null, "scraped by Prometheus", Map.of());
	}

	private static Map<String, String> databaseFigures(DatabaseStatus db) {
		Map<String, String> figures = new LinkedHashMap<>();
		figures.put("version", db.version());
		figures.put("uptime", duration(db.uptimeSeconds()));
		figures.put("connections", String.valueOf(db.connections()));
		return figures;
	}

	private static ComponentView down(String name, String role, Probed<?> probe) {
		return new ComponentView(name, role, State.DOWN, null, probe.error(), Map.of());
	}

	static String duration(double seconds) {
		Duration d = Duration.ofSeconds((long) seconds);
		if (d.toDays() > 0) {
			return d.toDays() + "d " + d.toHoursPart() + "h";
		}
		if (d.toHours() > 0) {
			return d.toHours() + "h " + d.toMinutesPart() + "m";
		}
		return d.toMinutes() + "m " + d.toSecondsPart() + "s";
	}

}
