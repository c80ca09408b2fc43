package dev.webstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.ResourceLock;

import static dev.webstack.HostsMode.namespaces;
import static dev.webstack.HostsMode.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The hosts mode's network (`./stack net up`): a namespace per host, on the networks
 * docker/compose.yaml gives it, this machine on front alone, each host's firewall loaded;
 * exactly the README's flows connect; `down` and a failed `up` leave no namespace, link
 * or route behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ResourceLock(Lanes.OTHERS)
@Order(4)
class HostsNetworkStackIntegrationTests {

	/** Instance 26: 10.88.78.0/24 (front), .79 (app), .80 (back); names ws26-*. */
	private static final int OFFSET = 26000;

	private static final String PREFIX = "ws26-";

	private static final Map<String, List<String>> NETWORKS = Map.of("lb-1", List.of("front", "app"), "web-1",
			List.of("front", "app"), "app-1", List.of("app", "back"), "app-2", List.of("app", "back"), "db-1",
			List.of("back"), "db-2", List.of("back"), "mon-1", List.of("front", "app", "back"));

	private static final Map<String, Integer> OCTETS = Map.of("lb-1", 10, "web-1", 20, "app-1", 31, "app-2", 32,
			"db-1", 41, "db-2", 42, "mon-1", 50);

	private static final Map<String, Integer> SUBNETS = Map.of("front", 78, "app", 79, "back", 80);

	/**
	 * The ports each host's services listen on in the hosts mode (9100: every host's node
	 * exporter), and a Galera node's (4444, 4567, 4568), which the databases' firewall admits
	 * from each other for the ha mode.
	 */
	private static final Map<String, List<Integer>> PORTS = Map.of("lb-1", List.of(80, 443, 8404, 9100), "web-1",
			List.of(8081, 8082, 8090, 9100), "app-1", List.of(9001, 9101, 9100), "app-2", List.of(9002, 9102, 9100),
			"db-1", List.of(3306, 4444, 4567, 4568, 9201, 9100), "db-2", List.of(3306, 4444, 4567, 4568, 9202, 9100),
			"mon-1", List.of(9090, 9093, 9100));

	private static TestStack stack;

