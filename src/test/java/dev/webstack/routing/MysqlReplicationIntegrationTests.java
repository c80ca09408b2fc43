package dev.webstack.routing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.MountableFile;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The MySQL 8.4 path that Docker Compose runs, where Docker exists: db-1 and db-2 made as
 * docker/compose.yaml makes them (the same server options, the same init scripts from
 * docker/mysql/, the same secrets under /run/secrets), so the accounts, the monitoring one
 * included, and the GTID replication with {@code super_read_only} are Compose's own; then
 * the flavour detected as MySQL, its replica status read in MySQL's words by the monitoring
 * account, and the application's read/write split against them. Skipped where no Docker
 * engine runs (as on the build machines).
 */
@Testcontainers(disabledWithoutDocker = true)
class MysqlReplicationIntegrationTests {

	/** The database secrets of docker/secrets.sh, by the same names. */
	private static final Map<String, String> SECRETS = Map.of("db-root-password", password(),
			"db-app-password", password(), "db-migrations-password", password(), "db-replication-password",
			password(), "db-monitor-password", password());

	private static final Network network = Network.newNetwork();

	@Container
	private static final GenericContainer<?> primary = mysql("db-1", "--server-id=1", "primary-init.sh",
			List.of("db-root-password", "db-app-password", "db-migrations-password", "db-replication-password",
					"db-monitor-password"));

	@Container
	private static final GenericContainer<?> replica = mysql("db-2", "--server-id=2", "replica-init.sh",
			List.of("db-root-password", "db-replication-password"))
		.dependsOn(primary);

	@TempDir
	private static Path secrets;

	private static AppServer app;

	private static String password() {
		return UUID.randomUUID().toString().replace("-", "");
	}

	/** A server as compose.yaml's db-1 or db-2: its options, its init script, its secrets. */
	private static GenericContainer<?> mysql(String alias, String serverId, String initScript, List<String> secrets) {
		List<String> options = new java.util.ArrayList<>(List.of(serverId, "--log-bin=binlog", "--gtid-mode=ON",
				"--enforce-gtid-consistency=ON", "--innodb-flush-log-at-trx-commit=1", "--sync-binlog=1",
				"--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci"));
		if (alias.equals("db-2")) {
			options.add("--relay-log=relay-bin");
		}
		GenericContainer<?> container = new GenericContainer<>("mysql:8.4").withNetwork(network)
			.withNetworkAliases(alias)
			.withExposedPorts(3306)
			.withCommand(options.toArray(String[]::new))
			.withEnv("MYSQL_ROOT_PASSWORD_FILE", "/run/secrets/db-root-password")
			.withEnv("MYSQL_ROOT_HOST", "localhost")
			.withCopyFileToContainer(MountableFile.forHostPath(Path.of("docker/mysql", initScript), 0755),
					"/docker-entrypoint-initdb.d/10-" + initScript.replace("-init", ""))
			// The entrypoint's initialisation server listens on no port; the real one on 3306.
			.waitingFor(Wait.forLogMessage(".*ready for connections.*port: 3306.*", 1)
				.withStartupTimeout(Duration.ofMinutes(3)));
		for (String secret : secrets) {
			container.withCopyToContainer(Transferable.of(SECRETS.get(secret), 0644), "/run/secrets/" + secret);
		}
		return container;
	}

	@BeforeAll
	static void startTheAppOnceReplicating() throws Exception {
		// The monitoring account reaches db-2 by replication, as every account does.
		await("db-2 replicating from db-1").atMost(Duration.ofSeconds(120))
			.pollInterval(Duration.ofMillis(500))
			.ignoreExceptions()
			.until(() -> replicaStatus().running());

		for (String name : List.of("db-app-password", "db-migrations-password", "db-monitor-password")) {
			Files.writeString(secrets.resolve(name), SECRETS.get(name));
		}
		DatabasePair.writeAppSecrets(secrets);
		List<String> args = new java.util.ArrayList<>(List.of("--webstack.instance-name=app-mysql",
				"--server.port=0", "--management.server.port=0", "--WEBSTACK_SECRETS_DIR=" + secrets,
				"--WEBSTACK_DB_PRODUCT=MySQL", "--WEBSTACK_DB_VERSION=8.4",
				"--webstack.datasource.primary.url=" + url(primary), "--webstack.datasource.replica.url=" + url(replica)));
		DatabasePair.probesOfNothing(secrets).forEach((property, value) -> args.add("--" + property + "=" + value));
		app = AppServer.run(args.toArray(String[]::new));
	}

