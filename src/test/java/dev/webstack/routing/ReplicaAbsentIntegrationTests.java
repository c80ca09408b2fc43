package dev.webstack.routing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import dev.webstack.AppServer;
import org.jsoup.Jsoup;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An app server started while its replica is absent still starts and serves pages, with
 * reads on the primary, and says so.
 * <p>
 * Two parts of it can notice the absence first: a read whose replica pool gives no
 * connection ("replica unavailable", {@link ReplicaFallbackDataSourceTests} drives that
 * branch) and the replication monitor's first measurement, a second after start ("replica
 * unreachable"), which from then on decides before any connection is tried. The test waits
 * for that measurement, so that what it sees does not depend on which came first.
 */
class ReplicaAbsentIntegrationTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void startsAndServesReadsFromThePrimaryWhenTheReplicaIsAbsent() throws Exception {
		int nobodyListens = freePort();
		try (AppServer app = AppServer.start("app-lonely", "--webstack.datasource.replica.url=jdbc:mysql://127.0.0.1:"
				+ nobodyListens + "/webstack")) {
			ReplicationMonitor monitor = app.bean(ReplicationMonitor.class);
			ReplicationState measured = await("the replication monitor's first measurement")
				.atMost(Duration.ofSeconds(30))
				.until(monitor::state, (state) -> !Instant.EPOCH.equals(state.measuredAt()));
			assertThat(measured.reachable()).as(measured.toString()).isFalse();
			for (int i = 0; i < 3; i++) {
				HttpResponse<String> home = get(app.url("/"));
				assertThat(home.statusCode()).isEqualTo(200);
				assertThat(home.headers().firstValue("X-Read-From")).hasValue("primary");
				assertThat(Jsoup.parse(home.body()).select("footer .read-route").text())
					.isEqualTo("primary (replica unreachable)");
			}
			assertThat(get(app.managementUrl("/actuator/health/readiness")).statusCode()).isEqualTo(200);
		}
	}

	private HttpResponse<String> get(String url) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
