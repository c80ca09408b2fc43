package dev.webstack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the tests of the hosts mode ask of this machine's network: commands run as root
 * (ip, nft), connections tried from a host or from here, and what a stack's hosts must
 * leave behind when they are gone: nothing.
 */
final class HostsMode {

	private HostsMode() {
	}

	/** The summary line of scripts/Load.java, as ./stack chaos prints it. */
	private static final Pattern SUMMARY = Pattern.compile("reads (\\d+), failed (\\d+) \\((\\d+) without an answer "
			+ "in 10 s; answered in (\\d+) ms "
			+ "median, (\\d+) ms p99, (\\d+) ms at most; (\\d+) resent after a reset connection\\); writes (\\d+), "
			+ "acknowledged (\\d+), failed (\\d+); retried (\\d+) \\(\\d+ refused HTTP/2 streams\\); failed write "
			+ "attempts (\\d+) \\((\\d+) answered 503\\) over (\\d+) ms; duplicated (\\d+), lost (\\d+)");

	/**
	 * What a fault of {@code ./stack chaos} showed its load: reads, those failed, those of
	 * them that got no answer at all, the answered ones' median, p99 and longest time (ms),
	 * those resent after a reset connection; writes,
	 * acknowledged, failed; failed write attempts, those answered 503, and the time from the
	 * first to the last (ms); writes duplicated and lost.
	 */
	record Figures(long reads, long readFailures, long readTimeouts, long readP50, long readP99, long readMax,
			long resent, long writes, long acknowledged, long writeFailures, long failedSends, long failedSends503,
			long failedSendsWindow, long duplicated, long lost) {

		static Figures of(String out) {
			Matcher m = SUMMARY.matcher(out);
			assertThat(m.find()).as(out).isTrue();
			long[] v = new long[16];
			for (int i = 1; i <= 16; i++) {
				v[i - 1] = Long.parseLong(m.group(i));
			}
			// Group 11 (retried) is left out.
			return new Figures(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[11], v[12], v[13],
					v[14], v[15]);
		}

		/** No read failed, writes were made, and none of those acknowledged was lost or duplicated. */
		void assertNoReadFailedAndNoWriteLost() {
			assertThat(this.reads).as("reads").isGreaterThan(100);
			assertThat(this.readFailures).as("failed reads").isZero();
			assertThat(this.acknowledged).as("acknowledged writes").isPositive();
			assertThat(this.duplicated).as("duplicated writes").isZero();
			assertThat(this.lost).as("lost writes").isZero();
		}

	}

	/** Runs a command, failing unless it succeeds within 30 s; returns its output. */
	static String run(String... command) throws Exception {
		ChildProcess.Result result = ChildProcess.run(new ProcessBuilder(command), Duration.ofSeconds(30));
		assertThat(result.finished() && result.exitCode() == 0).as(String.join(" ", command) + ": " + result.output())
			.isTrue();
		return result.output().strip();
	}

	/** Whether a TCP connection from a host's namespace (or, with null, this machine) succeeds within 3 s. */
	static boolean connects(String namespace, String address) throws Exception {
		List<String> command = new ArrayList<>();
		if (namespace != null) {
			command.addAll(List.of("ip", "netns", "exec", namespace));
		}
		command.addAll(List.of("socat", "-u", "OPEN:/dev/null", "TCP:" + address + ",connect-timeout=3"));
		ChildProcess.Result result = ChildProcess.run(new ProcessBuilder(command), Duration.ofSeconds(30));
		assertThat(result.finished()).as(String.join(" ", command)).isTrue();
		return result.exitCode() == 0;
	}

	/** The namespaces whose names start with the prefix. */
	static List<String> namespaces(String prefix) throws Exception {
		List<String> names = new ArrayList<>();
		for (String line : run("ip", "netns", "list").split("\n")) {
			String name = line.strip().split(" ")[0];
			if (name.startsWith(prefix)) {
				names.add(name);
			}
		}
		return names;
	}

	/** No namespace or link named with the prefix, and no route to the subnets (given as "10.88.78."). */
	static void assertNothingLeft(String prefix, String... subnets) throws Exception {
		assertThat(namespaces(prefix)).as("namespaces").isEmpty();
		assertThat(run("ip", "-o", "link", "show")).as("links").doesNotContain(prefix);
		assertThat(run("ip", "-4", "route", "show")).as("routes").doesNotContain(subnets);
	}

}
