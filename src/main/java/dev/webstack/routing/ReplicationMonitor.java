package dev.webstack.routing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.webstack.mysql.DatabaseFlavor;
import dev.webstack.mysql.ReplicaStatus;
import dev.webstack.mysql.ShortConnections;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Measures replication lag honestly, the pt-heartbeat way: every interval it writes the
 * primary's clock into the heartbeat row, reads that row back on the replica, and takes
 * the difference; it cross-checks with the replica's own status, so a stopped or broken
 * replication counts as unbounded lag rather than zero. Gauge:
 * {@code webstack_replication_lag_seconds}.
 * <p>
 * Read routing depends on it, so it runs on a thread of its own, which nothing else
 * shares (the dashboard's probes, slow when a component is, have their own), and asks the
 * replica's status over one kept connection with the monitoring account.
 */
@Component
public class ReplicationMonitor implements SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(ReplicationMonitor.class);

	private final DataSource primary;

	private final HikariDataSource replica;

	private final DataSourceProperties properties;

	private final ClusterMembership cluster;

	private final String instanceName;

	/** Read once: the monitor connects every second. */
	private final String monitorPassword;

	private final Clock clock;

	private volatile ReplicationState state = ReplicationState.unknown();

	private volatile DatabaseFlavor flavor;

	/**
	 * Hysteresis: after the replica was unfit, reads return to it only once this many
	 * measurements in a row (one a second) found it fit, so that a flapping replica does
	 * not make reads flap with it.
	 */
	static final int FIT_MEASUREMENTS_TO_RETURN = 3;

	private volatile int fitInARow = FIT_MEASUREMENTS_TO_RETURN;

	private volatile Instant primaryHeartbeat;

	private volatile String primaryError = "not measured yet";

	private volatile boolean primaryUnreachable;

	private final Duration interval;

	private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "replication-heartbeat");
		thread.setDaemon(true);
		return thread;
	});

	/** The monitoring account's connection to the replica, used by the heartbeat's thread only. */
	private Connection statusConnection;

	private volatile boolean running;

	ReplicationMonitor(@Qualifier("primaryPool") HikariDataSource primary,
			@Qualifier("replicaPool") HikariDataSource replica, DataSourceProperties properties, ClusterMembership cluster,
			@Value("${webstack.instance-name}") String instanceName,
			@Value("${webstack.datasource.heartbeat-interval}") Duration interval, MeterRegistry registry,
			Clock clock) {
		this.primary = primary;
		this.replica = replica;
		this.properties = properties;
		this.cluster = cluster;
		this.instanceName = instanceName;
		this.clock = clock;
		this.interval = interval;
		this.monitorPassword = properties.monitor().resolvePassword();
		Gauge.builder("webstack.replication.lag.seconds", this, (monitor) -> monitor.state.lagSeconds())
			.description("Replication lag from the heartbeat row; +Inf when the replica is unreachable or stopped")
			.register(registry);
		Gauge.builder("webstack.replication.running", this,
				(monitor) -> (monitor.state.reachable() && monitor.state.status().running()) ? 1 : 0)
			.description("1 when the replica answers and both its replication threads run, else 0")
			.register(registry);
	}

	@Override
	public void start() {
		this.running = true;
		// A fixed delay, not a fixed rate: beats that fell behind (a primary slow to answer)
		// must not run back to back, which would count a recovering replica fit three times at once.
		this.heartbeat.scheduleWithFixedDelay(this::tick, 1000, this.interval.toMillis(), TimeUnit.MILLISECONDS);
	}

	@Override
	public void stop() {
		this.running = false;
		this.heartbeat.shutdownNow();
		try {
			if (this.heartbeat.awaitTermination(5, TimeUnit.SECONDS)) {
				closeStatusConnection();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	void tick() {
		try {
			beat();
			measure();
		}
		catch (RuntimeException ex) {
			// A scheduled task that throws is never run again: log it and beat on.
			logger.warn("A replication heartbeat failed", ex);
		}
	}

	/**
	 * Reads the primary's latest heartbeat (the reference the replica is compared with: it
	 * had the whole interval to arrive), then writes a new one with the primary's clock.
	 */
	void beat() {
		try (Connection connection = this.primary.getConnection()) {
			this.primaryHeartbeat = readHeartbeat(connection);
			try (PreparedStatement write = connection
				.prepareStatement("replace into heartbeat (id, ts, writer) values (1, now(6), ?)")) {
				write.setString(1, this.instanceName);
				write.executeUpdate();
			}
			connection.commit();
			this.primaryError = null;
		}
		catch (SQLException ex) {
			this.primaryHeartbeat = null;
			this.primaryError = ex.getMessage();
			this.primaryUnreachable = unreachable(ex);
			return;
		}
		this.primaryUnreachable = false;
	}

	/** Whether a failure means the server cannot be reached (as opposed to, say, a busy pool). */
	static boolean unreachable(Throwable ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t instanceof java.net.ConnectException || t instanceof ClusterNodeDataSource.NoNodeException
					|| t.getClass().getSimpleName().equals("CommunicationsException")) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether the last heartbeat found the primary unreachable: writes then fail at once
	 * (read-only mode) instead of each waiting for a connection; the next heartbeat that
	 * succeeds, a second later, ends it.
	 */
	public boolean primaryUnreachable() {
		return this.primaryUnreachable;
	}

	/** Reads the replica's heartbeat row and its replication status. */
	void measure() {
		Instant now = this.clock.instant();
		Instant replicaHeartbeat;
		boolean readOnly;
		DatabaseFlavor flavor = this.flavor;
		try (Connection connection = this.replica.getConnection()) {
			if (flavor == null) {
				flavor = DatabaseFlavor.detect(connection);
				this.flavor = flavor;
			}
			replicaHeartbeat = readHeartbeat(connection);
			readOnly = readOnly(connection, flavor);
			connection.commit();
		}
		catch (SQLException ex) {
			this.state = new ReplicationState(false, false, ReplicaStatus.NOT_CONFIGURED, null, ex.getMessage(), now);
			this.fitInARow = 0;
			return;
		}
		ReplicaStatus status = this.cluster.enabled() ? clusterReaders() : replicaStatus(flavor);
		Instant reference = (this.primaryHeartbeat != null) ? this.primaryHeartbeat : now;
		Double lag = (replicaHeartbeat != null)
				? Math.max(0, Duration.between(replicaHeartbeat, reference).toNanos() / 1e9) : null;
		ReplicationState measured = new ReplicationState(true, readOnly, status, lag, null, now);
		this.state = measured;
		this.fitInARow = (measured.problem(maxLagSeconds()) == null) ? Math.min(this.fitInARow + 1, 1_000) : 0;
	}

	private ReplicaStatus replicaStatus(DatabaseFlavor flavor) {
		try {
			return readReplicaStatus(flavor);
		}
		catch (SQLException ex) {
			logger.debug("Cannot read the replica's status", ex);
			closeStatusConnection();
			return new ReplicaStatus(true, false, false, null, "status unreadable: " + ex.getMessage());
		}
	}

	/**
	 * A cluster's readers, as a replica's status: running while the cluster has a synced
	 * node besides the writer (Galera applies every commit on every member before the next
	 * causal read there, so a reader is never behind when read).
	 */
	private ReplicaStatus clusterReaders() {
		ClusterMembership.View view = this.cluster.view();
		return view.readers().isEmpty()
				? new ReplicaStatus(true, false, false, null, "no synced node besides the writer")
				: new ReplicaStatus(true, true, true, 0L, "");
	}

	/**
	 * A read found its replica connection dead (the replica went away between two
	 * measurements): reads go to the primary from now on, the pool drops its connections,
	 * and the next measurements decide when the replica is back.
	 */
	public void replicaConnectionLost(String error) {
		this.state = new ReplicationState(false, false, ReplicaStatus.NOT_CONFIGURED, null, error,
				this.clock.instant());
		this.fitInARow = 0;
		if (this.replica.getHikariPoolMXBean() != null) {
			this.replica.getHikariPoolMXBean().softEvictConnections();
		}
	}

	/** The replica's flavour, once known. */
	DatabaseFlavor flavor() {
		return this.flavor;
	}

	public ReplicationState state() {
		return this.state;
	}

	/** Why the primary could not take the last heartbeat, or null if it did. */
	public String primaryError() {
		return this.primaryError;
	}

	/**
	 * Why reads should not go to the replica now (unreachable, not replicating, lagging past
	 * the threshold, or back but not yet fit for long enough), or null when they may; null
	 * too before the first measurement.
	 */
	public String readProblem() {
		ReplicationState current = this.state;
		if (Instant.EPOCH.equals(current.measuredAt())) {
			return null;
		}
		String problem = current.problem(maxLagSeconds());
		if (problem != null) {
			return problem;
		}
		return (this.fitInARow < FIT_MEASUREMENTS_TO_RETURN) ? "replica recovering: caught up, being watched" : null;
	}

	public double maxLagSeconds() {
		return this.properties.maxReplicaLag().toNanos() / 1e9;
	}

	/**
	 * The replica's status over the kept connection; a kept connection that fails may have
	 * outlived its server (restarted since), so it is tried once more on a new one.
	 */
	private ReplicaStatus readReplicaStatus(DatabaseFlavor flavor) throws SQLException {
		if (this.statusConnection != null) {
			try {
				return ReplicaStatus.read(this.statusConnection, flavor);
			}
			catch (SQLException ex) {
				logger.debug("The kept status connection failed; connecting again", ex);
				closeStatusConnection();
			}
		}
		this.statusConnection = monitorConnection(this.properties.replica().url());
		return ReplicaStatus.read(this.statusConnection, flavor);
	}

	private void closeStatusConnection() {
		if (this.statusConnection != null) {
			try {
				this.statusConnection.close();
			}
			catch (SQLException ex) {
				logger.debug("Closing the replica status connection failed", ex);
			}
			this.statusConnection = null;
		}
	}

	/** A connection with the monitoring account, which may read status but no data, and short timeouts. */
	Connection monitorConnection(String url) throws SQLException {
		return ShortConnections.open(DataSourceProperties.serverUrl(url), this.properties.monitor().username(),
				this.monitorPassword, 2000);
	}

	private static Instant readHeartbeat(Connection connection) throws SQLException {
		try (Statement query = connection.createStatement();
				ResultSet row = query.executeQuery("select ts from heartbeat where id = 1")) {
			if (!row.next()) {
				return null;
			}
			Timestamp ts = row.getTimestamp(1);
			return ts.toInstant();
		}
	}

	static boolean readOnly(Connection connection, DatabaseFlavor flavor) throws SQLException {
		try (Statement query = connection.createStatement();
				ResultSet row = query.executeQuery(flavor.readOnlyQuery())) {
			row.next();
			return row.getInt(1) == 1;
		}
	}

}
