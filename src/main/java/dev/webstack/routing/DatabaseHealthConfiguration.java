package dev.webstack.routing;

import java.sql.Connection;
import java.sql.SQLException;

import com.zaxxer.hikari.HikariDataSource;
import dev.webstack.mysql.DatabaseFlavor;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Health of the two databases and of the replication between them. A lost or lagging
 * replica makes the app DEGRADED (reads fall back to the primary), not DOWN; none of these
 * is in the readiness group, so a database outage never takes every app server out of the
 * load balancer at once.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseHealthConfiguration {

	/** Serving, with reduced redundancy or performance. */
	static final Status DEGRADED = new Status("DEGRADED");

	@Bean
	HealthIndicator primaryHealthIndicator(@Qualifier("primaryPool") HikariDataSource primary) {
		return () -> {
			try (Connection connection = primary.getConnection()) {
				DatabaseFlavor flavor = DatabaseFlavor.detect(connection);
				boolean readOnly = ReplicationMonitor.readOnly(connection, flavor);
				connection.commit();
				Health.Builder health = readOnly ? Health.status(DEGRADED).withDetail("problem", "primary is read-only")
						: Health.up();
				return health.withDetail("flavor", flavor.name()).withDetail("readOnly", readOnly).build();
			}
			catch (SQLException ex) {
				return Health.down().withDetail("error", ex.getMessage()).build();
			}
		};
	}

	@Bean
	HealthIndicator replicaHealthIndicator(ReplicationMonitor monitor) {
		return () -> {
			ReplicationState state = monitor.state();
			Health.Builder health = state.reachable() ? Health.up() : Health.status(DEGRADED);
			health.withDetail("reachable", state.reachable()).withDetail("readOnly", state.readOnly());
			if (state.error() != null) {
				health.withDetail("error", state.error());
			}
			return health.build();
		};
	}

	@Bean
	HealthIndicator replicationHealthIndicator(ReplicationMonitor monitor) {
		return () -> {
			ReplicationState state = monitor.state();
			String problem = state.problem(monitor.maxLagSeconds());
			Health.Builder health = (problem == null) ? Health.up()
					: Health.status(DEGRADED).withDetail("problem", problem);
			double lag = state.lagSeconds();
			return health.withDetail("ioThreadRunning", state.status().ioRunning())
				.withDetail("sqlThreadRunning", state.status().sqlRunning())
				.withDetail("lagSeconds", Double.isInfinite(lag) ? "unbounded" : lag)
				.withDetail("secondsBehindReportedByServer", String.valueOf(state.status().secondsBehind()))
				.withDetail("lastError", state.status().lastError())
				.withDetail("measuredAt", state.measuredAt().toString())
				.build();
		};
	}

}
