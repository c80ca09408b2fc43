package dev.webstack.routing;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.datasource.AbstractDataSource;

/**
 * The data source for read-only work: the replica when it is fit for reads (as the
 * replication monitor last found it: reachable, replicating, not lagging) and gives a
 * connection, else the primary. After a failure to connect the replica is left alone for
 * a retry interval, so that a dead replica costs one connection timeout per interval
 * rather than one per request.
 */
class ReplicaFallbackDataSource extends AbstractDataSource {

	private static final Logger logger = LoggerFactory.getLogger(ReplicaFallbackDataSource.class);

	static final String UNAVAILABLE = "replica unavailable";

	private final DataSource replica;

	private final DataSource primary;

	private final RouteRecorder routes;

	private final long retryIntervalNanos;

	private final LongSupplier clock;

	private final Supplier<String> replicaProblem;

	private final Function<Connection, String> consistency;

	private final BooleanSupplier primaryUnreachable;

	private volatile long retryAt;

	private volatile String unavailableReason;

	/**
	 * @param replicaProblem why the replica is unfit for reads now, or null
	 * @param consistency given a replica connection, why it may not serve this request
	 * (the reader's own last write has not reached it), or null
	 * @param primaryUnreachable whether the primary is known to be down, in which case reads
	 * take the replica whatever its state
	 */
	ReplicaFallbackDataSource(DataSource replica, DataSource primary, RouteRecorder routes, Duration retryInterval,
			LongSupplier clock, Supplier<String> replicaProblem, Function<Connection, String> consistency,
			BooleanSupplier primaryUnreachable) {
		this.replica = replica;
		this.primary = primary;
		this.routes = routes;
		this.retryIntervalNanos = retryInterval.toNanos();
		this.clock = clock;
		this.retryAt = clock.getAsLong();
		this.replicaProblem = replicaProblem;
		this.consistency = consistency;
		this.primaryUnreachable = primaryUnreachable;
	}

	@Override
	public Connection getConnection() throws SQLException {
		if (this.primaryUnreachable.getAsBoolean()) {
			// With the primary gone, the replica is all there is: a stale page beats no page.
			Connection connection = this.replica.getConnection();
			this.routes.record(new Route(Route.Target.REPLICA, "primary unreachable"));
			return connection;
		}
		String problem = this.replicaProblem.get();
		if (problem != null) {
			return primaryBecause(problem);
		}
		if (this.clock.getAsLong() - this.retryAt < 0) {
			return primaryBecause(UNAVAILABLE);
		}
		Connection connection;
		try {
			connection = this.replica.getConnection();
		}
		catch (SQLException ex) {
			if (this.unavailableReason == null) {
				logger.warn("Replica gives no connection ({}); reads go to the primary", ex.getMessage());
			}
			this.unavailableReason = UNAVAILABLE;
			this.retryAt = this.clock.getAsLong() + this.retryIntervalNanos;
			return primaryBecause(UNAVAILABLE);
		}
		if (this.unavailableReason != null) {
			logger.info("Replica is giving connections again; reads go back to it");
			this.unavailableReason = null;
		}
		String behind = this.consistency.apply(connection);
		if (behind != null) {
			connection.close();
			return primaryBecause(behind);
		}
		this.routes.record(new Route(Route.Target.REPLICA, "read-only transaction"));
		return connection;
	}

	private Connection primaryBecause(String reason) throws SQLException {
		Connection connection = this.primary.getConnection();
		this.routes.record(new Route(Route.Target.PRIMARY, reason));
		return connection;
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		throw new UnsupportedOperationException("Connections come from the pools' own accounts");
	}

	/** Why reads are not on the replica right now, or null when they are. */
	String unavailableReason() {
		return this.unavailableReason;
	}

}