	@BeforeAll
	static void create() throws Exception {
		assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false),
				"network namespaces need root");
		stack = new TestStack(OFFSET);
	}

	@AfterAll
	static void destroy() throws Exception {
		if (stack != null) {
			stack.destroy();
			assertNothingLeft();
		}
	}

	@Test
	@Order(1)
	void upMakesOneHostPerComponentOnItsNetworksWithNoRouteOut() throws Exception {
		assertThat(stack.stack("net", "up")).contains("creating the hosts' network");
		assertThat(namespaces(PREFIX)).containsExactlyInAnyOrder(PREFIX + "net", PREFIX + "lb-1", PREFIX + "web-1",
				PREFIX + "app-1", PREFIX + "app-2", PREFIX + "db-1", PREFIX + "db-2", PREFIX + "mon-1");
		for (var host : NETWORKS.entrySet()) {
			Set<String> addresses = new TreeSet<>();
			for (String line : run("ip", "-n", PREFIX + host.getKey(), "-4", "-o", "addr", "show").split("\n")) {
				addresses.add(line.replaceAll(".* inet ([0-9.]+)/.*", "$1"));
			}
			Set<String> expected = new TreeSet<>(Set.of("127.0.0.1"));
			host.getValue().forEach((network) -> expected.add(address(host.getKey(), network)));
			assertThat(addresses).as(host.getKey()).isEqualTo(expected);
			assertThat(run("ip", "-n", PREFIX + host.getKey(), "route", "show")).as(host.getKey() + "'s routes")
				.doesNotContain("default");
			assertThat(run("ip", "-n", PREFIX + host.getKey(), "-6", "addr", "show")).as("no IPv6").isBlank();
		}
		assertThat(run("ip", "-4", "route", "show")).contains("10.88.78.0/24 dev ws26-front")
			.contains("unreachable 10.88.79.0/24", "unreachable 10.88.80.0/24");
		assertThat(stack.stack("net", "status")).contains("db-1     ws26-db-1            back 10.88.80.41");
		assertThat(stack.stack("net", "up")).as("up again makes nothing").contains("up already");
	}

	/**
	 * Every port a service of the hosts mode listens on, a stand-in (socat) listening there
	 * on every address of its host; from every host and from this machine, a connection to
	 * every one of them, on every address the two share. What connects is exactly the
	 * README's table of allowed flows; everything else is dropped by the firewalls (or has
	 * no route).
	 */
	@Test
	@Order(2)
	void theFirewallsLetThroughExactlyTheFlowsOfTheReadmesTable() throws Exception {
		List<ChildProcess> listeners = new ArrayList<>();
		ExecutorService attempts = Executors.newFixedThreadPool(32);
		try {
			for (var host : PORTS.entrySet()) {
				for (int port : host.getValue()) {
					listeners.add(ChildProcess.start(new ProcessBuilder("ip", "netns", "exec", PREFIX + host.getKey(),
							"socat", "TCP-LISTEN:" + port + ",fork,reuseaddr", "OPEN:/dev/null")));
				}
			}
			for (var host : PORTS.entrySet()) {
				await(host.getKey() + " listening").atMost(Duration.ofSeconds(30))
					.pollInterval(Duration.ofMillis(100))
					.until(() -> run("ip", "netns", "exec", PREFIX + host.getKey(), "ss", "-Hltn").lines().count(),
							(count) -> count == host.getValue().size());
			}
			List<String> sources = new ArrayList<>(NETWORKS.keySet());
			sources.add("this machine");
			Map<String, Future<Boolean>> tried = new TreeMap<>();
			for (String source : sources) {
				for (var target : PORTS.entrySet()) {
					if (target.getKey().equals(source)) {
						continue;
					}
					for (int port : target.getValue()) {
						tried.put(source + " -> " + target.getKey() + ":" + port,
								attempts.submit(() -> connectsAnyShared(source, target.getKey(), port)));
					}
				}
			}
			Set<String> connected = new TreeSet<>();
			for (var attempt : tried.entrySet()) {
				if (attempt.getValue().get(2, TimeUnit.MINUTES)) {
					connected.add(attempt.getKey());
				}
			}
			assertThat(connected).isEqualTo(readmeFlows());
		}
		finally {
			attempts.shutdownNow();
			for (ChildProcess listener : listeners) {
				listener.finish(Duration.ZERO);
			}
		}
	}

	/** The README's table of allowed flows, one "from -> to:port" per pair. */
	private static Set<String> readmeFlows() throws Exception {
		List<String> lines = Files.readAllLines(Path.of("README.md"));
		int start = lines.indexOf(lines.stream().filter((l) -> l.contains("<!-- flows:")).findFirst().orElseThrow());
		Set<String> flows = new TreeSet<>();
		for (String line : lines.subList(start + 3, lines.size())) {
			if (!line.strip().startsWith("|")) {
				break;
			}
			String[] cells = line.strip().split("\\|");
			Set<String> sources = new TreeSet<>();
			for (String from : cells[1].split(",")) {
				sources.addAll(onNetwork(from.strip()));
			}
			for (String from : sources) {
				for (String to : cells[2].split(",")) {
					for (String port : cells[3].split(",")) {
						if (!from.equals(to.strip())) {
							flows.add(from + " -> " + to.strip() + ":" + port.strip());
						}
					}
				}
			}
		}
		assertThat(flows).hasSizeGreaterThan(30);
		return flows;
	}

	/** A host's name as it is, or a network's name for everyone on it (this machine is on front). */
	private static List<String> onNetwork(String name) {
		if (!SUBNETS.containsKey(name)) {
			return List.of(name);
		}
		List<String> hosts = new ArrayList<>(
				NETWORKS.keySet().stream().filter((host) -> NETWORKS.get(host).contains(name)).toList());
		if (name.equals("front")) {
			hosts.add("this machine");
		}
		return hosts;
	}

	/** Whether a connection from a host (or this machine) to a host's port succeeds on any address they share. */
	private static boolean connectsAnyShared(String source, String target, int port) throws Exception {
		List<String> sourceNetworks = NETWORKS.getOrDefault(source, List.of("front"));
		List<String> shared = NETWORKS.get(target).stream().filter(sourceNetworks::contains).toList();
		if (shared.isEmpty()) {
			// No network in common: not even a route. Tried anyway, on the target's first address.
			return connects(source, address(target, NETWORKS.get(target).get(0)) + ":" + port);
		}
		for (String network : shared) {
			if (connects(source, address(target, network) + ":" + port)) {
				return true;
			}
		}
		return false;
	}

	@Test
	@Order(3)
	void downRemovesEveryNamespaceLinkAndRoute() throws Exception {
		stack.stack("net", "down");
		assertNothingLeft();
		assertThat(stack.stack("net", "status")).contains("down");
	}

	@Test
	@Order(4)
	void anUpThatFailsHalfwayLeavesNothingBehind() throws Exception {
		// A namespace in the way of db-2's: up fails there, after the switch and five hosts.
		run("ip", "netns", "add", PREFIX + "db-2");
		TestStack.Result failed = stack.run(Map.of(), "net", "up");
		assertThat(failed.exitCode()).isNotZero();
		assertThat(failed.output()).contains("could not create the hosts' network (nothing is left of it)");
		assertNothingLeft();
	}

	@Test
	@Order(5)
	void aSubnetThisMachineRoutesAlreadyIsRefusedBeforeAnythingIsMade() throws Exception {
		run("ip", "route", "add", "blackhole", "10.88.80.0/24");
		try {
			TestStack.Result refused = stack.run(Map.of(), "net", "up");
			assertThat(refused.exitCode()).isNotZero();
			assertThat(refused.output()).contains("this machine already routes 10.88.80.0/24 (the back network)");
			assertThat(namespaces(PREFIX)).isEmpty();
		}
		finally {
			run("ip", "route", "del", "blackhole", "10.88.80.0/24");
		}
	}

	private static String address(String host, String network) {
		return "10.88." + SUBNETS.get(network) + "." + OCTETS.get(host);
	}

	/** Whether a TCP connection from a host (or this machine) to an address and port succeeds within 3 s. */
	private static boolean connects(String source, String address) throws Exception {
		return HostsMode.connects(source.equals("this machine") ? null : PREFIX + source, address);
	}

	private static void assertNothingLeft() throws Exception {
		HostsMode.assertNothingLeft(PREFIX, "10.88.78.", "10.88.79.", "10.88.80.");
	}

}
