package dev.webstack.dashboard.probe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Whether this host has nftables rules loaded, as {@code ./stack} recorded it: listing
 * the tables ({@code nft list tables}) needs root, and the app servers run as an
 * unprivileged account, so {@code ./stack}, run as root, writes what {@code nft list
 * tables} says to a file on every {@code up}, {@code restart} and {@code reload}
 * ({@code .stack/run/nft-tables}; {@code webstack.infra.firewall-tables-file}), and this
 * probe reads that file. No file: {@code ./stack} did not run as root, or never ran on
 * this host (Docker), and the answer is unknown. In the hosts mode the record is a
 * directory with one such file per host, named after it, each read inside that host's
 * network namespace; the hosts are only as protected as the barest of them.
 */
class FirewallProbe {

	/** A host's record is named after it ({@code lb-1}); {@code ./stack}'s temporary files are not. */
	private static final Pattern HOST_NAME = Pattern.compile("[a-z]+-[0-9]+");

	private final Path tablesFile;

	FirewallProbe(Path tablesFile) {
		this.tablesFile = tablesFile;
	}

	FirewallStatus probe() throws IOException {
		if (Files.isDirectory(this.tablesFile)) {
			return probeHosts();
		}
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

	/** Every host's record: the fewest tables any host has, and which hosts have none. */
	private FirewallStatus probeHosts() throws IOException {
		List<Path> records;
		try (Stream<Path> files = Files.list(this.tablesFile)) {
			records = files.filter((file) -> HOST_NAME.matcher(file.getFileName().toString()).matches())
				.filter(Files::isRegularFile)
				.sorted()
				.toList();
		}
		if (records.isEmpty()) {
			return new FirewallStatus(false, 0, "no host recorded in " + this.tablesFile
					+ ": ./stack records each host's nft list tables there in the hosts mode");
		}
		int fewest = Integer.MAX_VALUE;
		List<String> seen = new ArrayList<>();
		List<String> bare = new ArrayList<>();
		for (Path record : records) {
			String host = record.getFileName().toString();
			List<String> tables = Files.readString(record, StandardCharsets.UTF_8)
				.lines()
				.filter((line) -> line.startsWith("table "))
				.map((line) -> line.substring("table ".length()).strip())
				.toList();
			fewest = Math.min(fewest, tables.size());
			if (tables.isEmpty()) {
				bare.add(host);
			}
			seen.add(host + ": " + (tables.isEmpty() ? "none" : String.join(", ", tables)));
		}
		String verdict = bare.isEmpty() ? "every host has its rules"
				: "no rules loaded on " + String.join(", ", bare);
		return new FirewallStatus(true, fewest, verdict + " (nft list tables in each host, as ./stack recorded it in "
				+ this.tablesFile + ": " + String.join("; ", seen) + ")");
	}

}
