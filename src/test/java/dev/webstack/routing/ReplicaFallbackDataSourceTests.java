package dev.webstack.routing;

import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

import javax.sql.DataSource;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The routing decisions for read-only work, with stand-in pools whose availability the
 * test controls (the real pair is exercised by {@link RoutingIntegrationTests}).
 */
class ReplicaFallbackDataSourceTests {

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final RouteRecorder routes = new RouteRecorder(this.registry);

	private final AtomicLong now = new AtomicLong();

	private final Pool replica = new Pool("replica");

	private final Pool primary = new Pool("primary");

	private String replicaProblem;

	private final ReplicaFallbackDataSource reads = new ReplicaFallbackDataSource(this.replica, this.primary,
			this.routes, Duration.ofSeconds(5), this.now::get, () -> this.replicaProblem,
			(connection) -> this.behind, () -> this.primaryDown);

	private boolean primaryDown;

	private String behind;

	@Test
	void readsGoToTheReplicaWhenItGivesConnections() throws SQLException {
		assertThat(name(this.reads.getConnection())).isEqualTo("replica");
		assertThat(this.routes.current()).isEqualTo(new Route(Route.Target.REPLICA, "read-only transaction"));
		assertThat(connections("replica")).isEqualTo(1);
		assertThat(connections("primary")).isZero();
	}

	@Test
	void readsFallBackToThePrimaryWhenTheReplicaFails() throws SQLException {
		this.replica.down = true;
		assertThat(name(this.reads.getConnection())).isEqualTo("primary");
		assertThat(this.routes.current()).isEqualTo(new Route(Route.Target.PRIMARY, "replica unavailable"));
		assertThat(this.replica.attempts).isEqualTo(1);
		assertThat(connections("primary")).isEqualTo(1);
	}

	@Test
	void aFailedReplicaIsLeftAloneForTheRetryIntervalThenTriedAgain() throws SQLException {
		this.replica.down = true;
		this.reads.getConnection();
		this.now.addAndGet(Duration.ofSeconds(4).toNanos());
		this.reads.getConnection();
		assertThat(this.replica.attempts).as("no new attempt inside the interval").isEqualTo(1);

		this.replica.down = false;
		this.now.addAndGet(Duration.ofSeconds(1).toNanos());
		assertThat(name(this.reads.getConnection())).isEqualTo("replica");
		assertThat(this.replica.attempts).isEqualTo(2);
		assertThat(this.reads.unavailableReason()).isNull();
	}

	@Test
	void readsGoToThePrimaryWhileTheMonitorFindsTheReplicaUnfitAndSayWhy() throws SQLException {
		this.replicaProblem = "replica lagging 7.2s";
		assertThat(name(this.reads.getConnection())).isEqualTo("primary");
		assertThat(this.routes.current()).isEqualTo(new Route(Route.Target.PRIMARY, "replica lagging 7.2s"));
		assertThat(this.replica.attempts).as("the replica is not even asked").isZero();

		this.replicaProblem = null;
		assertThat(name(this.reads.getConnection())).isEqualTo("replica");
	}

	@Test
	void aReaderWhoseLastWriteHasNotReachedTheReplicaReadsFromThePrimary() throws SQLException {
		this.behind = "your last write has not reached the replica yet";
		assertThat(name(this.reads.getConnection())).isEqualTo("primary");
		assertThat(this.routes.current().reason()).isEqualTo(this.behind);
		assertThat(this.replica.attempts).as("the replica was asked, and found behind").isEqualTo(1);
	}

	@Test
	void withThePrimaryDownReadsTakeTheReplicaWhateverItsState() throws SQLException {
		this.primaryDown = true;
		this.replicaProblem = "replication stopped";
		this.behind = "your last write has not reached the replica yet";
		assertThat(name(this.reads.getConnection())).isEqualTo("replica");
		assertThat(this.routes.current()).isEqualTo(new Route(Route.Target.REPLICA, "primary unreachable"));
	}

	private double connections(String target) {
		return this.registry.get("webstack.datasource.connections").tag("target", target).counter().count();
	}

	private static String name(Connection connection) throws SQLException {
		return connection.getCatalog();
	}

	/** A pool that hands out inert connections named after it, or fails like Hikari on timeout. */
	private static final class Pool implements DataSource {

		private final String name;

		private boolean down;

		private int attempts;

		Pool(String name) {
			this.name = name;
		}

		@Override
		public Connection getConnection() throws SQLException {
			this.attempts++;
			if (this.down) {
				throw new SQLTransientConnectionException(this.name + " - Connection is not available");
			}
			return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
					(proxy, method, args) -> "getCatalog".equals(method.getName()) ? this.name : null);
		}

		@Override
		public Connection getConnection(String username, String password) {
			throw new UnsupportedOperationException();
		}

		@Override
		public PrintWriter getLogWriter() {
			return null;
		}

		@Override
		public void setLogWriter(PrintWriter out) {
		}

		@Override
		public void setLoginTimeout(int seconds) {
		}

		@Override
		public int getLoginTimeout() {
			return 0;
		}

		@Override
		public Logger getParentLogger() {
			return Logger.getGlobal();
		}

		@Override
		public <T> T unwrap(Class<T> iface) {
			throw new UnsupportedOperationException();
		}

		@Override
		public boolean isWrapperFor(Class<?> iface) {
			return false;
		}

	}

}
