package dev.webstack.routing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/**
 * The read/write split. Two Hikari pools, {@code primary} and {@code replica}, behind one
 * {@link LazyConnectionDataSourceProxy}: the physical connection is taken only when the
 * first statement runs, by which time the transaction has declared itself read-only or
 * not. Read-only work goes to the replica (or the primary when the replica gives no
 * connection); everything else goes to the primary. A read-only call nested in a
 * read-write transaction joins that transaction and so stays on the primary. With a
 * Galera cluster's nodes configured instead, the primary pool connects to the cluster's
 * writer and the replica pool to its readers, as {@link ClusterMembership} chooses them.
 */
@Configuration(proxyBeanMethods = false)
class RoutingDataSourceConfiguration {

	@Bean(destroyMethod = "close")
	HikariDataSource primaryPool(DataSourceProperties properties, ClusterMembership cluster) {
		if (!properties.clustered()) {
			return pool("primary", properties.primary());
		}
		HikariDataSource pool = clusterPool("primary", properties.primary(), new ClusterNodeDataSource("writer",
				cluster::writerUrl, cluster::noWriterReason, account(properties.primary())));
		cluster.onChange((view) -> pool.getHikariPoolMXBean().softEvictConnections());
		return pool;
	}

	@Bean(destroyMethod = "close")
	HikariDataSource replicaPool(DataSourceProperties properties, ClusterMembership cluster) {
		if (!properties.clustered()) {
			return pool("replica", properties.replica());
		}
		HikariDataSource pool = clusterPool("replica", properties.replica(), new ClusterNodeDataSource("reader",
				cluster::readerUrl, () -> "no other node of the primary component is synced",
				account(properties.replica())));
		cluster.onChange((view) -> pool.getHikariPoolMXBean().softEvictConnections());
		return pool;
	}

	@Bean
	@Primary
	DataSource dataSource(HikariDataSource primaryPool, HikariDataSource replicaPool, DataSourceProperties properties,
			RouteRecorder routes, ReplicationMonitor monitor, ReadYourWrites readYourWrites) {
		return switch (properties.routing()) {
			case PRIMARY -> primaryPool;
			case CONNECTOR_J -> connectorJReplication(properties);
			case SPLIT -> split(primaryPool, replicaPool, properties, routes, monitor, readYourWrites);
		};
	}

	private static DataSource split(HikariDataSource primaryPool, HikariDataSource replicaPool,
			DataSourceProperties properties, RouteRecorder routes, ReplicationMonitor monitor,
			ReadYourWrites readYourWrites) {
		LazyConnectionDataSourceProxy proxy = new LazyConnectionDataSourceProxy(
				new RecordingDataSource(primaryPool, routes, monitor::primaryUnreachable));
		proxy.setReadOnlyDataSource(new ReplicaFallbackDataSource(replicaPool, primaryPool, routes,
				properties.replicaRetryInterval(), System::nanoTime, monitor::readProblem,
				readYourWrites::checkReplica, monitor::primaryUnreachable));
		// Known up front, so the proxy never opens a connection just to learn them.
		proxy.setDefaultAutoCommit(false);
		proxy.setDefaultTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
		return proxy;
	}

	/**
	 * The peer a user might pick instead of this project's split (profile
	 * {@code connectorj}): Connector/J's replication connections, which send a connection's
	 * statements to the replica while it is read-only ({@code @Transactional(readOnly = true)}
	 * sets it) and to the primary otherwise.
	 */
	private static HikariDataSource connectorJReplication(DataSourceProperties properties) {
		DataSourceProperties.Pool primary = properties.primary();
		String url = DataSourceProperties.replicationUrl(primary.url(), properties.replica().url());
		return pool("replication", new DataSourceProperties.Pool(url, primary.username(), primary.passwordFile(), primary.maximumPoolSize(), primary.connectionTimeout(),
				primary.socketTimeout()));
	}

