package dev.webstack.routing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import dev.webstack.AppServer;
import org.jsoup.Jsoup;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An app server started while its replica is absent still starts and serves pages, with
 * reads on the primary, and says so.
 */
class ReplicaAbsentIntegrationTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void startsAndServesReadsFromThePrimaryWhenTheReplicaIsAbsent() throws Exception {
		int nobodyListens = freePort();
		try (AppServer app = AppServer.start("app-lonely", "--webstack.datasource.replica.url=jdbc:mysql://127.0.0.1:"
				+ nobodyListens + "/webstack")) {
			for (int i = 0; i < 3; i++) {
				HttpResponse<String> home = get(app.url("/"));
				assertThat(home.statusCode()).isEqualTo(200);
				assertThat(home.headers().firstValue("X-Read-From")).hasValue("primary");
				// Whichever notices first says why: the pool that gave no connection, or the
				// replication monitor that could not reach the replica.
				assertThat(Jsoup.parse(home.body()).select("footer .read-route").text())
					.isIn("primary (replica unavailable)", "primary (replica unreachable)");
			}
			assertThat(get(app.managementUrl("/actuator/health/readiness")).statusCode()).isEqualTo(200);
		}
	}

	private HttpResponse<String> get(String url) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
