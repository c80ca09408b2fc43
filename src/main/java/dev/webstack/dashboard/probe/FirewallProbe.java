package dev.webstack.dashboard.probe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Whether this host has nftables rules loaded, as {@code ./stack} recorded it: listing
 * the tables ({@code nft list tables}) needs root, and the app servers run as an
 * unprivileged account, so {@code ./stack}, run as root, writes what {@code nft list
 * tables} says to a file on every {@code up}, {@code restart} and {@code reload}
 * ({@code .stack/run/nft-tables}; {@code webstack.infra.firewall-tables-file}), and this
 * probe reads that file. No file: {@code ./stack} did not run as root, or never ran on
 * this host (Docker), and the answer is unknown.
 */
class FirewallProbe {

	private final Path tablesFile;

	FirewallProbe(Path tablesFile) {
		this.tablesFile = tablesFile;
	}

	FirewallStatus probe() throws IOException {
		String out;
		Instant recorded;
		try {
			recorded = Files.getLastModifiedTime(this.tablesFile).toInstant();
			out = Files.readString(this.tablesFile, StandardCharsets.UTF_8).strip();
		}
		catch (NoSuchFileException ex) {
			return new FirewallStatus(false, 0, "nothing recorded in " + this.tablesFile
					+ ": ./stack records what nft list tables says there when it runs as root");
		}
		long tables = out.lines().filter((line) -> line.startsWith("table ")).count();
		String seen = (tables == 0) ? "no tables loaded" : out.replace('\n', ';');
		return new FirewallStatus(true, (int) tables,
				"nft list tables, as ./stack recorded it at " + recorded + " in " + this.tablesFile + ": " + seen);
	}

}
