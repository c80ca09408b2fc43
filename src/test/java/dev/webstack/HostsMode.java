package dev.webstack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the tests of the hosts mode ask of this machine's network: commands run as root
 * (ip, nft), connections tried from a host or from here, and what a stack's hosts must
 * leave behind when they are gone: nothing.
 */
final class HostsMode {

	private HostsMode() {
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
