package dev.webstack.dashboard;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.webstack.dashboard.probe.InfraProperties;
import dev.webstack.routing.ReplicationMonitor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The dashboard's time series for the last 15 minutes: request rate and latency per app
 * server, reads by target, replication lag; each host's CPU, memory, disk and network;
 * each database server's queries, connections and buffer pool hit rate. From Prometheus
 * where it runs; otherwise the first four from this app server's own samples (its own
 * figures only), taken every 5 seconds.
 */
@Component
class MetricsSeries {

	private static final Duration WINDOW = Duration.ofMinutes(15);

	private static final int STEP_SECONDS = 15;

	private static final String APP_REQUESTS = "http_server_requests_seconds_%s{job=\"apps\",uri!~\"/readyz|/livez\"}";

	/** File systems that hold data: not memory (tmpfs), not a container's layers. */
	private static final String REAL_FILE_SYSTEMS = "fstype!~\"tmpfs|ramfs|overlay|squashfs|nsfs\"";

	private static final Map<String, Chart> CHARTS = new LinkedHashMap<>();

	static {
		CHARTS.put("requests", new Chart("Requests per second, per app server", "req/s", "instance_name",
				"sum by (instance_name) (rate(" + APP_REQUESTS.formatted("count") + "[1m]))"));
		CHARTS.put("latency", new Chart("Mean latency, per app server", "ms", "instance_name",
				"1000 * sum by (instance_name) (rate(" + APP_REQUESTS.formatted("sum") + "[1m])) / "
						+ "sum by (instance_name) (rate(" + APP_REQUESTS.formatted("count") + "[1m]))"));
		CHARTS.put("reads", new Chart("Connections per second, by database", "conn/s", "target",
				"sum by (target) (rate(webstack_datasource_connections_total{job=\"apps\"}[1m]))"));
		CHARTS.put("lag", new Chart("Replication lag (as each app server measures it)", "s", "instance_name",
				"max by (instance_name) (webstack_replication_lag_seconds{job=\"apps\"})"));
		// Each host's resources (node_exporter) and each database server's work (mysqld_exporter).
		CHARTS.put("cpu", new Chart("CPU busy, per host", "%", "instance_name",
				"100 * (1 - avg by (instance_name) (rate(node_cpu_seconds_total{job=\"node\",mode=\"idle\"}[1m])))"));
		CHARTS.put("memory", new Chart("Memory in use, per host", "%", "instance_name",
				"100 * (1 - node_memory_MemAvailable_bytes{job=\"node\"} / node_memory_MemTotal_bytes{job=\"node\"})"));
		CHARTS.put("disk", new Chart("Disk in use, per host and file system", "%", "disk",
				"label_join(100 * (1 - node_filesystem_avail_bytes{job=\"node\"," + REAL_FILE_SYSTEMS + "} / "
						+ "node_filesystem_size_bytes{job=\"node\"," + REAL_FILE_SYSTEMS
						+ "}), \"disk\", \" \", \"instance_name\", \"mountpoint\")"));
		CHARTS.put("network", new Chart("Network received and sent, per host", "KB/s", "instance_name",
				"sum by (instance_name) (rate(node_network_receive_bytes_total{job=\"node\",device!=\"lo\"}[1m]) "
						+ "+ rate(node_network_transmit_bytes_total{job=\"node\",device!=\"lo\"}[1m])) / 1000"));
		CHARTS.put("queries", new Chart("Queries per second, per database server", "q/s", "database",
				"rate(mysql_global_status_queries{job=\"mysqld\"}[1m])"));
		CHARTS.put("connections", new Chart("Connections, per database server", "threads", "database",
				"mysql_global_status_threads_connected{job=\"mysqld\"}"));
		CHARTS.put("buffer-pool", new Chart("InnoDB buffer pool hit rate, per database server", "%", "database",
				"100 * (1 - rate(mysql_global_status_innodb_buffer_pool_reads{job=\"mysqld\"}[5m]) "
						+ "/ rate(mysql_global_status_innodb_buffer_pool_read_requests{job=\"mysqld\"}[5m]))"));
	}

	private record Chart(String title, String unit, String label, String query) {
	}

	private record Sample(long epochSecond, double requests, double requestSeconds, double primary, double replica,
			double lag) {
	}

	private final InfraProperties infra;

	private final JsonMapper json;

	private final MeterRegistry registry;

	private final ReplicationMonitor replication;

	private final String instanceName;

	private final Clock clock;

	private final HttpClient http;

	private final Deque<Sample> samples = new ArrayDeque<>();

	MetricsSeries(InfraProperties infra, JsonMapper json, MeterRegistry registry, ReplicationMonitor replication,
			@Value("${webstack.instance-name}") String instanceName, Clock clock) {
		this.infra = infra;
		this.json = json;
		this.registry = registry;
		this.replication = replication;
		this.instanceName = instanceName;
		this.clock = clock;
		this.http = HttpClient.newBuilder().connectTimeout(infra.probeTimeout()).build();
	}

	Map<String, Object> lastFifteenMinutes() {
		try {
			return fromPrometheus();
		}
		catch (Exception ex) {
			Map<String, Object> local = fromLocalSamples();
			local.put("note", "Prometheus unavailable (" + ex.getMessage() + "): this app server's own samples");
			return local;
		}
	}

