package dev.webstack.routing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;

import javax.sql.DataSource;

import dev.webstack.AppServer;
import dev.webstack.DatabasePair;
import dev.webstack.mysql.DatabaseFlavor;
import dev.webstack.mysql.ReplicaStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.Network;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.mysql.MySQLContainer;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MySQL 8.4 path that Docker Compose runs, where Docker exists: a real primary and a
 * GTID replica with {@code super_read_only}, the flavour detected as MySQL, its replica
 * status read in MySQL's words, and the application's read/write split against them.
 * Skipped where no Docker engine runs (as on the build machines).
 */
@Testcontainers(disabledWithoutDocker = true)
class MysqlReplicationIntegrationTests {

	private static final String ROOT_PASSWORD = "root-" + UUID.randomUUID();

	private static final String APP_PASSWORD = "app-" + UUID.randomUUID();

	private static final String REPL_PASSWORD = "repl-" + UUID.randomUUID();

	private static final Network network = Network.newNetwork();

	@Container
	private static final MySQLContainer primary = mysql("db-1", 1);

	@Container
	private static final MySQLContainer replica = mysql("db-2", 2);

	@TempDir
	private static Path secrets;

	private static AppServer app;

	private static MySQLContainer mysql(String alias, int serverId) {
		return new MySQLContainer("mysql:8.4").withNetwork(network)
			.withNetworkAliases(alias)
			.withUsername("root")
			.withPassword(ROOT_PASSWORD)
			.withDatabaseName("webstack")
			.withCommand("--server-id=" + serverId, "--log-bin=binlog", "--gtid-mode=ON",
					"--enforce-gtid-consistency=ON", "--relay-log=relay-bin");
	}

	@BeforeAll
	static void replicateAndStartTheApp() throws Exception {
		// Each container made the schema at start; both forget their own history, so the
		// replica starts from the same point as the primary and replays what follows.
		try (Connection root = root(primary); Statement sql = root.createStatement()) {
			sql.execute("RESET BINARY LOGS AND GTIDS");
			sql.execute("CREATE USER 'webstack_app'@'%' IDENTIFIED BY '" + APP_PASSWORD + "'");
			sql.execute("CREATE USER 'webstack_migrations'@'%' IDENTIFIED BY '" + APP_PASSWORD + "'");
			sql.execute("CREATE USER 'webstack_repl'@'%' IDENTIFIED BY '" + REPL_PASSWORD + "'");
			sql.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON webstack.* TO 'webstack_app'@'%'");
			sql.execute("GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, INDEX, REFERENCES "
					+ "ON webstack.* TO 'webstack_migrations'@'%'");
			sql.execute("GRANT REPLICATION SLAVE ON *.* TO 'webstack_repl'@'%'");
		}
		try (Connection root = root(replica); Statement sql = root.createStatement()) {
			sql.execute("RESET BINARY LOGS AND GTIDS");
			sql.execute("CHANGE REPLICATION SOURCE TO SOURCE_HOST='db-1', SOURCE_PORT=3306, "
					+ "SOURCE_USER='webstack_repl', SOURCE_PASSWORD='" + REPL_PASSWORD + "', "
					+ "SOURCE_AUTO_POSITION=1, SOURCE_CONNECT_RETRY=1, GET_SOURCE_PUBLIC_KEY=1");
			sql.execute("START REPLICA");
			sql.execute("SET GLOBAL super_read_only = ON");
		}
		awaitReplicating();

		Files.writeString(secrets.resolve("db-app-password"), APP_PASSWORD);
		Files.writeString(secrets.resolve("db-migrations-password"), APP_PASSWORD);
		Files.writeString(secrets.resolve("db-monitor-password"), APP_PASSWORD);
		DatabasePair.writeAppSecrets(secrets);
		app = AppServer.run("--webstack.instance-name=app-mysql", "--server.port=0", "--management.server.port=0",
				"--WEBSTACK_SECRETS_DIR=" + secrets, "--WEBSTACK_DB_PRODUCT=MySQL", "--WEBSTACK_DB_VERSION=8.4",
				"--webstack.datasource.primary.url=" + url(primary),
				"--webstack.datasource.replica.url=" + url(replica));
	}

	@AfterAll
	static void stopTheApp() {
		if (app != null) {
			app.close();
		}
		network.close();
	}

	@Test
	void theFlavourIsMysqlAndTheReplicaReportsInMysqlsWords() throws Exception {
		try (Connection root = root(replica)) {
			assertThat(DatabaseFlavor.detect(root)).isEqualTo(DatabaseFlavor.MYSQL);
			ReplicaStatus status = ReplicaStatus.read(root, DatabaseFlavor.MYSQL);
			assertThat(status.running()).isTrue();
			assertThat(status.secondsBehind()).isNotNull();
			try (Statement sql = root.createStatement();
					ResultSet row = sql.executeQuery(DatabaseFlavor.MYSQL.readOnlyQuery())) {
				row.next();
				assertThat(row.getInt(1)).isEqualTo(1);
			}
		}
	}

	@Test
	void readsGoToTheReplicaAndWritesToThePrimaryWhichReplicates() throws Exception {
		JdbcTemplate jdbc = new JdbcTemplate(app.bean(DataSource.class));
		TransactionTemplate readOnly = new TransactionTemplate(app.bean(PlatformTransactionManager.class));
		readOnly.setReadOnly(true);
		TransactionTemplate readWrite = new TransactionTemplate(app.bean(PlatformTransactionManager.class));

		Integer readServer = readOnly.execute((s) -> jdbc.queryForObject("select @@server_id", Integer.class));
		assertThat(readServer).isEqualTo(2);
		String title = "mysql " + UUID.randomUUID();
		Integer writeServer = readWrite.execute((s) -> {
			jdbc.update("insert into post (title, body, author, created_at) values (?, 'b', 'a', now(3))", title);
			return jdbc.queryForObject("select @@server_id", Integer.class);
		});
		assertThat(writeServer).isEqualTo(1);

		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		Integer copies = 0;
		while (copies == 0 && System.nanoTime() < deadline) {
			copies = readOnly.execute((s) -> jdbc.queryForObject("select count(*) from post where title = ?",
					Integer.class, title));
			Thread.sleep(100);
		}
		assertThat(copies).as("replicated to db-2").isEqualTo(1);
	}

	private static void awaitReplicating() throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (System.nanoTime() < deadline) {
			try (Connection root = root(replica)) {
				if (ReplicaStatus.read(root, DatabaseFlavor.MYSQL).running()) {
					return;
				}
			}
			Thread.sleep(250);
		}
		throw new IllegalStateException("db-2 did not start replicating from db-1");
	}

	private static String url(MySQLContainer container) {
		return "jdbc:mysql://" + container.getHost() + ":" + container.getMappedPort(3306)
				+ "/webstack?allowPublicKeyRetrieval=true";
	}

	private static Connection root(MySQLContainer container) throws SQLException {
		return DriverManager.getConnection(url(container), "root", ROOT_PASSWORD);
	}

}
