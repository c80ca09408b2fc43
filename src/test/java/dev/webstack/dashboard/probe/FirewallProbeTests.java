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

}