	private Map<String, Object> fromPrometheus() throws Exception {
		long end = this.clock.instant().getEpochSecond();
		long start = end - WINDOW.toSeconds();
		List<Long> x = new ArrayList<>();
		for (long t = start; t <= end; t += STEP_SECONDS) {
			x.add(t);
		}
		List<Map<String, Object>> charts = new ArrayList<>();
		for (Map.Entry<String, Chart> entry : CHARTS.entrySet()) {
			Chart chart = entry.getValue();
			String url = this.infra.prometheusUrl() + "/api/v1/query_range?query="
					+ URLEncoder.encode(chart.query(), StandardCharsets.UTF_8) + "&start=" + start + "&end=" + end
					+ "&step=" + STEP_SECONDS;
			HttpResponse<String> response = this.http.send(
					HttpRequest.newBuilder(URI.create(url)).timeout(this.infra.probeTimeout()).build(),
					HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() != 200) {
				throw new IllegalStateException("Prometheus answered " + response.statusCode());
			}
			Map<String, Double[]> series = new TreeMap<>();
			for (JsonNode result : this.json.readTree(response.body()).path("data").path("result")) {
				Double[] values = new Double[x.size()];
				for (JsonNode point : result.path("values")) {
					int i = (int) ((point.get(0).asDouble() - start) / STEP_SECONDS);
					if (i >= 0 && i < values.length) {
						values[i] = finite(point.get(1).asString());
					}
				}
				series.put(result.path("metric").path(chart.label()).asString("?"), values);
			}
			charts.add(chart(entry.getKey(), chart, series));
		}
		Map<String, Object> out = new LinkedHashMap<>();
		out.put("source", "prometheus");
		out.put("x", x);
		out.put("charts", charts);
		return out;
	}

	/** Samples this app server's own meters, for when Prometheus is not there. */
	@Scheduled(fixedRate = 5000, initialDelay = 5000)
	void sample() {
		double count = 0;
		double seconds = 0;
		for (Timer timer : this.registry.find("http.server.requests").timers()) {
			String uri = timer.getId().getTag("uri");
			if (!"/readyz".equals(uri) && !"/livez".equals(uri)) {
				count += timer.count();
				seconds += timer.totalTime(java.util.concurrent.TimeUnit.SECONDS);
			}
		}
		Sample sample = new Sample(this.clock.instant().getEpochSecond(), count, seconds, counter("primary"),
				counter("replica"), this.replication.state().lagSeconds());
		synchronized (this.samples) {
			this.samples.addLast(sample);
			while (this.samples.size() > WINDOW.toSeconds() / 5) {
				this.samples.removeFirst();
			}
		}
	}

	private double counter(String target) {
		Counter counter = this.registry.find("webstack.datasource.connections").tag("target", target).counter();
		return (counter != null) ? counter.count() : 0;
	}

	private Map<String, Object> fromLocalSamples() {
		List<Sample> list;
		synchronized (this.samples) {
			list = new ArrayList<>(this.samples);
		}
		List<Long> x = new ArrayList<>();
		Double[] rate = new Double[Math.max(0, list.size() - 1)];
		Double[] latency = new Double[rate.length];
		Double[] primary = new Double[rate.length];
		Double[] replica = new Double[rate.length];
		Double[] lag = new Double[rate.length];
		for (int i = 1; i < list.size(); i++) {
			Sample a = list.get(i - 1);
			Sample b = list.get(i);
			double dt = Math.max(1, b.epochSecond() - a.epochSecond());
			x.add(b.epochSecond());
			double requests = b.requests() - a.requests();
			rate[i - 1] = requests / dt;
			latency[i - 1] = (requests > 0) ? 1000 * (b.requestSeconds() - a.requestSeconds()) / requests : null;
			primary[i - 1] = (b.primary() - a.primary()) / dt;
			replica[i - 1] = (b.replica() - a.replica()) / dt;
			lag[i - 1] = Double.isInfinite(b.lag()) ? null : b.lag();
		}
		List<Map<String, Object>> charts = new ArrayList<>();
		charts.add(chart("requests", CHARTS.get("requests"), Map.of(this.instanceName, rate)));
		charts.add(chart("latency", CHARTS.get("latency"), Map.of(this.instanceName, latency)));
		Map<String, Double[]> reads = new TreeMap<>();
		reads.put("primary", primary);
		reads.put("replica", replica);
		charts.add(chart("reads", CHARTS.get("reads"), reads));
		charts.add(chart("lag", CHARTS.get("lag"), Map.of(this.instanceName, lag)));
		Map<String, Object> out = new LinkedHashMap<>();
		out.put("source", "local");
		out.put("x", x);
		out.put("charts", charts);
		return out;
	}

	private static Map<String, Object> chart(String id, Chart chart, Map<String, Double[]> series) {
		List<Map<String, Object>> lines = new ArrayList<>();
		// Gaps (no sample, or +Inf) stay null, which List.of would refuse.
		series.forEach((label, values) -> lines.add(Map.of("label", label, "values", Arrays.asList(values))));
		Map<String, Object> out = new LinkedHashMap<>();
		out.put("id", id);
		out.put("title", chart.title());
		out.put("unit", chart.unit());
		out.put("series", lines);
		return out;
	}

	/** Prometheus writes values as strings, "+Inf" and "NaN" included; charts get nulls for those. */
	private static Double finite(String value) {
		try {
			double v = Double.parseDouble(value);
			return (Double.isFinite(v)) ? v : null;
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

}
