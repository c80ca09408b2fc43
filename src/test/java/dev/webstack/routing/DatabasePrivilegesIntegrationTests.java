package dev.webstack.routing;

import java.util.Arrays;
import java.util.List;

import dev.webstack.DatabasePair;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Least privilege in the databases that ./stack provisions: each account can do its job
 * and nothing more, and only root, over the local socket, holds the dangerous privileges.
 */
class DatabasePrivilegesIntegrationTests {

	@Test
	void onlyRootHoldsSuperFileShutdownOrGrant() {
		for (String server : List.of("db-1", "db-2")) {
			String holders = DatabasePair.rootSql(server, "select distinct grantee from information_schema.user_privileges "
					+ "where privilege_type in ('SUPER', 'FILE', 'SHUTDOWN') or is_grantable = 'YES'");
			assertThat(Arrays.asList(holders.split("\n"))).as(server).containsOnly("'root'@'localhost'");
		}
	}

	@Test
	void rootLogsInOverTheLocalSocketOnly() {
		// One root account, for 'localhost' (which, with skip-name-resolve, only the socket
		// matches); its password is the impossible "invalid", so the socket's peer check is
		// the only way in.
		assertThat(DatabasePair.rootSql("db-1", "select host, json_value(priv, '$.authentication_string'), "
				+ "json_extract(priv, '$.auth_or') from mysql.global_priv where user = 'root'"))
			.isEqualTo("localhost\tinvalid\t[{}, {\"plugin\": \"unix_socket\"}]");
		assertThatThrownBy(() -> java.sql.DriverManager.getConnection(
				"jdbc:mysql://127.0.0.1:" + DatabasePair.PRIMARY_PORT + "/", "root", ""))
			.isInstanceOf(java.sql.SQLException.class)
			.hasMessageContaining("Access denied");
	}

	@Test
	void eachAccountHasOnlyWhatItsJobNeeds() {
		assertThat(grants("webstack_app")).containsExactly(
				"GRANT SELECT, INSERT, UPDATE, DELETE ON `webstack`.* TO `webstack_app`@`127.0.0.1`");
		assertThat(grants("webstack_migrations")).containsExactly("GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, "
				+ "REFERENCES, INDEX, ALTER, CREATE VIEW, SHOW VIEW ON `webstack`.* TO `webstack_migrations`@`127.0.0.1`");
		assertThat(grants("webstack_repl")).containsExactly("GRANT REPLICATION SLAVE ON *.* TO `webstack_repl`@`127.0.0.1`");
		assertThat(grants("webstack_monitor")).containsExactly("GRANT SLAVE MONITOR ON *.* TO `webstack_monitor`@`127.0.0.1`");
		assertThat(grants("webstack_exporter")).containsExactly(
				"GRANT PROCESS, SLAVE MONITOR ON *.* TO `webstack_exporter`@`127.0.0.1` WITH MAX_USER_CONNECTIONS 3");
	}

	/** An account's grants, without the line that sets its password. */
	private static List<String> grants(String user) {
		return Arrays.stream(DatabasePair.rootSql("db-1", "show grants for '" + user + "'@'127.0.0.1'").split("\n"))
			.map((line) -> line.replaceAll(" IDENTIFIED BY PASSWORD '[^']*'", ""))
			.filter((line) -> !line.startsWith("GRANT USAGE"))
			.toList();
	}

}
