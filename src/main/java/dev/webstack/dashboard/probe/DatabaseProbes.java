package dev.webstack.dashboard.probe;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

import dev.webstack.mysql.DatabaseFlavor;
import dev.webstack.mysql.ReplicaStatus;
import dev.webstack.mysql.ShortConnections;
import dev.webstack.routing.DataSourceProperties;

/**
 * Asks a database server about itself with the monitoring account (which may read status
 * and variables, and no data), on a connection of its own with short timeouts, kept from
 * one round to the next: a probe that fails closes it, and the next round connects again.
 */
class DatabaseProbes implements AutoCloseable {

	private final String username;

	private final String password;

	private final int timeoutMillis;

	private final Map<String, Kept> connections = new ConcurrentHashMap<>();

	DatabaseProbes(String username, String password, int timeoutMillis) {
		this.username = username;
		this.password = password;
		this.timeoutMillis = timeoutMillis;
	}

	DatabaseStatus probe(String url, boolean expectReplica) throws SQLException {
		Kept kept = this.connections.computeIfAbsent(url, (key) -> new Kept());
		// A probe that outlived its round's timeout may still hold the connection.
		if (!kept.lock.tryLock()) {
			throw new SQLException("the previous probe of this server has not finished");
		}
		try {
			if (kept.connection != null) {
				try {
					return probe(kept.connection, expectReplica);
				}
				catch (SQLException | RuntimeException ex) {
					// The server may have restarted since: once more, on a new connection.
					closeQuietly(kept.connection);
					kept.connection = null;
				}
			}
			kept.connection = ShortConnections.open(DataSourceProperties.serverUrl(url), this.username,
					this.password, this.timeoutMillis);
			try {
				return probe(kept.connection, expectReplica);
			}
			catch (SQLException | RuntimeException ex) {
				closeQuietly(kept.connection);
				kept.connection = null;
				throw ex;
			}
		}
		finally {
			kept.lock.unlock();
		}
	}

	private static DatabaseStatus probe(Connection connection, boolean expectReplica) throws SQLException {
		DatabaseFlavor flavor = DatabaseFlavor.detect(connection);
		String version;
		long serverId;
		boolean readOnly;
		String bindAddress;
		try (Statement sql = connection.createStatement();
				ResultSet row = sql.executeQuery("select version(), @@server_id, (" + flavor.readOnlyQuery()
						+ "), @@bind_address")) {
			row.next();
			version = row.getString(1);
			serverId = row.getLong(2);
			readOnly = row.getInt(3) == 1;
			bindAddress = row.getString(4);
		}
		long uptime = globalStatus(connection, "Uptime");
		long connections = globalStatus(connection, "Threads_connected");
		ReplicaStatus replica = expectReplica ? ReplicaStatus.read(connection, flavor) : null;
		return new DatabaseStatus(version, serverId, readOnly, bindAddress, uptime, connections, replica);
	}

	/** The grants of an account, as it sees them itself ({@code SHOW GRANTS}), password hashes removed. */
	static List<String> ownGrants(String url, String username, String password, int timeoutMillis)
			throws SQLException {
		List<String> grants = new ArrayList<>();
		try (Connection connection = ShortConnections.open(url, username, password, timeoutMillis);
				Statement sql = connection.createStatement();
				ResultSet rows = sql.executeQuery("show grants")) {
			while (rows.next()) {
				grants.add(rows.getString(1).replaceAll(" IDENTIFIED BY PASSWORD '[^']*'", ""));
			}
		}
		return grants;
	}

	private static long globalStatus(Connection connection, String name) throws SQLException {
		try (Statement sql = connection.createStatement();
				ResultSet row = sql.executeQuery("show global status like '" + name + "'")) {
			return row.next() ? row.getLong(2) : 0;
		}
	}

	@Override
	public void close() {
		this.connections.values().forEach((kept) -> closeQuietly(kept.connection));
		this.connections.clear();
	}

	private static void closeQuietly(Connection connection) {
		if (connection == null) {
			return;
		}
		try {
			connection.close();
		}
		catch (SQLException ex) {
			// Closing a connection that already failed: nothing left to do.
		}
	}

	/** One server's kept connection, used by one probe at a time. */
	private static final class Kept {

		private final ReentrantLock lock = new ReentrantLock();

		private Connection connection;

	}

}
