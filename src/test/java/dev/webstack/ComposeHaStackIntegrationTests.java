package dev.webstack;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.webstack.LoadGenerator.Progress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ha flavour of the Compose stack ({@code docker/compose.ha.yaml} over compose.yaml and
 * compose.local.yaml) run for real: two load balancer containers whose keepalived shares
 * the site's address (172.30.0.100 on the front bridge, reached from this machine), two web
 * servers, a three-node Galera cluster. The site round-robin over the four paths; the
 * dashboard with every pair and no single point of failure; a post on every node; the
 * load balancer holding the address killed under load (the other takes it), then the
 * writer node (the next one writes, refused writes answered 503 for at most 10 s), each
 * named on the dashboard as the survivor of its pair until the container is started again
 * and rejoins; and {@code down -v} leaving nothing behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ResourceLock(Lanes.OTHERS)
@Order(9)
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class ComposeHaStackIntegrationTests {

	/** The address keepalived moves between lb-1 and lb-2 (compose.ha.yaml). */
	private static final String SITE = "https://172.30.0.100";

	/** The ha topology's components and Prometheus (which runs in Compose). */
	private static final List<String> COMPONENTS = Stream.concat(HaSite.COMPONENTS.stream(), Stream.of("prometheus"))
		.toList();

	@TempDir
	static Path dir;

	private static ComposeProject stack;

	private static HaSite site;

	@BeforeAll
	static void up() throws Exception {
		// lb-1 still publishes its ports (compose.yaml's): elsewhere than the other class's.
		stack = ComposeProject.copyInto(dir, List.of("docker/compose.local.yaml", "docker/compose.ha.yaml"),
				Map.of("WEBSTACK_HTTP_PORT", "25080", "WEBSTACK_HTTPS_PORT", "25443"));
		stack.assertSucceeds(Duration.ofMinutes(15), stack.compose("up", "-d", "--build"));
		site = new HaSite(SITE, new SiteBrowser(SITE, stack.certificate()).client(), () -> stack.secret("admin-password"));
		await("the site at the shared address").atMost(Duration.ofMinutes(3))
			.pollInterval(Duration.ofSeconds(1))
			.ignoreExceptions()
			.until(() -> site.get("/").statusCode() == 200);
	}

	@AfterAll
	static void downEvenAfterAFailure() throws Exception {
		if (stack != null) {
			stack.down();
		}
	}

	@Test
	@Order(1)
	void theSiteAtTheSharedAddressIsRoundRobinOverEveryWebAndAppServerPathFromOneHolder() throws Exception {
		Set<String> paths = new TreeSet<>();
		Set<String> holders = new TreeSet<>();
		for (int i = 0; i < 16; i++) {
			HttpResponse<String> page = site.get("/");
			assertThat(page.statusCode()).isEqualTo(200);
			holders.add(page.headers().firstValue("X-Load-Balancer").orElseThrow());
			paths.add(page.headers().firstValue("X-Web-Server").orElseThrow() + " "
					+ page.headers().firstValue("X-App-Server").orElseThrow());
		}
		assertThat(paths).containsExactly("web-1 app-1", "web-1 app-2", "web-2 app-1", "web-2 app-2");
		assertThat(holders).hasSize(1).containsAnyOf("lb-1", "lb-2");
		// The address is on the holder's container alone.
		for (String lb : List.of("lb-1", "lb-2")) {
			String addresses = stack.run(Duration.ofSeconds(30), stack.compose("exec", "-T", lb, "ip", "-4", "-o", "addr"))
				.output();
			assertThat(addresses.contains(" 172.30.0.100/24 ")).as(lb + ": " + addresses).isEqualTo(holders.contains(lb));
		}
	}

	@Test
	@Order(2)
	void theDashboardShowsEveryPairTheHolderAndTheWriterAndNoSinglePointOfFailure() throws Exception {
		JsonNode status = site.awaitEveryComponentUp(COMPONENTS, Duration.ofSeconds(90));
		String holder = holder();
		String other = otherLoadBalancer(holder);
		assertThat(status.path("spofs")).as("spofs").isEmpty();
		assertThat(HaSite.component(status, holder).path("figures").path("site's address").asString()).isEqualTo("held here");
		assertThat(HaSite.component(status, other).path("figures").path("site's address").asString())
			.isEqualTo("held by " + holder);
		assertThat(HaSite.component(status, "db-1").path("detail").asString()).startsWith("the writer");
		assertThat(HaSite.component(status, "db-3").path("detail").asString()).isEqualTo("synced, serving reads");
		assertThat(HaSite.component(status, "app-1").path("figures").path("HAProxy check").asString())
			.startsWith("UP on 4 of 4 paths");
		// Prometheus scrapes both load balancers.
		List<String> instances = new ArrayList<>();
		stack.awaitPrometheusTargetsUp(5)
			.forEach((t) -> instances.add(t.path("labels").path("instance_name").asString()));
		assertThat(instances).containsExactlyInAnyOrder("app-1", "app-2", "lb-1", "lb-2", "prometheus");
	}

	@Test
	@Order(3)
	void aPostIsWrittenOnTheWriterAndReadBackAtOnceFromAnotherNodeAndIsOnEveryNode() throws Exception {
		HaSite.assertAPostIsReadBackAtOnceAndIsOnEveryNode(new SiteBrowser(SITE, stack.certificate()), stack::rootSql);
	}

	/**
	 * The container holding the address dies under load as a host dies (as ./stack chaos
	 * kill-lb's host): cut from its networks, then killed, so that it sends nothing more, not
	 * even the refusals its kernel would send for the address while Docker removes its
	 * interfaces. The other load balancer takes the address; a read whose kept connection the
	 * move reset is sent again, as a browser does; one in flight on the dead container is
	 * unanswered until the client's timeout (at most one per client). The survivor is named
	 * as a single point until the dead one is back ({@code up} makes its container again).
	 */
	@Test
	@Order(4)
	void theLoadBalancerHoldingTheAddressDiesUnderLoadAndTheOtherTakesIt() throws Exception {
		String holder = holder();
		String survivor = otherLoadBalancer(holder);
		Path stop = dir.resolve("load-stop-lb");
		LoadGenerator load = LoadGenerator.start(SITE, stack.certificate(), 600, 4, 2, stop);
		try {
			load.awaitRunning(true);
			dieAsAHost(holder);
			Progress killed = load.progress();
			await("the site answered by " + survivor).atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(250))
				.ignoreExceptions()
				.until(() -> site.get("/").headers().firstValue("X-Load-Balancer").orElse(""), survivor::equals);
			awaitSpofs(Set.of("load balancer: " + survivor + " (redundancy lost)"));
			load.awaitAnsweredReads(killed, 100);
		}
		finally {
			Files.writeString(stop, "");
		}
		JsonNode figures = load.figures("kill the container holding the site's address (" + holder + ")");
		assertThat(figures.path("readFailures").asLong()).as("failed reads: only unanswered ones")
			.isEqualTo(figures.path("readTimeouts").asLong());
		assertThat(figures.path("readTimeouts").asLong() + figures.path("writeFailures").asLong())
			.as("requests lost with the container")
			.isLessThanOrEqualTo(6);
		assertNoWriteLost(figures);

		stack.assertSucceeds(Duration.ofMinutes(2), stack.compose("up", "-d", "--no-deps", "--force-recreate", holder));
		awaitNoSinglePointOfFailure();
		// No preemption: the survivor keeps the address.
		assertThat(site.get("/").headers().firstValue("X-Load-Balancer")).hasValue(survivor);
	}

	/**
	 * The writer node killed under load: the cluster's primary component goes on with the
	 * other two, every app server makes the next node (db-2) the writer; writes refused
	 * meanwhile are answered 503, for at most 10 s, and sent again; no read fails. db-1,
	 * started again, rejoins by itself (an incremental state transfer) and is the writer again.
	 */
	@Test
	@Order(5)
	void theWriterNodeDiesUnderLoadAndTheNextNodeWritesWithinTenSeconds() throws Exception {
		Path stop = dir.resolve("load-stop-db");
		LoadGenerator load = LoadGenerator.start(SITE, stack.certificate(), 600, 4, 2, stop);
		try {
			load.awaitRunning(true);
			stack.assertSucceeds(Duration.ofMinutes(1), stack.compose("kill", "db-1"));
			Progress killed = load.progress();
			awaitSpofs(Set.of("database cluster: db-2, db-3 (redundancy lost)"));
			assertThat(HaSite.component(site.dashboard(), "db-2").path("detail").asString()).startsWith("the writer");
			await("writes acknowledged again").atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(250))
				.until(load::progress, (p) -> p.acknowledged() >= killed.acknowledged() + 10);
			load.awaitAnsweredReads(killed, 100);
		}
		finally {
			Files.writeString(stop, "");
		}
		JsonNode figures = load.figures("kill the writer node (db-1)");
		assertThat(figures.path("readFailures").asLong()).as("failed reads").isZero();
		assertThat(figures.path("writeFailures").asLong()).as("writes not acknowledged in the end").isZero();
		assertThat(figures.path("failedSends503").asLong()).as("every refused write attempt answered 503")
			.isEqualTo(figures.path("failedSends").asLong());
		assertThat(figures.path("failedSendsWindowMillis").asLong()).as("writes refused for, ms")
			.isLessThanOrEqualTo(10_000);
		assertNoWriteLost(figures);

		stack.assertSucceeds(Duration.ofMinutes(2), stack.compose("start", "db-1"));
		awaitNoSinglePointOfFailure();
		await("db-1 the writer again (the first in order)").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> HaSite.component(site.dashboard(), "db-1").path("detail").asString(), (d) -> d.startsWith("the writer"));
		assertThat(stack.rootSql("db-1", "show global status like 'wsrep_cluster_size'")).endsWith("3");
	}

	@Test
	@Order(6)
	void downWithVolumesLeavesNoContainerNetworkOrVolume() throws Exception {
		stack.downLeavingNothing();
	}

	private static void assertNoWriteLost(JsonNode figures) {
		assertThat(figures.path("reads").asLong()).as("reads").isGreaterThan(100);
		assertThat(figures.path("acknowledged").asLong()).as("acknowledged writes").isPositive();
		assertThat(figures.path("duplicated").asLong()).as("duplicated writes").isZero();
		assertThat(figures.path("lost").asLong()).as("lost writes").isZero();
	}

	/** A service's container cut from every network it is on, then killed. */
	private static void dieAsAHost(String service) throws Exception {
		String container = stack.run(Duration.ofSeconds(30), stack.compose("ps", "-q", service)).output().strip();
		String networks = stack
			.run(Duration.ofSeconds(30), "docker", "inspect", "-f",
					"{{range $name, $n := .NetworkSettings.Networks}}{{$name}} {{end}}", container)
			.output()
			.strip();
		for (String network : networks.split(" ")) {
			stack.assertSucceeds(Duration.ofSeconds(30), "docker", "network", "disconnect", "--force", network, container);
		}
		stack.assertSucceeds(Duration.ofMinutes(1), stack.compose("kill", service));
	}

	private static String otherLoadBalancer(String lb) {
		return lb.equals("lb-1") ? "lb-2" : "lb-1";
	}

	/** The load balancer that answers at the shared address. */
	private static String holder() throws Exception {
		return site.get("/").headers().firstValue("X-Load-Balancer").orElseThrow();
	}

	private static void awaitSpofs(Set<String> expected) {
		// The dashboard refreshes every 3 s; its probes run every 2 s.
		await("the survivor named: " + expected).atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> HaSite.spofs(site.dashboard().path("spofs")), expected::equals);
	}

	private static void awaitNoSinglePointOfFailure() {
		await("no single point of failure once the container is back").atMost(Duration.ofSeconds(120))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> site.dashboard().path("spofs").isEmpty());
	}

}
