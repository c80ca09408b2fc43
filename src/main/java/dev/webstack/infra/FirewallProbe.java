package dev.webstack.infra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Whether this host has nftables rules loaded, asked of {@code nft} itself.
 */
class FirewallProbe {

	FirewallStatus probe() throws InterruptedException {
		Process process;
		try {
			process = new ProcessBuilder("nft", "list", "tables").redirectErrorStream(true).start();
		}
		catch (IOException ex) {
			return new FirewallStatus(false, 0, "nft is not installed on this host, so its rules cannot be read");
		}
		String out;
		try {
			out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
		}
		catch (IOException ex) {
			return new FirewallStatus(false, 0, "nft gave no answer: " + ex.getMessage());
		}
		if (!process.waitFor(2, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			return new FirewallStatus(false, 0, "nft did not answer within 2s");
		}
		if (process.exitValue() != 0) {
			return new FirewallStatus(false, 0, "nft refused: " + out);
		}
		long tables = out.lines().filter((line) -> line.startsWith("table ")).count();
		return new FirewallStatus(true, (int) tables,
				(tables == 0) ? "nft list tables: no tables loaded" : "nft list tables: " + out.replace('\n', ';'));
	}

}
