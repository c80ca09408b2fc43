package dev.webstack.routing;

import dev.webstack.DatabasePair;
import dev.webstack.DatabasePairTests;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The schema is migrated at start by its own account (the app's has no DDL), and once it
 * is, the app server keeps that account's password in no object.
 */
class MigrationsIntegrationTests extends DatabasePairTests {

	@Autowired
	private Flyway flyway;

	@Test
	void theMigrationsAccountMigratesAndItsPasswordIsNotKept() {
		assertThat(this.flyway.info().pending()).as("nothing left to migrate").isEmpty();
		assertThat(DatabasePair.rootSql("db-1", "select distinct installed_by from webstack.flyway_schema_history"))
			.isEqualTo("webstack_migrations");
		assertThat(this.flyway.getConfiguration().getPassword()).as("the DDL password, after start").isNull();
		assertThat(this.flyway.getConfiguration().getDataSource().getClass().getName()).as("no DriverDataSource, "
				+ "which would keep it").doesNotContain("DriverDataSource");
	}

}
