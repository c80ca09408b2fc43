package dev.webstack.dashboard.probe;

import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.webstack.routing.DataSourceProperties;
import dev.webstack.system.MonitoringProperties;
import dev.webstack.system.Secrets;
import jakarta.annotation.PreDestroy;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Runs every probe in the background, each in parallel and with its own timeout, and
 * keeps the latest results, so the dashboard reads a cache and never waits on a dead
 * component.
 */
@Component
public class InfraProbes {

	private final InfraProperties infra;

	private final DataSourceProperties databases;

	private final Clock clock;

	private final HttpProbes http;

	private final DatabaseProbes db;

	private final String appPassword;

	private final String statsAuthorization;

	private final String monitoringAuthorization;

	private final FirewallProbe firewall;

	private final ExecutorService executor = Executors.newFixedThreadPool(4, (task) -> {
		Thread thread = new Thread(task, "infra-probe");
		thread.setDaemon(true);
		return thread;
	});

	private volatile InfraSnapshot snapshot;

	InfraProbes(InfraProperties infra, DataSourceProperties databases, MonitoringProperties monitoring,
			JsonMapper json, Clock clock) {
		this.infra = infra;
		this.databases = databases;
		this.clock = clock;
		this.http = new HttpProbes(infra.probeTimeout(), json);
		this.firewall = new FirewallProbe(infra.firewallTablesFile());
		// Secrets are read once, not on every round of probes.
		this.db = new DatabaseProbes(databases.monitor().username(), databases.monitor().resolvePassword(),
				(int) infra.probeTimeout().toMillis());
		this.appPassword = databases.primary().resolvePassword();
		// Without its file a password is empty: the door stays shut, and the probe says so.
		this.statsAuthorization = HttpProbes.basic(infra.haproxyStatsUser(),
				Secrets.read("HAProxy's stats page", infra.haproxyStatsPasswordFile()));
		this.monitoringAuthorization = HttpProbes.basic(monitoring.username(), monitoring.readPassword());
		this.snapshot = InfraSnapshot.empty(infra.apps().keySet());
	}

	public InfraSnapshot snapshot() {
		return this.snapshot;
	}

	@Scheduled(fixedDelayString = "${webstack.infra.probe-interval}", initialDelay = 500)
	public void refresh() {
		InfraSnapshot previous = this.snapshot;
		Instant now = this.clock.instant();
		DatabaseProbes db = this.db;
		var haproxy = run(() -> this.http.haproxy(this.infra.haproxyStatsUrl(), this.statsAuthorization));
		var nginx = run(() -> this.http.nginx(this.infra.nginxStatusUrl()));
		var prometheus = run(() -> this.http.prometheus(this.infra.prometheusUrl()));
		var edge = run(() -> this.http.edge(this.infra.publicHttpsUrl(), this.infra.publicHttpUrl()));
		var primary = run(() -> db.probe(this.databases.primary().url(), false));
		var replica = run(() -> db.probe(this.databases.replica().url(), true));
		var firewallStatus = run(this.firewall::probe);
		var appGrants = run(() -> DatabaseProbes.ownGrants(this.databases.primary().url(),
				this.databases.primary().username(), this.appPassword,
				(int) this.infra.probeTimeout().toMillis()));
		var access = run(() -> this.http.access(this.infra.haproxyStatsUrl(), this.statsAuthorization,
				this.infra.apps(), this.monitoringAuthorization));
		Map<String, CompletableFuture<Probed<AppStatus>>> apps = new LinkedHashMap<>();
		this.infra.apps().forEach((name, url) -> {
			Probed<AppStatus> before = previous.apps().get(name);
			double seconds = (before != null) ? Duration.between(before.at(), now).toMillis() / 1000.0 : 0;
			apps.put(name, run(() -> this.http.app(url, (before != null) ? before.value() : null, seconds)));
		});
		Map<String, Probed<AppStatus>> appResults = new LinkedHashMap<>();
		apps.forEach((name, future) -> appResults.put(name, future.join()));
		this.snapshot = new InfraSnapshot(haproxy.join(), nginx.join(), appResults, primary.join(), replica.join(),
				prometheus.join(), edge.join(), firewallStatus.join(), appGrants.join(), access.join(), now);
	}

	private <T> CompletableFuture<Probed<T>> run(Probe<T> probe) {
		Duration timeout = this.infra.probeTimeout();
		return CompletableFuture.supplyAsync(() -> {
			try {
				return Probed.of(probe.call(), this.clock.instant());
			}
			catch (Exception ex) {
				return Probed.<T>failed(describe(ex), this.clock.instant());
			}
		}, this.executor)
			.completeOnTimeout(Probed.failed("no answer within " + timeout.toMillis() + "ms", this.clock.instant()),
					timeout.toMillis() + 250, TimeUnit.MILLISECONDS);
	}

	private static String describe(Exception ex) {
		Throwable cause = (ex instanceof UncheckedIOException) ? ex.getCause() : ex;
		String message = cause.getMessage();
		return cause.getClass().getSimpleName() + ((message != null) ? ": " + message : "");
	}

	@PreDestroy
	void stop() {
		this.executor.shutdownNow();
	}

	@FunctionalInterface
	private interface Probe<T> {

		T call() throws Exception;

	}

}
