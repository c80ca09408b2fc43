package dev.webstack.routing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Properties;
import java.util.function.Supplier;

import org.springframework.jdbc.datasource.AbstractDataSource;

/**
 * Physical connections to whichever cluster node a role has now (the writer, or a
 * reader), for a Hikari pool to keep: the pool is told to let its connections go when the
 * role moves ({@link ClusterMembership#onChange}), so that new ones reach the new node.
 * While no node has the role, a connection fails at once with {@link NoNodeException}.
 */
final class ClusterNodeDataSource extends AbstractDataSource {

	private final String role;

	private final Supplier<String> url;

	private final Supplier<String> noNodeReason;

	private final Properties properties;

	/**
	 * @param role what the node is for, in messages (the writer)
	 * @param url the JDBC URL of the node that has the role now, or null
	 * @param noNodeReason why no node has it
	 * @param properties the driver's properties, the account's included
	 */
	ClusterNodeDataSource(String role, Supplier<String> url, Supplier<String> noNodeReason, Properties properties) {
		this.role = role;
		this.url = url;
		this.noNodeReason = noNodeReason;
		this.properties = properties;
	}

	@Override
	public Connection getConnection() throws SQLException {
		String target = this.url.get();
		if (target == null) {
			throw new NoNodeException("no database node is the " + this.role + ": " + this.noNodeReason.get());
		}
		return DriverManager.getConnection(target, this.properties);
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		throw new UnsupportedOperationException("Connections come from the pools' own accounts");
	}

	/** No node has the role: the cluster is between writers, or out of reach. */
	static final class NoNodeException extends SQLTransientConnectionException {

		NoNodeException(String message) {
			super(message);
		}

	}

}
