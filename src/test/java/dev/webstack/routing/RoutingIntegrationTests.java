package dev.webstack.routing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.webstack.DatabasePair;
import dev.webstack.DatabasePairTests;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The read/write split against the real pair: where each kind of transaction's connection
 * comes from, as the databases themselves report it.
 */
class RoutingIntegrationTests extends DatabasePairTests {

	@Autowired
	private DataSource dataSource;

	@Autowired
	@Qualifier("replicaPool")
	private HikariDataSource replicaPool;

	@Autowired
	private PlatformTransactionManager transactions;

	@Autowired
	private MeterRegistry meters;

	@Autowired
	private ReplicationMonitor monitor;

	/**
	 * The pair is shared by the whole JVM, and a test before this one may have killed and
	 * restarted a server: this context's monitor then rightly keeps reads on the primary for
	 * a few measurements (its hysteresis). Routing is asserted once the monitor has measured
	 * the replica fit; a replica that never becomes fit again fails here, by name.
	 */
	@BeforeEach
	void replicaMeasuredFit() {
		await("the monitor measures the replica fit for reads").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> !Instant.EPOCH.equals(this.monitor.state().measuredAt()) && this.monitor.readProblem() == null);
	}

	@Test
	void readOnlyTransactionReadsFromTheReplica() {
		double before = connections("replica");
		AnsweringServer server = readOnly().execute((status) -> whoAnswers());
		assertThat(server).isEqualTo(AnsweringServer.REPLICA);
		assertThat(connections("replica")).isEqualTo(before + 1);
	}

	@Test
	void readWriteTransactionUsesThePrimary() {
		AnsweringServer server = readWrite().execute((status) -> whoAnswers());
		assertThat(server).isEqualTo(AnsweringServer.PRIMARY);
	}

	@Test
	void readOnlyCallNestedInAReadWriteTransactionStaysOnThePrimary() {
		AnsweringServer server = readWrite().execute((outer) -> {
			jdbc().queryForObject("select 1", Integer.class);
			return readOnly().execute((inner) -> whoAnswers());
		});
		assertThat(server).isEqualTo(AnsweringServer.PRIMARY);
	}

	@Test
	void aWriteLandsOnThePrimaryAndReachesTheReplica() throws Exception {
		String title = "routing " + UUID.randomUUID();
		readWrite().executeWithoutResult((status) -> jdbc().update(
				"insert into post (title, body, author, created_at) values (?, 'body', 'test', now(3))", title));

		assertThat(count(DatabasePair.PRIMARY_PORT, title)).isEqualTo(1);
		await("replicated to db-2").atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> count(DatabasePair.REPLICA_PORT, title), (copies) -> copies == 1);
	}

	@Test
	void theReplicaRefusesAWriteThroughItsPool() throws SQLException {
		try (Connection connection = this.replicaPool.getConnection(); Statement statement = connection.createStatement()) {
			assertThatThrownBy(() -> statement.executeUpdate(
					"insert into post (title, body, author, created_at) values ('nope', 'b', 'a', now(3))"))
				.isInstanceOf(SQLException.class)
				.hasMessageContaining("read-only")
				.satisfies((ex) -> assertThat(((SQLException) ex).getErrorCode()).isEqualTo(1290));
			connection.rollback();
		}
	}

	@Test
	void poolsAreNamedInMetrics() {
		assertThat(this.meters.find("hikaricp.connections.max").tag("pool", "primary").gauge()).isNotNull();
		assertThat(this.meters.find("hikaricp.connections.max").tag("pool", "replica").gauge()).isNotNull();
	}

	private AnsweringServer whoAnswers() {
		return AnsweringServer.of(jdbc());
	}

	private static int count(int port, String title) throws SQLException {
		return DatabasePair.count(port, "select count(*) from post where title = ?", title);
	}

	private double connections(String target) {
		return this.meters.get("webstack.datasource.connections").tag("target", target).counter().count();
	}

	private JdbcTemplate jdbc() {
		return new JdbcTemplate(this.dataSource);
	}

	private TransactionTemplate readOnly() {
		TransactionTemplate template = new TransactionTemplate(this.transactions);
		template.setReadOnly(true);
		return template;
	}

	private TransactionTemplate readWrite() {
		return new TransactionTemplate(this.transactions);
	}

}
