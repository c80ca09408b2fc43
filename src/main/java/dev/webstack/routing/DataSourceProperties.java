package dev.webstack.routing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.webstack.system.Secrets;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The two databases the application talks to, and the account that migrates the schema.
 *
 * @param primary the primary (writes, and reads that must be current)
 * @param replica the read-only replica (reads in read-only transactions)
 * @param migrations the account Flyway uses on the primary
 * @param monitor the account that reads replication status (and no data) on both servers
 * @param replicaRetryInterval how long reads stay on the primary after the replica failed to give a connection
 * @param heartbeatInterval how often the heartbeat row is written on the primary and read on the replica
 * @param maxReplicaLag replication lag beyond which the replica counts as lagging
 * @param readYourWritesWait how long a read waits for the replica to apply the reader's own last write before it
 * goes to the primary instead
 * @param routing who sends the application's queries where: this project's split (the default), or a baseline
 * that {@code ./stack bench} compares it with
 * @param cluster the nodes of a Galera cluster (the ha mode), by name and JDBC URL, or none (a primary and a
 * replica): with nodes, the primary pool connects to the cluster's writer and the replica pool to its other nodes
 * ({@link ClusterMembership})
 */
@ConfigurationProperties("webstack.datasource")
public record DataSourceProperties(Pool primary, Pool replica, Account migrations, Account monitor,
		Duration replicaRetryInterval, Duration heartbeatInterval, Duration maxReplicaLag,
		Duration readYourWritesWait, @DefaultValue("split") Routing routing, @DefaultValue Cluster cluster) {

	/** Whether the databases are a cluster's nodes rather than a primary and a replica. */
	public boolean clustered() {
		return !this.cluster.nodes().isEmpty();
	}

	/**
	 * A Galera cluster's nodes.
	 *
	 * @param nodes each node's name and JDBC URL, in the order the writer is chosen in
	 * (by name: db-1 first)
	 */
	public record Cluster(Map<String, String> nodes) {

		public Cluster {
			nodes = (nodes != null) ? Collections.unmodifiableMap(new TreeMap<>(nodes)) : Map.of();
		}

	}

	/** Who routes the application's queries. */
	public enum Routing {

		/** Read-only transactions on the replica, the rest on the primary (this project). */
		SPLIT,

		/** Every query on the primary, through its pool alone: the baseline of the routing's cost. */
		PRIMARY,

		/**
		 * One pool of MySQL Connector/J replication connections
		 * ({@code jdbc:mysql:replication://primary,replica/}): the driver switches a connection to
		 * the replica while it is read-only. No fallback on lag, no read-your-writes.
		 */
		CONNECTOR_J

	}

	/**
	 * One connection pool.
	 *
	 * @param url JDBC URL of the server
	 * @param username account name
	 * @param passwordFile file holding the password
	 * @param maximumPoolSize largest number of connections in the pool
	 * @param connectionTimeout longest wait for a connection before the pool gives up
	 * @param socketTimeout longest silence of the server in the middle of a statement
	 * before the driver gives the connection up (a server that stopped answering, as one
	 * cut off by a network partition does)
	 */
	public record Pool(String url, String username, Path passwordFile, int maximumPoolSize,
			Duration connectionTimeout, @DefaultValue("30s") Duration socketTimeout) {

		public String resolvePassword() {
			return Secrets.read("the database account " + this.username, this.passwordFile);
		}

	}

	/**
	 * An account without a pool of its own.
	 *
	 * @param username account name
	 * @param passwordFile file holding the password
	 */
	public record Account(String username, Path passwordFile) {

		public String resolvePassword() {
			return Secrets.read("the database account " + this.username, this.passwordFile);
		}

	}

	/**
	 * The same server without a default database: the monitoring account has rights on no
	 * schema, so it must not ask for one.
	 */
	public static String serverUrl(String jdbcUrl) {
		return jdbcUrl.replaceFirst("^(jdbc:[a-z]+://[^/?]+)/[^?]*", "$1/");
	}

	/**
	 * Connector/J's replication URL over both servers
	 * ({@code jdbc:mysql:replication://primary:3307,replica:3308/webstack}): the primary's URL
	 * with the replica's address added after its own.
	 */
	public static String replicationUrl(String primaryUrl, String replicaUrl) {
		Matcher primary = MYSQL_URL.matcher(primaryUrl);
		Matcher replica = MYSQL_URL.matcher(replicaUrl);
		if (!primary.matches() || !replica.matches()) {
			throw new IllegalArgumentException(
					"Expected jdbc:mysql://host:port/... URLs, got " + primaryUrl + " and " + replicaUrl);
		}
		return "jdbc:mysql:replication://" + primary.group(1) + "," + replica.group(1) + primary.group(2);
	}

	private static final Pattern MYSQL_URL = Pattern.compile("jdbc:mysql://([^/?]+)(.*)");

}
