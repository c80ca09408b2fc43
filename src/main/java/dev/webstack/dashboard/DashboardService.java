package dev.webstack.dashboard;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.webstack.alerts.AlertLog;
import dev.webstack.dashboard.probe.InfraProbes;
import dev.webstack.dashboard.probe.InfraProperties;
import dev.webstack.dashboard.probe.InfraSnapshot;
import dev.webstack.routing.ClusterMembership;
import dev.webstack.routing.DataSourceProperties;
import dev.webstack.routing.ReplicationMonitor;
import dev.webstack.system.MonitoringProperties;
import dev.webstack.system.Secrets;
import dev.webstack.system.WebstackProperties;

import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.TransactionException;

/**
 * Assembles the status report from the probes' latest findings.
 */
@Service
class DashboardService {

	private final InfraProbes probes;

	private final ReplicationMonitor replication;

	private final ClusterMembership cluster;

	private final WebstackProperties webstack;

	private final DataSourceProperties databases;

	private final Clock clock;

	/**
	 * A firing alert not notified again within this is forgotten (its resolution was lost):
	 * Alertmanager repeats a firing alert's notification every 4 hours (repeat_interval).
	 */
	static final Duration FIRING_FORGOTTEN_AFTER = Duration.ofHours(9);

	static final int HISTORY_LIMIT = 200;

	private final Topology topology = new Topology();

	private final AlertLog alertLog;

	private final Map<String, String> passwords;

	DashboardService(InfraProbes probes, ReplicationMonitor replication, WebstackProperties webstack,
			DataSourceProperties databases, InfraProperties infra, MonitoringProperties monitoring, AlertLog alertLog,
			ClusterMembership cluster, Clock clock) {
		this.probes = probes;
		this.cluster = cluster;
		this.alertLog = alertLog;
		this.replication = replication;
		this.webstack = webstack;
		this.databases = databases;
		this.clock = clock;
		// Judged on every report, read once; each under the name of the door it opens.
		Map<String, String> secrets = new LinkedHashMap<>();
		secrets.put("the dashboard", Secrets.read("the admin account", webstack.adminPasswordFile()));
		secrets.put("HAProxy's stats page", Secrets.read("HAProxy's stats page", infra.haproxyStatsPasswordFile()));
		secrets.put("health details", monitoring.readPassword());
		secrets.put("the database (" + databases.primary().username() + ")", databases.primary().resolvePassword());
		if (!databases.replica().username().equals(databases.primary().username())) {
			secrets.put("the replica (" + databases.replica().username() + ")", databases.replica().resolvePassword());
		}
		this.passwords = secrets;
	}

	/** An admin opened the dashboard: the security checks are brought up to date, in the background. */
	void opened() {
		this.probes.securityChecksWanted();
	}

	StatusReport report() {
		InfraSnapshot snapshot = this.probes.snapshot();
		List<ComponentView> components = this.topology.components(snapshot, this.replication.state(),
				this.replication.maxLagSeconds(), this.cluster.enabled() ? this.cluster.view() : null);
		List<SecurityCheck> security = SecurityAnalysis.analyse(snapshot, this.passwords,
				List.of(this.databases.primary().url(), this.databases.replica().url()), this.cluster.enabled(),
				this.clock.instant());
		return new StatusReport(this.webstack.instanceName(), this.clock.instant(), snapshot.at(), components,
				SpofAnalysis.analyse(components), security,
				snapshot.prometheus().ok() ? snapshot.prometheus().value() : List.of(), alerts());
	}

	/** From the databases (the replica, or the primary without it); the rest of the report does without. */
	private AlertsPanel alerts() {
		Instant now = this.clock.instant();
		try {
			return new AlertsPanel(this.alertLog.firing(now.minus(FIRING_FORGOTTEN_AFTER)),
					this.alertLog.since(now.minus(Duration.ofDays(1)), HISTORY_LIMIT), null);
		}
		catch (DataAccessException | TransactionException ex) {
			return AlertsPanel.unavailable("The alerts cannot be read: the databases do not answer.");
		}
	}

}
