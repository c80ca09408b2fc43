package dev.webstack.mysql;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replication status in both flavours' words, parsed from outputs captured from real
 * servers (MariaDB 10.11 here; MySQL 8.4 from its documented column set).
 */
class ReplicaStatusTests {

	@Test
	void flavourComesFromTheVersionString() {
		assertThat(DatabaseFlavor.fromVersion("10.11.19-MariaDB-0+deb12u1-log")).isEqualTo(DatabaseFlavor.MARIADB);
		assertThat(DatabaseFlavor.fromVersion("5.5.5-10.11.19-MariaDB")).isEqualTo(DatabaseFlavor.MARIADB);
		assertThat(DatabaseFlavor.fromVersion("8.4.6")).isEqualTo(DatabaseFlavor.MYSQL);
		assertThat(DatabaseFlavor.MYSQL.replicaStatusQuery()).isEqualTo("SHOW REPLICA STATUS");
		assertThat(DatabaseFlavor.MYSQL.readOnlyQuery()).isEqualTo("select @@super_read_only");
		assertThat(DatabaseFlavor.MARIADB.readOnlyQuery()).isEqualTo("select @@read_only");
	}

	@Test
	void mariadbRunningReplica() throws IOException {
		ReplicaStatus status = ReplicaStatus.parse(DatabaseFlavor.MARIADB, captured("mariadb-10.11-running.txt"));
		assertThat(status.running()).isTrue();
		assertThat(status.secondsBehind()).isZero();
		assertThat(status.lastError()).isEmpty();
	}

	@Test
	void mariadbStoppedIoThreadHasNoLag() throws IOException {
		ReplicaStatus status = ReplicaStatus.parse(DatabaseFlavor.MARIADB, captured("mariadb-10.11-io-stopped.txt"));
		assertThat(status.ioRunning()).isFalse();
		assertThat(status.sqlRunning()).isTrue();
		assertThat(status.running()).isFalse();
		assertThat(status.secondsBehind()).as("the server reports NULL, not zero").isNull();
	}

	@Test
	void mysqlRunningReplica() throws IOException {
		ReplicaStatus status = ReplicaStatus.parse(DatabaseFlavor.MYSQL, captured("mysql-8.4-running.txt"));
		assertThat(status.running()).isTrue();
		assertThat(status.secondsBehind()).isEqualTo(3L);
	}

	@Test
	void mysqlReplicaThatCannotReachItsSource() throws IOException {
		ReplicaStatus status = ReplicaStatus.parse(DatabaseFlavor.MYSQL, captured("mysql-8.4-io-error.txt"));
		assertThat(status.ioRunning()).as("'Connecting' is not running").isFalse();
		assertThat(status.running()).isFalse();
		assertThat(status.secondsBehind()).isNull();
		assertThat(status.lastError()).contains("Unknown MySQL server host 'db-1'");
	}

	@Test
	void theOtherFlavoursColumnsAreNotMistakenForRunningThreads() throws IOException {
		ReplicaStatus status = ReplicaStatus.parse(DatabaseFlavor.MYSQL, captured("mariadb-10.11-running.txt"));
		assertThat(status.running()).isFalse();
	}

	/** Reads a {@code \G} (vertical) capture of SHOW REPLICA/SLAVE STATUS into column -> value. */
	private static Map<String, String> captured(String name) throws IOException {
		try (InputStream in = ReplicaStatusTests.class.getResourceAsStream("/replica-status/" + name)) {
			Map<String, String> row = new LinkedHashMap<>();
			for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
				int colon = line.indexOf(':');
				if (colon > 0 && !line.startsWith("*")) {
					row.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
				}
			}
			return row;
		}
	}

}
