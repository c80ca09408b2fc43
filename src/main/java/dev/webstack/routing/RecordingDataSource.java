package dev.webstack.routing;

import java.sql.Connection;
import java.sql.SQLException;

import java.util.function.BooleanSupplier;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The primary, as seen by read-write work: records that a connection came from it, and
 * refuses at once while the primary is known to be unreachable (read-only mode).
 */
class RecordingDataSource extends DelegatingDataSource {

	private final RouteRecorder routes;

	private final BooleanSupplier primaryUnreachable;

	RecordingDataSource(DataSource primary, RouteRecorder routes, BooleanSupplier primaryUnreachable) {
		super(primary);
		this.routes = routes;
		this.primaryUnreachable = primaryUnreachable;
	}

	@Override
	public Connection getConnection() throws SQLException {
		if (this.primaryUnreachable.getAsBoolean()) {
			throw new PrimaryUnavailableException();
		}
		Connection connection = obtainTargetDataSource().getConnection();
		this.routes.record(new Route(Route.Target.PRIMARY, "read-write transaction"));
		this.routes.recordWrite();
		return connection;
	}

}