	/**
	 * Flyway migrates the primary only, with its own account (the app's has no DDL). Its
	 * password is read from its file for each connection Flyway opens at start and kept in
	 * no object: once the schema is migrated, the app server holds no DDL password.
	 */
	@Bean
	FlywayConfigurationCustomizer primaryOnlyMigrations(DataSourceProperties properties, ClusterMembership cluster) {
		DataSourceProperties.Account account = properties.migrations();
		return (configuration) -> configuration.dataSource(new SimpleDriverDataSource() {

			@Override
			protected Connection getConnectionFromDriver(Properties connection) throws SQLException {
				Properties withPassword = new Properties();
				withPassword.putAll(connection);
				withPassword.setProperty("user", account.username());
				withPassword.setProperty("password", account.resolvePassword());
				// A cluster's schema changes on its writer, and replicate from there.
				String url = properties.clustered() ? cluster.writerUrl() : properties.primary().url();
				if (url == null) {
					throw new ClusterNodeDataSource.NoNodeException(
							"no database node takes the migrations: " + cluster.noWriterReason());
				}
				return DriverManager.getConnection(url, withPassword);
			}

		});
	}

	private static HikariDataSource pool(String name, DataSourceProperties.Pool pool) {
		HikariConfig config = new HikariConfig();
		config.setPoolName(name);
		config.setJdbcUrl(pool.url());
		config.setUsername(pool.username());
		config.setPassword(pool.resolvePassword());
		config.setMaximumPoolSize(pool.maximumPoolSize());
		config.setConnectionTimeout(pool.connectionTimeout().toMillis());
		// Hibernate is told that the pool disables auto-commit, which saves two statements
		// (SET autocommit=0 and SET autocommit=1) per transaction.
		config.setAutoCommit(false);
		// Start even when this database is down; the pool keeps trying in the background.
		config.setInitializationFailTimeout(-1);
		config.setDataSourceProperties(driverProperties(pool.socketTimeout()));
		return new HikariDataSource(config);
	}

	/**
	 * A pool over a cluster's nodes (ClusterNodeDataSource makes its connections). Every
	 * read in it waits until the node has applied what the cluster had committed when the
	 * read began (Galera's causality check, {@code wsrep_sync_wait = 1}): a reader sees its
	 * own writes and everyone's, on any node, so no read needs to go to the writer for that.
	 */
	private static HikariDataSource clusterPool(String name, DataSourceProperties.Pool pool, DataSource nodes) {
		HikariConfig config = new HikariConfig();
		config.setPoolName(name);
		config.setDataSource(nodes);
		config.setConnectionInitSql("SET SESSION wsrep_sync_wait = 1");
		config.setMaximumPoolSize(pool.maximumPoolSize());
		config.setConnectionTimeout(pool.connectionTimeout().toMillis());
		config.setAutoCommit(false);
		config.setInitializationFailTimeout(-1);
		return new HikariDataSource(config);
	}

	/** The driver's properties with a pool's account. */
	private static Properties account(DataSourceProperties.Pool pool) {
		Properties properties = driverProperties(pool.socketTimeout());
		properties.setProperty("user", pool.username());
		properties.setProperty("password", pool.resolvePassword());
		return properties;
	}

	private static Properties driverProperties(Duration socketTimeout) {
		Properties properties = new Properties();
		// Skip round trips for session state the driver already knows (auto-commit, read-only).
		properties.setProperty("useLocalSessionState", "true");
		properties.setProperty("cachePrepStmts", "true");
		properties.setProperty("prepStmtCacheSize", "250");
		properties.setProperty("prepStmtCacheSqlLimit", "2048");
		properties.setProperty("cacheServerConfiguration", "true");
		properties.setProperty("connectTimeout", "2000");
		properties.setProperty("socketTimeout", String.valueOf(socketTimeout.toMillis()));
		return properties;
	}

}