	@AfterAll
	static void stopTheApp() {
		if (app != null) {
			app.close();
		}
		network.close();
	}

	@Test
	void theFlavourIsMysqlAndTheReplicaReportsInMysqlsWordsToTheMonitoringAccount() throws Exception {
		try (Connection monitor = monitor(replica)) {
			assertThat(DatabaseFlavor.detect(monitor)).isEqualTo(DatabaseFlavor.MYSQL);
			ReplicaStatus status = ReplicaStatus.read(monitor, DatabaseFlavor.MYSQL);
			assertThat(status.running()).isTrue();
			assertThat(status.secondsBehind()).isNotNull();
			try (Statement sql = monitor.createStatement();
					ResultSet row = sql.executeQuery(DatabaseFlavor.MYSQL.readOnlyQuery())) {
				row.next();
				assertThat(row.getInt(1)).as("super_read_only").isEqualTo(1);
			}
		}
		ReplicationMonitor replication = app.bean(ReplicationMonitor.class);
		await("the app's monitor finds the replica replicating").atMost(Duration.ofSeconds(30))
			.until(() -> replication.state().reachable() && replication.state().status().running());
	}

	@Test
	void readsGoToTheReplicaAndWritesToThePrimaryWhichReplicates() throws Exception {
		JdbcTemplate jdbc = new JdbcTemplate(app.bean(DataSource.class));
		TransactionTemplate readOnly = new TransactionTemplate(app.bean(PlatformTransactionManager.class));
		readOnly.setReadOnly(true);
		TransactionTemplate readWrite = new TransactionTemplate(app.bean(PlatformTransactionManager.class));
		ReplicationMonitor replication = app.bean(ReplicationMonitor.class);
		await("the replica fit for reads").atMost(Duration.ofSeconds(30))
			.until(() -> replication.state().reachable() && replication.readProblem() == null);

		Integer readServer = readOnly.execute((s) -> jdbc.queryForObject("select @@server_id", Integer.class));
		assertThat(readServer).isEqualTo(2);
		String title = "mysql " + UUID.randomUUID();
		Integer writeServer = readWrite.execute((s) -> {
			jdbc.update("insert into post (title, body, author, created_at) values (?, 'b', 'a', now(3))", title);
			return jdbc.queryForObject("select @@server_id", Integer.class);
		});
		assertThat(writeServer).isEqualTo(1);
		await("replicated to db-2").atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> readOnly.execute((s) -> jdbc.queryForObject("select count(*) from post where title = ?",
					Integer.class, title)), (copies) -> copies == 1);
	}

	private static ReplicaStatus replicaStatus() throws SQLException {
		try (Connection monitor = monitor(replica)) {
			return ReplicaStatus.read(monitor, DatabaseFlavor.MYSQL);
		}
	}

	private static String url(GenericContainer<?> container) {
		return "jdbc:mysql://" + container.getHost() + ":" + container.getMappedPort(3306)
				+ "/webstack?allowPublicKeyRetrieval=true";
	}

	/** The monitoring account, as the app's monitor connects: to the server, no schema. */
	private static Connection monitor(GenericContainer<?> container) throws SQLException {
		return DriverManager.getConnection(
				"jdbc:mysql://" + container.getHost() + ":" + container.getMappedPort(3306)
						+ "/?allowPublicKeyRetrieval=true&connectTimeout=5000&socketTimeout=30000",
				"webstack_monitor", SECRETS.get("db-monitor-password"));
	}

}
