package dev.webstack.dashboard.probe;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import dev.webstack.MutableClock;
import dev.webstack.routing.DataSourceProperties;
import dev.webstack.system.MonitoringProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The probes run while the dashboard is watched, and only then: against a local HTTP
 * server that stands in for every component and counts what reaches it, with the
 * probes' clock in the test's hands.
 */
class InfraProbesTests {

	private static final Duration INTERVAL = Duration.ofMillis(100);

	private static final Duration WATCH_WINDOW = Duration.ofMinutes(1);

	@TempDir
	Path dir;

	private final AtomicInteger requests = new AtomicInteger();

	private HttpServer server;

	private InfraProbes probes;

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));

	@BeforeEach
	void start() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.server.createContext("/", (exchange) -> {
			this.requests.incrementAndGet();
			exchange.sendResponseHeaders(404, -1);
			exchange.close();
		});
		this.server.start();
		String base = "http://127.0.0.1:" + this.server.getAddress().getPort();
		Path password = Files.writeString(this.dir.resolve("password"), "not-a-real-one");
		String nowhere = "jdbc:mysql://127.0.0.1:" + closedPort() + "/webstack";
		DataSourceProperties.Pool pool = new DataSourceProperties.Pool(nowhere, "webstack_app", password, 1,
				Duration.ofMillis(250), Duration.ofSeconds(30));
		DataSourceProperties.Account account = new DataSourceProperties.Account("webstack_monitor", password);
		DataSourceProperties databases = new DataSourceProperties(pool, pool, account, account, Duration.ofSeconds(5),
				Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMillis(500),
				DataSourceProperties.Routing.SPLIT, new DataSourceProperties.Cluster(Map.of()));
		InfraProperties infra = new InfraProperties(Map.of("lb-1", base + "/"), "stats", password,
				Map.of("web-1", base + "/stub_status"), base, base,
				"https://127.0.0.1:" + closedPort(), base, Map.of("app-1", base), INTERVAL, Duration.ofMinutes(5),
				WATCH_WINDOW, Duration.ofMillis(500), this.dir.resolve("nft-tables"));
		this.probes = new InfraProbes(infra, databases, new MonitoringProperties("monitoring", password),
				JsonMapper.builder().build(), this.clock, this.registry);
		this.probes.start();
	}

	@AfterEach
	void stop() {
		this.probes.stop();
		this.server.stop(0);
	}

	@Test
	void aStackNobodyWatchesIsNotProbed() {
		await().during(INTERVAL.multipliedBy(8)).atMost(Duration.ofSeconds(5)).until(() -> this.requests.get() == 0);
		assertThat(this.probes.snapshot().at()).as("never probed").isEqualTo(Instant.EPOCH);
		assertThat(rounds("health")).isZero();
		assertThat(rounds("security")).isZero();
	}

	@Test
	void theFirstReportStartsTheProbesAndTheyStopWhenTheDashboardIsLeft() {
		this.probes.snapshot();
		// A round of health probes stamps the snapshot with the probes' clock, which stands still.
		await().atMost(Duration.ofSeconds(10)).until(() -> this.clock.instant().equals(this.probes.snapshot().at()));
		// ...and the rounds go on: each asks HAProxy, Nginx, Prometheus and the app server.
		int afterFirstRound = this.requests.get();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.requests.get() >= afterFirstRound + 8);

		this.clock.advance(WATCH_WINDOW.plusSeconds(1));
		// A round in flight when the window closed may still finish; then nothing more comes.
		AtomicInteger last = new AtomicInteger(-1);
		await().atMost(Duration.ofSeconds(10)).pollInterval(INTERVAL.multipliedBy(3))
			.until(() -> last.getAndSet(this.requests.get()) == this.requests.get());
		int settled = this.requests.get();
		await().during(INTERVAL.multipliedBy(10)).atMost(Duration.ofSeconds(5))
			.until(() -> this.requests.get() == settled);
		// Every round counted itself: the one the first report started, and those after it.
		assertThat(rounds("health")).isGreaterThanOrEqualTo(2);
	}

	private double rounds(String kind) {
		return this.registry.get("webstack.dashboard.probe.rounds").tag("kind", kind).counter().count();
	}

	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
