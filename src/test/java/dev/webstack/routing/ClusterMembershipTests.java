package dev.webstack.routing;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

import dev.webstack.routing.ClusterMembership.Node;
import dev.webstack.routing.ClusterMembership.View;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How every app server chooses a Galera cluster's writer and readers from the nodes' own
 * views: the same nodes give the same choice, whichever app server reads them.
 */
class ClusterMembershipTests {

	private static final Instant NOW = Instant.parse("2026-11-29T00:00:00Z");

	private static final List<String> ALL = List.of("10.0.0.1:3306", "10.0.0.2:3306", "10.0.0.3:3306");

	@Test
	void theFirstSyncedMemberWritesAndTheOthersRead() {
		View view = ClusterMembership.choose(List.of(synced("db-1", 1, ALL), synced("db-2", 2, ALL),
				synced("db-3", 3, ALL)), NOW);
		assertThat(view.writer()).isEqualTo("db-1");
		assertThat(view.readers()).containsExactly("db-2", "db-3");
	}

	@Test
	void aDeadWriterIsReplacedByTheNextSyncedMember() {
		List<String> two = List.of("10.0.0.2:3306", "10.0.0.3:3306");
		View view = ClusterMembership.choose(List.of(Node.unreachable("db-1", "10.0.0.1:3306", "refused"),
				synced("db-2", 2, two), synced("db-3", 3, two)), NOW);
		assertThat(view.writer()).isEqualTo("db-2");
		assertThat(view.readers()).containsExactly("db-3");
	}

	@Test
	void aNodeCutOffWithAMinorityNeitherWritesNorReads() {
		// db-1 still answers this app server, but its own view is a non-primary component.
		Node minority = new Node("db-1", "10.0.0.1:3306", true, "non-Primary", "Initialized", 1,
				List.of("10.0.0.1:3306"), null);
		List<String> majority = List.of("10.0.0.2:3306", "10.0.0.3:3306");
		View view = ClusterMembership.choose(List.of(minority, synced("db-2", 2, majority),
				synced("db-3", 3, majority)), NOW);
		assertThat(view.writer()).isEqualTo("db-2");
		assertThat(view.readers()).containsExactly("db-3");
	}

	@Test
	void aJoiningNodeServesNothingUntilSynced() {
		Node joining = new Node("db-1", "10.0.0.1:3306", true, "Primary", "Joined", 3, ALL, null);
		View view = ClusterMembership.choose(List.of(joining, synced("db-2", 2, ALL), synced("db-3", 3, ALL)),
				NOW);
		assertThat(view.writer()).isEqualTo("db-2");
		assertThat(view.readers()).containsExactly("db-3");
	}

	@Test
	void withoutAPrimaryComponentNobodyWrites() {
		Node lone = new Node("db-2", "10.0.0.2:3306", true, "non-Primary", "Initialized", 1,
				List.of("10.0.0.2:3306"), null);
		View view = ClusterMembership.choose(List.of(Node.unreachable("db-1", "10.0.0.1:3306", "timed out"), lone,
				Node.unreachable("db-3", "10.0.0.3:3306", "timed out")), NOW);
		assertThat(view.writer()).isNull();
		assertThat(view.readers()).isEmpty();
		assertThat(view.noWriterReason()).contains("no database node this app server reaches is in the cluster's "
				+ "primary component");
	}

	@Test
	void theAddressOfANodeIsItsHostAndPortAsTheClusterListsIt() {
		assertThat(ClusterMembership.address("jdbc:mysql://10.88.98.41:3306/webstack")).isEqualTo("10.88.98.41:3306");
		assertThat(ClusterMembership.address("jdbc:mysql://db-1/webstack?x=1")).isEqualTo("db-1:3306");
	}

	@Test
	void aStatementRefusedOutsideThePrimaryComponentIsTold() {
		assertThat(ClusterMembership.refusedOutsideThePrimaryComponent(
				new SQLException("WSREP has not yet prepared node for application use", "08S01", 1047)))
			.isTrue();
		assertThat(ClusterMembership.refusedOutsideThePrimaryComponent(new SQLException(
				"Error while appending streaming replication fragment(provider status: Not connected to Primary "
						+ "Component)")))
			.isTrue();
		assertThat(ClusterMembership.refusedOutsideThePrimaryComponent(
				new SQLException("Duplicate entry '2' for key 'PRIMARY'", "23000", 1062)))
			.isFalse();
	}

	private static Node synced(String name, int octet, List<String> members) {
		return new Node(name, "10.0.0." + octet + ":3306", true, "Primary", "Synced", members.size(), members, null);
	}

}
