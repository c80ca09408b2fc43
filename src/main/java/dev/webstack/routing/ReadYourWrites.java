package dev.webstack.routing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import com.zaxxer.hikari.HikariDataSource;
import dev.webstack.mysql.DatabaseFlavor;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/**
 * Read-your-writes: a person who has just written sees the write on the next page,
 * whichever app server answers, while everyone else keeps reading from the replica.
 * After a request that wrote, the primary's GTID position goes to the client (in a signed
 * cookie, so no app server has to remember it); a later request that carries it waits,
 * for a bounded time, until the replica has applied that position, and reads from the
 * primary if it has not.
 */
@Component
public class ReadYourWrites {

	private static final ThreadLocal<Requirement> CURRENT = new ThreadLocal<>();

	private final HikariDataSource primary;

	private final ReplicationMonitor monitor;

	private final Duration maxWait;

	/**
	 * A cluster's reads wait for the cluster's every commit already ({@code wsrep_sync_wait},
	 * RoutingDataSourceConfiguration): no position to carry, none to wait for.
	 */
	private final boolean clustered;

	/** What this request needs of the replica, and whether the replica has shown it. */
	private static final class Requirement {

		private final String position;

		private Boolean satisfied;

		Requirement(String position) {
			this.position = position;
		}

	}

	ReadYourWrites(@Qualifier("primaryPool") HikariDataSource primary, ReplicationMonitor monitor,
			DataSourceProperties properties) {
		this.primary = primary;
		this.monitor = monitor;
		this.maxWait = properties.readYourWritesWait();
		this.clustered = properties.clustered();
	}

	/** This request must see everything up to this GTID position (from the client's cookie). */
	public void require(String position) {
		CURRENT.set(new Requirement(position));
	}

	public void clear() {
		CURRENT.remove();
	}

	/**
	 * Whether a replica connection may serve this request's reads: null if so (nothing was
	 * required, or the replica has applied the position within the bound), else why not.
	 */
	String checkReplica(Connection replica) {
		Requirement requirement = CURRENT.get();
		if (requirement == null || this.clustered) {
			return null;
		}
		if (requirement.satisfied == null) {
			requirement.satisfied = waitFor(replica, requirement.position);
		}
		return requirement.satisfied ? null : "your last write has not reached the replica yet";
	}

	private boolean waitFor(Connection replica, String position) {
		try {
			DatabaseFlavor flavor = flavorOf(replica);
			try (PreparedStatement wait = replica.prepareStatement(flavor.gtidWaitQuery())) {
				wait.setString(1, position);
				wait.setDouble(2, this.maxWait.toMillis() / 1000.0);
				try (ResultSet row = wait.executeQuery()) {
					return row.next() && row.getInt(1) == 0;
				}
			}
		}
		catch (SQLException ex) {
			return false;
		}
	}

	/**
	 * The primary's GTID position now, which includes the transactions this request
	 * committed; none with a cluster.
	 */
	public String primaryPosition() throws SQLException {
		if (this.clustered) {
			return null;
		}
		try (Connection connection = this.primary.getConnection()) {
			DatabaseFlavor flavor = flavorOf(connection);
			try (Statement query = connection.createStatement();
					ResultSet row = query.executeQuery(flavor.gtidPositionQuery())) {
				String position = row.next() ? row.getString(1) : null;
				connection.commit();
				return position;
			}
		}
	}

	private DatabaseFlavor flavorOf(Connection connection) throws SQLException {
		DatabaseFlavor flavor = this.monitor.flavor();
		return (flavor != null) ? flavor : DatabaseFlavor.detect(connection);
	}

}
