package dev.webstack.dashboard.probe;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The firewall probe reads what {@code ./stack} recorded of {@code nft list tables}
 * (captured from the real tool), since the app servers may not ask nft themselves.
 */
class FirewallProbeTests {

	@TempDir
	private Path dir;

	@Test
	void countsTheTablesThatStackRecorded() throws Exception {
		Path file = Files.writeString(this.dir.resolve("nft-tables"), "table inet filter\ntable ip nat\n");
		FirewallStatus status = new FirewallProbe(file).probe();
		assertThat(status.known()).isTrue();
		assertThat(status.tables()).isEqualTo(2);
		assertThat(status.evidence()).contains("as ./stack recorded it", file.toString(), "table inet filter");
	}

	@Test
	void anEmptyRecordMeansNoRulesLoaded() throws Exception {
		Path file = Files.writeString(this.dir.resolve("nft-tables"), "");
		FirewallStatus status = new FirewallProbe(file).probe();
		assertThat(status.known()).isTrue();
		assertThat(status.tables()).isZero();
		assertThat(status.evidence()).contains("no tables loaded");
	}

	@Test
	void nothingRecordedIsUnknownAndSaysWhy() throws Exception {
		FirewallStatus status = new FirewallProbe(this.dir.resolve("nft-tables")).probe();
		assertThat(status.known()).isFalse();
		assertThat(status.evidence()).contains("nothing recorded", "./stack records", "as root");
	}

	@Test
	void inTheHostsModeEveryHostMustHaveItsRulesAndTheBareOnesAreNamed() throws Exception {
		Path hosts = Files.createDirectory(this.dir.resolve("nft-tables.d"));
		Files.writeString(hosts.resolve("lb-1"), "table inet webstack_lb\n");
		Files.writeString(hosts.resolve("db-1"), "table inet webstack_db\ntable ip extra\n");
		// ./stack's half-written record is not a host.
		Files.writeString(hosts.resolve("db-2.new"), "");
		FirewallStatus all = new FirewallProbe(hosts).probe();
		assertThat(all.known()).isTrue();
		assertThat(all.tables()).isEqualTo(1);
		assertThat(all.evidence()).startsWith("every host has its rules")
			.contains("db-1: inet webstack_db, ip extra", "lb-1: inet webstack_lb")
			.doesNotContain("db-2");

		Files.writeString(hosts.resolve("web-1"), "");
		FirewallStatus oneBare = new FirewallProbe(hosts).probe();
		assertThat(oneBare.known()).isTrue();
		assertThat(oneBare.tables()).isZero();
		assertThat(oneBare.evidence()).startsWith("no rules loaded on web-1").contains("web-1: none");
	}

	@Test
	void anEmptyHostsRecordIsUnknown() throws Exception {
		Path hosts = Files.createDirectory(this.dir.resolve("nft-tables.d"));
		FirewallStatus status = new FirewallProbe(hosts).probe();
		assertThat(status.known()).isFalse();
		assertThat(status.evidence()).contains("no host recorded");
	}

}
