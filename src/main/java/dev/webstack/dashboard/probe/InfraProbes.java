package dev.webstack.dashboard.probe;

import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import dev.webstack.routing.DataSourceProperties;
import dev.webstack.system.MonitoringProperties;
import dev.webstack.system.Secrets;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs the probes in the background, each in parallel and with its own timeout, and keeps
 * the latest results, so the dashboard reads a cache and never waits on a dead component.
 * <p>
 * Two rounds, on threads of their own (never Spring's scheduler, which the replication
 * heartbeat must not share with them): the components' health every
 * {@code probe-interval} (2s) over kept connections, with no TLS handshake, database
 * connection or child process per round; and the security checks, which do all of those
 * (TLS versions, certificate, grants, the monitoring side's doors, the firewall), every
 * {@code security-check-interval} and when an admin opens the dashboard.
 * <p>
 * The dashboard is their only reader, so they run while it is read: for
 * {@code watch-window} after its last report on this app server. A stack nobody watches
 * is not probed (Prometheus watches it, from its own scrapes); the first report after a
 * pause starts both rounds at once, and its panels fill in on their next refresh.
 * <p>
 * Each round counts itself in {@code webstack.dashboard.probe.rounds} (tag {@code kind}:
 * health or security), so that Prometheus, and the bench, see when the probes run.
 */
@Component
public class InfraProbes implements SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(InfraProbes.class);

	/** An admin opening the dashboard runs the security checks at most this often. */
	static final Duration SECURITY_CHECKS_ON_DEMAND_EVERY = Duration.ofSeconds(30);

	/**
	 * A security check that could not run (its component not up yet, as while {@code ./stack
	 * up} starts the app servers before the load balancer) is tried again this soon.
	 */
	static final Duration SECURITY_CHECKS_RETRY = Duration.ofSeconds(10);

	private final InfraProperties infra;

	private final DataSourceProperties databases;

	private final Clock clock;

	private final HttpProbes http;

	private final DatabaseProbes db;

	private final String appPassword;

	private final String statsAuthorization;

	private final String monitoringAuthorization;

	private final FirewallProbe firewall;

	private final Counter healthRoundsDone;

	private final Counter securityRoundsDone;

	/** Runs the probes themselves; a probe past its timeout keeps its thread only until its socket times out. */
	private final ExecutorService executor = Executors.newCachedThreadPool(daemon("dashboard-probe"));

	private final ScheduledExecutorService healthRounds = Executors
		.newSingleThreadScheduledExecutor(daemon("dashboard-probes-health"));

	private final ScheduledExecutorService securityRounds = Executors
		.newSingleThreadScheduledExecutor(daemon("dashboard-probes-security"));

	private final AtomicReference<Instant> securityRequested = new AtomicReference<>(Instant.EPOCH);

	/** The probes run until then: a while after the dashboard's last report. */
	private volatile Instant watchedUntil = Instant.EPOCH;

	private volatile Health health;

	private volatile Security security;

	private volatile boolean running;

	InfraProbes(InfraProperties infra, DataSourceProperties databases, MonitoringProperties monitoring,
			JsonMapper json, Clock clock, MeterRegistry registry) {
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
		this.healthRoundsDone = rounds(registry, "health");
		this.securityRoundsDone = rounds(registry, "security");
		this.health = new Health(notYet(infra.loadBalancers()), notYet(infra.webServers()),
				infra.sharedSiteAddress() ? Probed.notYet() : null, notYet(infra.apps()), Probed.notYet(),
				Probed.notYet(), Probed.notYet(), infra.hasAlertmanager() ? Probed.notYet() : null, Instant.EPOCH);
		this.security = new Security(Probed.notYet(), Probed.notYet(), Probed.notYet(), Probed.notYet(),
				Instant.EPOCH);
	}

	/** The latest findings, for the dashboard; the probes run on while it keeps asking. */
	public InfraSnapshot snapshot() {
		Instant now = this.clock.instant();
		boolean dormant = !watched(now);
		this.watchedUntil = now.plus(this.infra.watchWindow());
		if (dormant && this.running) {
			this.healthRounds.execute(guarded(this::probeHealth));
			securityChecksWanted();
		}
		Health health = this.health;
		Security security = this.security;
		return new InfraSnapshot(health.loadBalancers(), health.webServers(), health.siteHolder(), health.apps(), health.primary(), health.replica(),
				health.prometheus(), health.alertmanager(), security.edge(), security.firewall(), security.appGrants(), security.access(),
				health.at());
	}

	/**
	 * An admin opened the dashboard: the security checks run now, in the background,
	 * unless they ran on such a request less than 30s ago.
	 */
	public void securityChecksWanted() {
		Instant now = this.clock.instant();
		Instant last = this.securityRequested.get();
		if (this.running && now.isAfter(last.plus(SECURITY_CHECKS_ON_DEMAND_EVERY))
				&& this.securityRequested.compareAndSet(last, now)) {
			this.securityRounds.execute(guarded(this::checkSecurity));
		}
	}

	@Override
	public void start() {
		this.running = true;
		long interval = this.infra.probeInterval().toMillis();
		this.healthRounds.scheduleWithFixedDelay(guarded(() -> {
			if (watched(this.clock.instant())) {
				probeHealth();
			}
		}), interval, interval, TimeUnit.MILLISECONDS);
		this.securityRounds.schedule(this::scheduledSecurityChecks, SECURITY_CHECKS_RETRY.toMillis(),
				TimeUnit.MILLISECONDS);
	}

	private boolean watched(Instant now) {
		return now.isBefore(this.watchedUntil);
	}

	/**
	 * Looks every 10s whether the security checks are due: while the dashboard is watched,
	 * {@code security-check-interval} after the last round, or 10s after one in which a
	 * check could not run (its component not up yet).
	 */
	private void scheduledSecurityChecks() {
		try {
			Instant now = this.clock.instant();
			Security last = this.security;
			Duration wait = last.complete() ? this.infra.securityCheckInterval() : SECURITY_CHECKS_RETRY;
			if (watched(now) && !now.isBefore(last.at().plus(wait))) {
				checkSecurity();
			}
		}
		catch (RuntimeException ex) {
			logger.warn("A round of security checks failed", ex);
		}
		finally {
			try {
				this.securityRounds.schedule(this::scheduledSecurityChecks, SECURITY_CHECKS_RETRY.toMillis(),
						TimeUnit.MILLISECONDS);
			}
			catch (RejectedExecutionException ex) {
				// Stopped meanwhile.
			}
		}
	}

	@Override
	public void stop() {
		this.running = false;
		this.healthRounds.shutdownNow();
		this.securityRounds.shutdownNow();
		this.executor.shutdownNow();
		this.db.close();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** One round of the components' health: every probe in parallel, none opening anything new. */
	void probeHealth() {
		Instant now = this.clock.instant();
		var loadBalancers = each(this.infra.loadBalancers(),
				(url) -> () -> this.http.haproxy(url, this.statsAuthorization));
		var webServers = each(this.infra.webServers(), (url) -> () -> this.http.nginx(url));
		var siteHolder = this.infra.sharedSiteAddress()
				? run(() -> this.http.siteHolder(this.infra.publicHttpUrl())) : null;
		var prometheus = run(() -> this.http.prometheus(this.infra.prometheusUrl()));
		var alertmanager = this.infra.hasAlertmanager()
				? run(() -> this.http.alertmanager(this.infra.alertmanagerUrl())) : null;
		var primary = run(() -> this.db.probe(this.databases.primary().url(), false));
		var replica = run(() -> this.db.probe(this.databases.replica().url(), true));
		var figures = run(() -> this.http.appFigures(this.infra.prometheusUrl()));
		var apps = each(this.infra.apps(), (url) -> () -> this.http.appHealth(url));
		Probed<Map<String, AppFigures>> known = figures.join();
		Map<String, Probed<AppStatus>> appResults = new LinkedHashMap<>();
		apps.forEach((name, future) -> {
			Probed<String> health = future.join();
			AppFigures figuresOfApp = known.ok() ? known.value().getOrDefault(name, AppFigures.UNKNOWN)
					: AppFigures.UNKNOWN;
			appResults.put(name, health.ok() ? Probed.of(new AppStatus(health.value(), figuresOfApp), health.at())
					: Probed.failed(health.error(), health.at()));
		});
		this.health = new Health(joined(loadBalancers), joined(webServers),
				(siteHolder != null) ? siteHolder.join() : null, appResults, primary.join(), replica.join(),
				prometheus.join(), (alertmanager != null) ? alertmanager.join() : null, now);
		this.healthRoundsDone.increment();
	}

	/** One round of the security checks, which handshake, connect and start child processes. */
	void checkSecurity() {
		var edge = run(() -> this.http.edge(this.infra.publicHttpsUrl(), this.infra.publicHttpUrl()));
		var firewallStatus = run(this.firewall::probe);
		var appGrants = run(() -> DatabaseProbes.ownGrants(this.databases.primary().url(),
				this.databases.primary().username(), this.appPassword,
				(int) this.infra.probeTimeout().toMillis()));
		// Every load balancer has the same configuration: the first one's doors are tried.
		String statsUrl = this.infra.loadBalancers().values().iterator().next();
		var access = run(() -> this.http.access(statsUrl, this.statsAuthorization,
				this.infra.apps(), this.monitoringAuthorization));
		this.security = new Security(edge.join(), firewallStatus.join(), appGrants.join(), access.join(),
				this.clock.instant());
		this.securityRoundsDone.increment();
	}

	private static Counter rounds(MeterRegistry registry, String kind) {
		return Counter.builder("webstack.dashboard.probe.rounds")
			.description("Rounds of the dashboard's probes run by this app server")
			.tag("kind", kind)
			.register(registry);
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

	/** The same probe of every named component, in parallel. */
	private <T> Map<String, CompletableFuture<Probed<T>>> each(Map<String, String> urls,
			Function<String, Probe<T>> probe) {
		Map<String, CompletableFuture<Probed<T>>> futures = new LinkedHashMap<>();
		urls.forEach((name, url) -> futures.put(name, run(probe.apply(url))));
		return futures;
	}

	private static <T> Map<String, Probed<T>> joined(Map<String, CompletableFuture<Probed<T>>> futures) {
		Map<String, Probed<T>> results = new LinkedHashMap<>();
		futures.forEach((name, future) -> results.put(name, future.join()));
		return results;
	}

	private static <T> Map<String, Probed<T>> notYet(Map<String, String> names) {
		Map<String, Probed<T>> results = new LinkedHashMap<>();
		names.keySet().forEach((name) -> results.put(name, Probed.notYet()));
		return results;
	}

	private static String describe(Exception ex) {
		Throwable cause = (ex instanceof UncheckedIOException) ? ex.getCause() : ex;
		String message = cause.getMessage();
		return cause.getClass().getSimpleName() + ((message != null) ? ": " + message : "");
	}

	/** A scheduled round that fails must not end the schedule (an executor drops a task that throws). */
	private static Runnable guarded(Runnable round) {
		return () -> {
			try {
				round.run();
			}
			catch (RuntimeException ex) {
				logger.warn("A round of probes failed", ex);
			}
		};
	}

	private static ThreadFactory daemon(String name) {
		return (task) -> {
			Thread thread = new Thread(task, name);
			thread.setDaemon(true);
			return thread;
		};
	}

	@FunctionalInterface
	private interface Probe<T> {

		T call() throws Exception;

	}

	private record Health(Map<String, Probed<List<HaproxyServer>>> loadBalancers,
			Map<String, Probed<NginxStatus>> webServers, Probed<String> siteHolder, Map<String, Probed<AppStatus>> apps, Probed<DatabaseStatus> primary, Probed<DatabaseStatus> replica,
			Probed<List<PrometheusTarget>> prometheus, Probed<AlertmanagerStatus> alertmanager, Instant at) {
	}

	private record Security(Probed<EdgeStatus> edge, Probed<FirewallStatus> firewall,
			Probed<List<String>> appGrants, Probed<AccessStatus> access, Instant at) {

		/** Whether every check ran (rather than failing to reach what it checks). */
		boolean complete() {
			return this.edge.ok() && this.firewall.ok() && this.appGrants.ok() && this.access.ok();
		}

	}

}
