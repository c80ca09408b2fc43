package dev.webstack.dashboard.probe;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The probes' parsers, on outputs captured from the real HAProxy 2.6, Nginx 1.22 and
 * Prometheus of a running stack.
 */
class ParserTests {

	@Test
	void haproxyCsvIsReadByHeaderNames() throws IOException {
		List<HaproxyServer> rows = HaproxyServer.parseCsv(captured("haproxy-2.6-stats.csv"));
		List<HaproxyServer> servers = rows.stream()
			.filter((r) -> r.proxy().equals("app_servers") && r.isServer())
			.toList();
		assertThat(servers).extracting(HaproxyServer::name).containsExactly("app-1", "app-2");
		assertThat(servers).allSatisfy((s) -> {
			assertThat(s.status()).isEqualTo("UP");
			assertThat(s.checkStatus()).isEqualTo("L7OK");
		});
		assertThat(rows).anySatisfy((r) -> {
			assertThat(r.proxy()).isEqualTo("public_https");
			assertThat(r.name()).isEqualTo("FRONTEND");
			assertThat(r.totalSessions()).isPositive();
		});
	}

	@Test
	void haproxyCsvShowsADownServerAndWhy() throws IOException {
		List<HaproxyServer> rows = HaproxyServer.parseCsv(captured("haproxy-2.6-stats-app-2-down.csv"));
		HaproxyServer app2 = rows.stream()
			.filter((r) -> r.proxy().equals("app_servers") && r.name().equals("app-2"))
			.findFirst()
			.orElseThrow();
		assertThat(app2.status()).isEqualTo("DOWN");
		assertThat(app2.checkStatus()).isEqualTo("L7STS");
		assertThat(app2.lastChangeSeconds()).isLessThan(60);
	}

	@Test
	void somethingThatIsNotHaproxyCsvIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> HaproxyServer.parseCsv("<html>login</html>"));
	}

	@Test
	void nginxStubStatus() throws IOException {
		NginxStatus status = NginxStatus.parse(captured("nginx-1.22-stub_status.txt"));
		assertThat(status.active()).isEqualTo(7);
		assertThat(status.accepts()).isEqualTo(218);
		assertThat(status.handled()).isEqualTo(218);
		assertThat(status.requests()).isEqualTo(261);
		assertThat(status.writing()).isEqualTo(1);
		assertThat(status.waiting()).isEqualTo(6);
		assertThatIllegalArgumentException().isThrownBy(() -> NginxStatus.parse("404 Not Found"));
	}

	@Test
	void prometheusTargets() throws IOException {
		List<PrometheusTarget> targets = PrometheusTarget.parse(JsonMapper.builder().build(),
				captured("prometheus-targets.json"));
		assertThat(targets).extracting(PrometheusTarget::instanceName)
			.containsExactlyInAnyOrder("app-1", "app-2", "lb-1", "prometheus");
		assertThat(targets).extracting(PrometheusTarget::health).containsOnly("up");
	}

	@Test
	void appFiguresFromPrometheus() throws IOException {
		JsonMapper json = JsonMapper.builder().build();
		Map<String, AppFigures> figures = AppFigures.parse(json, captured("prometheus-2.42-app-figures.json"));
		assertThat(figures).containsOnlyKeys("app-1", "app-2");
		assertThat(figures.get("app-1")).isEqualTo(new AppFigures(2236.132, 66034936, 1.0909090909090908));
		assertThat(figures.get("app-2").uptimeSeconds()).isEqualTo(2233.777);
		// An app server Prometheus has not scraped yet has no figures; a refused query is an error.
		assertThat(AppFigures.parse(json, "{\"status\":\"success\",\"data\":{\"result\":[]}}")).isEmpty();
		assertThatIllegalArgumentException()
			.isThrownBy(() -> AppFigures.parse(json, "{\"status\":\"error\",\"error\":\"parse error\"}"))
			.withMessageContaining("parse error");
	}

	@Test
	void alertmanagersAlertsActiveAndSilenced() throws IOException {
		JsonMapper json = JsonMapper.builder().build();
		assertThat(AlertmanagerStatus.parse(json, captured("alertmanager-0.25-alerts.json")))
			.isEqualTo(new AlertmanagerStatus(1, 1));
		assertThat(AlertmanagerStatus.parse(json, "[]")).isEqualTo(new AlertmanagerStatus(0, 0));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> AlertmanagerStatus.parse(json, "{\"status\":\"success\"}"));
	}

	private static String captured(String name) throws IOException {
		try (InputStream in = ParserTests.class.getResourceAsStream("/infra/" + name)) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

}
