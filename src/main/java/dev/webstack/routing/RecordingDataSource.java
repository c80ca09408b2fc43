package dev.webstack.routing;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The primary, as seen by read-write work: records that a connection came from it.
 */
class RecordingDataSource extends DelegatingDataSource {

	private final RouteRecorder routes;

	RecordingDataSource(DataSource primary, RouteRecorder routes) {
		super(primary);
		this.routes = routes;
	}

	@Override
	public Connection getConnection() throws SQLException {
		Connection connection = obtainTargetDataSource().getConnection();
		this.routes.record(new Route(Route.Target.PRIMARY, "read-write transaction"));
		this.routes.recordWrite();
		return connection;
	}

}
