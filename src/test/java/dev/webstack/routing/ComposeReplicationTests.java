package dev.webstack.routing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import dev.webstack.AppServer;
import dev.webstack.DatabasePair;
import dev.webstack.mysql.DatabaseFlavor;
import dev.webstack.mysql.ReplicaStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The database pair that Docker Compose runs, in containers made from the Compose files
 * (see {@link ComposeDatabases}): the accounts, the monitoring one included, and the GTID
 * replication with a read-only replica are Compose's own; then the flavour detected, the
 * replica's status read in that flavour's words by the monitoring account, and the
 * application's read/write split against them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ComposeReplicationTests {

	private final DatabaseFlavor flavor;

	private final String product;

	private final String version;

	private final ComposeDatabases databases;

	private AppServer app;

	ComposeReplicationTests(DatabaseFlavor flavor, String product, String version, String... composeFiles) {
		this.flavor = flavor;
		this.product = product;
		this.version = version;
		this.databases = new ComposeDatabases(composeFiles);
	}

	/** Makes what the containers need before they start (an image); nothing by default. */
	void prepare() throws Exception {
	}

	@BeforeAll
	void startTheAppOnceReplicating(@TempDir Path secrets) throws Exception {
		prepare();
		this.databases.start();
		// The monitoring account reaches db-2 by replication, as every account does.
		await("db-2 replicating from db-1").atMost(Duration.ofSeconds(120))
			.pollInterval(Duration.ofMillis(500))
			.ignoreExceptions()
			.until(() -> this.databases.replicaStatus(this.flavor).running());

		this.databases.writeAppSecrets(secrets);
		DatabasePair.writeAppSecrets(secrets);
		List<String> args = new ArrayList<>(List.of("--webstack.instance-name=app-" + this.product.toLowerCase(),
				"--server.port=0", "--management.server.port=0", "--WEBSTACK_SECRETS_DIR=" + secrets,
				"--WEBSTACK_DB_PRODUCT=" + this.product, "--WEBSTACK_DB_VERSION=" + this.version,
				"--webstack.datasource.primary.url=" + this.databases.jdbcUrl(this.databases.primary, "webstack"),
				"--webstack.datasource.replica.url=" + this.databases.jdbcUrl(this.databases.replica, "webstack")));
		DatabasePair.probesOfNothing(secrets).forEach((property, value) -> args.add("--" + property + "=" + value));
		this.app = AppServer.run(args.toArray(String[]::new));
	}

	@AfterAll
	void stopTheAppAndTheContainers() {
		if (this.app != null) {
			this.app.close();
		}
		this.databases.close();
	}

	@Test
	void theFlavourIsDetectedAndTheReplicaReportsInItsWordsToTheMonitoringAccount() throws Exception {
		try (Connection monitor = this.databases.monitor(this.databases.replica)) {
			assertThat(DatabaseFlavor.detect(monitor)).isEqualTo(this.flavor);
			ReplicaStatus status = ReplicaStatus.read(monitor, this.flavor);
			assertThat(status.running()).isTrue();
			assertThat(status.secondsBehind()).isNotNull();
			try (Statement sql = monitor.createStatement();
					ResultSet row = sql.executeQuery(this.flavor.readOnlyQuery())) {
				row.next();
				assertThat(row.getInt(1)).as(this.flavor.readOnlyQuery()).isEqualTo(1);
			}
		}
		ReplicationMonitor replication = this.app.bean(ReplicationMonitor.class);
		await("the app's monitor finds the replica replicating").atMost(Duration.ofSeconds(30))
			.until(() -> replication.state().reachable() && replication.state().status().running());
	}

	@Test
	void readsGoToTheReplicaAndWritesToThePrimaryWhichReplicates() throws Exception {
		JdbcTemplate jdbc = new JdbcTemplate(this.app.bean(DataSource.class));
		TransactionTemplate readOnly = new TransactionTemplate(this.app.bean(PlatformTransactionManager.class));
		readOnly.setReadOnly(true);
		TransactionTemplate readWrite = new TransactionTemplate(this.app.bean(PlatformTransactionManager.class));
		ReplicationMonitor replication = this.app.bean(ReplicationMonitor.class);
		await("the replica fit for reads").atMost(Duration.ofSeconds(30))
			.until(() -> replication.state().reachable() && replication.readProblem() == null);

		Integer readServer = readOnly.execute((s) -> jdbc.queryForObject("select @@server_id", Integer.class));
		assertThat(readServer).isEqualTo(2);
		String title = this.product + " " + UUID.randomUUID();
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

}
