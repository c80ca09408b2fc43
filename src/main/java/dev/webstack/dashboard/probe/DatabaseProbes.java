package dev.webstack.dashboard.probe;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import dev.webstack.routing.DataSourceProperties;
import dev.webstack.mysql.DatabaseFlavor;
import dev.webstack.mysql.ReplicaStatus;
import dev.webstack.mysql.ShortConnections;

/**
 * Asks a database server about itself with the monitoring account (which may read status
 * and variables, and no data), on a connection of its own with short timeouts.
 */
class DatabaseProbes {

	private final String username;

	private final String password;

	private final int timeoutMillis;

	DatabaseProbes(String username, String password, int timeoutMillis) {
		this.username = username;
		this.password = password;
		this.timeoutMillis = timeoutMillis;
	}

	DatabaseStatus probe(String url, boolean expectReplica) throws SQLException {
		try (Connection connection = ShortConnections.open(DataSourceProperties.serverUrl(url), this.username,
				this.password, this.timeoutMillis)) {
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

}
