package dev.webstack;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.ResourceLock;
import tools.jackson.databind.JsonNode;

import dev.webstack.LoadGenerator.Progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The ha mode ({@code ./stack up --hosts --ha}): two load balancers sharing the site's
 * address (keepalived), two web servers, a three-node Galera cluster; the site round-robin
 * over every (web server, app server) path at the shared address; the dashboard naming no
 * single point of failure while every pair is whole, and the survivor of a pair the moment
 * its peer dies, until {@code ./stack up} brings the peer back; and every single fault of
 * {@code ./stack chaos} in this mode under load with the expectations of the README's
 * "What survives what": no read failed, no write lost or duplicated, and writes refused
 * (503) only while the cluster gets a new writer, for at most 10 s.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ResourceLock(Lanes.FAULTS)
@Order(1)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class HaStackIntegrationTests {

	/** Instance 32: front 10.88.96.0/24, app 10.88.97.0/24, back 10.88.98.0/24; names ws32-*. */
	private static final int OFFSET = 32000;

	private static final String PREFIX = "ws32-";

	/** The address the load balancers share. */
	private static final String SITE = "https://10.88.96.100";

	private static TestStack stack;

	private static HaSite site;

	@BeforeAll
	static void up() throws Exception {
		assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false),
				"the ha mode needs root (network namespaces, keepalived)");
		stack = new TestStack(OFFSET);
		String up = stack.stack("up", "--hosts", "--ha");
		assertThat(up).contains("Webstack is up (ha mode)", "site        " + SITE + "/",
				"address     10.88.96.100, held by lb-1");
		site = new HaSite(SITE, stack.https(), () -> stack.secret("admin-password"));
	}

	@AfterAll
	static void destroy() throws Exception {
		if (stack != null) {
			stack.destroy();
			HostsMode.assertNothingLeft(PREFIX, "10.88.96.", "10.88.97.", "10.88.98.");
		}
	}

	@Test
	@Order(1)
	void statusNamesTheHolderOfTheAddressAndTheWriterAndEveryPairRuns() throws Exception {
		String status = stack.stack("status");
		assertThat(status).contains("mode: ha; site: " + SITE + "/ (held by lb-1)")
			.containsPattern("(?m)^lb-2 +load bal\\. +10\\.88\\.96\\.11:443 +\\d+ +UP \\(app-1 UP, app-1\\.web-2 UP, "
					+ "app-2 UP, app-2\\.web-2 UP\\)")
			.containsPattern("(?m)^keepalived-1 +vrrp +10\\.88\\.96\\.10:vrrp +\\d+ +UP \\(holds 10\\.88\\.96\\.100\\)")
			.containsPattern("(?m)^keepalived-2 +vrrp +10\\.88\\.96\\.11:vrrp +\\d+ +UP \\(backup\\)")
			.containsPattern("(?m)^web-2 +web server +10\\.88\\.97\\.21:8081,8082 +\\d+ +UP")
			.containsPattern("(?m)^db-1 +node +10\\.88\\.98\\.41:3306 +\\d+ +UP \\(Synced, Primary component of 3, "
					+ "the writer\\)")
			.containsPattern("(?m)^db-3 +node +10\\.88\\.98\\.43:3306 +\\d+ +UP \\(Synced, Primary component of 3\\)")
			.containsPattern("(?m)^mysqld-3 +exporter +10\\.88\\.98\\.43:9203 +\\d+ +UP");
		// keepalived moves addresses (root); each database node runs as mysql, so that
		// rsync's state transfers can write its data directory.
		assertThat(account("keepalived-2")).isEqualTo("root");
		assertThat(account("db-3")).isEqualTo("mysql");
		assertThat(account("lb-2")).isEqualTo("haproxy");
		assertThat(account("web-2")).isEqualTo("www-data");
	}

	@Test
	@Order(2)
	void theSiteAtTheSharedAddressIsRoundRobinOverEveryWebAndAppServerPath() throws Exception {
		Set<String> paths = new TreeSet<>();
		for (int i = 0; i < 16; i++) {
			HttpResponse<String> page = site.get("/");
			assertThat(page.statusCode()).isEqualTo(200);
			assertThat(page.headers().firstValue("X-Load-Balancer")).hasValue("lb-1");
			paths.add(page.headers().firstValue("X-Web-Server").orElseThrow() + " "
					+ page.headers().firstValue("X-App-Server").orElseThrow());
		}
		assertThat(paths).containsExactly("web-1 app-1", "web-1 app-2", "web-2 app-1", "web-2 app-2");
	}

	@Test
	@Order(3)
	void theDashboardShowsEveryPairTheHolderAndTheWriterAndNoSinglePointOfFailure() throws Exception {
		JsonNode status = site.awaitEveryComponentUp(HaSite.COMPONENTS, Duration.ofSeconds(60));
		assertThat(status.path("spofs")).as("spofs").isEmpty();
		assertThat(HaSite.component(status, "lb-1").path("figures").path("site's address").asString()).isEqualTo("held here");
		assertThat(HaSite.component(status, "lb-2").path("figures").path("site's address").asString())
			.isEqualTo("held by lb-1");
		assertThat(HaSite.component(status, "web-2").path("role").asString()).isEqualTo("web server");
		assertThat(HaSite.component(status, "db-1").path("detail").asString()).startsWith("the writer");
		assertThat(HaSite.component(status, "db-2").path("detail").asString()).isEqualTo("synced, serving reads");
		assertThat(HaSite.component(status, "db-3").path("role").asString()).isEqualTo("database node");
		assertThat(HaSite.component(status, "app-1").path("figures").path("HAProxy check").asString())
			.startsWith("UP on 4 of 4 paths");
	}

	@Test
	@Order(4)
	void aPostIsWrittenOnTheWriterAndReadBackAtOnceFromAnotherNodeAndIsOnEveryNode() throws Exception {
		HaSite.assertAPostIsReadBackAtOnceAndIsOnEveryNode(new SiteBrowser(SITE, stack.state().resolve("tls/lb-1.crt")),
				stack::rootSql);
	}

	@Test
	@Order(5)
	void theSurvivorOfEachPairIsNamedWithinOneRefreshAndUpRestoresRedundancy() throws Exception {
		site.dashboard();
		stack.kill("lb-2");
		stack.kill("web-2");
		stack.kill("db-3");
		long killed = System.nanoTime();
		// The dashboard refreshes every 3 s; its probes run every 2 s.
		await("the survivors named").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(250)).until(() -> {
			JsonNode spofs = site.dashboard().path("spofs");
			return HaSite.spofs(spofs).equals(Set.of("load balancer: lb-1 (redundancy lost)",
					"web server: web-1 (redundancy lost)", "database cluster: db-1, db-2 (redundancy lost)"));
		});
		System.out.printf("survivors named %d ms after the kills%n",
				Duration.ofNanos(System.nanoTime() - killed).toMillis());
		assertThat(site.get("/").statusCode()).isEqualTo(200);
		stack.stack("up");
		awaitNoSinglePointOfFailure("once up brought the peers back", Duration.ofSeconds(60));
	}

	@Test
	@Order(6)
	void theLoadBalancerHoldingTheAddressDiesAndTheOtherTakesItLosingOnlyWhatWasInFlightThere() throws Exception {
		HostsMode.Figures figures = chaos("kill-lb");
		// A read whose kept connection the move reset is sent again, as a browser does, and
		// answered: the longest answered read is the gap a user waited. A request in flight
		// on lb-1 at the instant its host died is another matter: nothing answers it again
		// (the host is gone, and the new holder never hears of that connection), so it waits
		// for the client's timeout; there is at most one per client (4 readers, 2 writers).
		assertThat(figures.reads()).as("reads").isGreaterThan(100);
		assertThat(figures.readFailures()).as("failed reads: only unanswered ones").isEqualTo(figures.readTimeouts());
		assertThat(figures.readTimeouts() + figures.writeFailures()).as("requests lost with the host")
			.isLessThanOrEqualTo(6);
		assertThat(figures.acknowledged()).as("acknowledged writes").isPositive();
		assertThat(figures.duplicated()).as("duplicated writes").isZero();
		assertThat(figures.lost()).as("lost writes").isZero();
		assertThat(figures.readMax()).as("the gap, ms").isLessThan(10_000);
		assertThat(site.get("/").headers().firstValue("X-Load-Balancer")).hasValue("lb-2");
		assertThat(stack.stack("status")).contains("(held by lb-2)").containsPattern(
				"(?m)^keepalived-1 +vrrp +10\\.88\\.96\\.10:vrrp +\\d+ +UP \\(backup\\)");
		awaitNoSinglePointOfFailure("once lb-1 is back", Duration.ofSeconds(30));
	}

	@Test
	@Order(7)
	void aWebServerDiesAndNoReadFails() throws Exception {
		HostsMode.Figures figures = chaos("kill-web");
		figures.assertNoReadFailedAndNoWriteLost();
		assertThat(figures.writeFailures()).isZero();
		assertThat(figures.resent()).as("no connection of a client was reset").isZero();
	}

	@Test
	@Order(9)
	void theWriterDiesAndWritesAreRefusedOnlyWhileANewOneIsChosen() throws Exception {
		assertWritesRefusedOnlyWhileANewWriterIsChosen(chaos("kill-writer"));
		assertDb1WritesAgain();
	}

	@Test
	@Order(10)
	void aReaderDiesAndNothingFails() throws Exception {
		HostsMode.Figures figures = chaos("kill-reader");
		figures.assertNoReadFailedAndNoWriteLost();
		assertThat(figures.writeFailures()).isZero();
	}

	@Test
	@Order(11)
	void theWriterCutFromTheOtherTwoTakesNoWriteAndRejoinsByItself() throws Exception {
		long logged = Files.size(stack.state().resolve("logs/db-1.log"));
		assertWritesRefusedOnlyWhileANewWriterIsChosen(chaos("partition-writer"));
		String during = Files.readString(stack.state().resolve("logs/db-1.log"))
			.substring((int) logged);
		// The minority side of a partition is no primary component, and knows it.
		assertThat(during).contains("Non-primary view");
		assertDb1WritesAgain();
	}

	/**
	 * A new release (the built jar and an additive migration) under load through the shared
	 * address: drained on both load balancers, one app server after the other, no request
	 * failed, the migration on every node; deployed again, nothing replaced. (Rolling back,
	 * and a file that is not the application's jar: StackIntegrationTests.)
	 */
	@Test
	@Order(12)
	void aRollingDeployOfANewReleaseThroughBothLoadBalancersFailsNoRequestAndDeploysOnce() throws Exception {
		Path next = stack.state().resolve("webstack-next.jar");
		TestStack.writeNextRelease(next);
		Path stop = stack.state().resolve("load-stop");
		LoadGenerator load = stack.load(SITE, 600, 4, 2, stop);
		Progress before = load.awaitRunning(true);
		String deployed;
		try {
			deployed = stack.stack("deploy", next.toString());
		}
		finally {
			Files.writeString(stop, "");
		}
		Progress after = load.progress();
		JsonNode figures = load.figures("rolling deploy");
		Matcher release = Pattern.compile("deploying release (\\w+) onto").matcher(deployed);
		assertThat(release.find()).as(deployed).isTrue();
		assertThat(deployed).contains("draining app-1", "app-1 back in rotation", "draining app-2",
				"app-2 back in rotation", "every app server runs release " + release.group(1));
		assertThat(deployed.indexOf("app-1 back in rotation")).as("one at a time")
			.isLessThan(deployed.indexOf("draining app-2"));
		for (String app : List.of("app-1", "app-2")) {
			assertThat(HostsMode.run("ps", "-o", "args=", "-p", stack.pid(app))).as(app)
				.contains("/releases/" + release.group(1) + "/webstack.jar");
		}
		assertThat(after.answeredReads()).as("reads answered during the deploy").isGreaterThan(before.answeredReads());
		LoadGenerator.assertNothingFailed(figures);
		for (String node : List.of("db-1", "db-2", "db-3")) {
			assertThat(stack.rootSql(node, "select count(*) from webstack.flyway_schema_history where version = '99'"))
				.as(node)
				.isEqualTo("1");
		}
		assertThat(stack.stack("deploy", next.toString()))
			.contains("app-1 runs release " + release.group(1) + " already",
					"app-2 runs release " + release.group(1) + " already")
			.doesNotContain("draining");
	}

	private static void assertWritesRefusedOnlyWhileANewWriterIsChosen(HostsMode.Figures figures) {
		figures.assertNoReadFailedAndNoWriteLost();
		assertThat(figures.writeFailures()).as("writes not acknowledged in the end").isZero();
		assertThat(figures.failedSends503()).as("every refused write attempt answered 503")
			.isEqualTo(figures.failedSends());
		assertThat(figures.failedSendsWindow()).as("writes refused for, ms").isLessThanOrEqualTo(10_000);
	}

	/** The dashboard's SPOF panel empty within the timeout. */
	private static void awaitNoSinglePointOfFailure(String when, Duration timeout) {
		await("no single point of failure " + when).atMost(timeout)
			.pollInterval(Duration.ofMillis(500))
			.until(() -> site.dashboard().path("spofs").isEmpty());
	}

	/** db-1 back, synced in a cluster of three, and the writer again (the first in order). */
	private static void assertDb1WritesAgain() throws Exception {
		assertThat(stack.stack("status")).containsPattern("(?m)^db-1 +node .* UP \\(Synced, Primary component of 3, "
				+ "the writer\\)");
	}

	/** Runs a fault of ./stack chaos, its load from 3 s before it to 10 s after, and returns its figures. */
	private static HostsMode.Figures chaos(String fault) throws Exception {
		// Each fault takes under a minute here; the method's own timeout is 5 minutes.
		TestStack.Result result = stack.run(Duration.ofMinutes(4), Map.of("WEBSTACK_CHAOS_SECONDS", "0"), "chaos",
				fault);
		// In the report, for whoever reads a failure: what users saw, each failed request named.
		System.out.println(result.output());
		assertThat(result.exitCode()).as(result.output()).isZero();
		return HostsMode.Figures.of(result.output());
	}

	private static String account(String component) throws Exception {
		return HostsMode.run("ps", "-o", "user=", "-p", stack.pid(component));
	}

}
