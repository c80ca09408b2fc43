package dev.webstack.dashboard.probe;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the other components answer, for the dashboard's probes.
 *
 * @param loadBalancers every load balancer's name and HAProxy stats page (the CSV is at
 * that URL plus {@code ;csv}); the first is the one whose doors the security checks knock on
 * (every load balancer has the same configuration)
 * @param haproxyStatsUser the stats page's user (its {@code /metrics} is Prometheus's alone)
 * @param haproxyStatsPasswordFile file holding that user's password
 * @param webServers every web server's name and Nginx {@code stub_status} URL
 * @param prometheusUrl Prometheus's base URL
 * @param alertmanagerUrl Alertmanager's base URL, or empty where none runs (Compose)
 * @param publicHttpsUrl the site as users reach it (through HAProxy, over TLS)
 * @param publicHttpUrl the plain HTTP listener, which must redirect; with more than one load
 * balancer, its answer's {@code X-Load-Balancer} header tells which holds the site's address
 * @param apps every app server's name and management base URL (this one's included)
 * @param probeInterval how often the components' health is probed
 * @param securityCheckInterval how often the security checks run (TLS versions, the
 * certificate, grants, the monitoring side's doors, the firewall) besides when an admin
 * opens the dashboard
 * @param watchWindow how long after the dashboard's last report the probes go on running
 * @param probeTimeout the longest any single probe may take
 * @param firewallTablesFile where {@code ./stack}, run as root, records what {@code nft
 * list tables} says (listing them needs root; the app servers run unprivileged)
 */
@ConfigurationProperties("webstack.infra")
public record InfraProperties(Map<String, String> loadBalancers, String haproxyStatsUser,
		Path haproxyStatsPasswordFile, Map<String, String> webServers, String prometheusUrl, String alertmanagerUrl, String publicHttpsUrl, String publicHttpUrl,
		Map<String, String> apps, Duration probeInterval, Duration securityCheckInterval, Duration watchWindow,
		Duration probeTimeout,
		Path firewallTablesFile) {

	public InfraProperties {
		// By name (lb-1 before lb-2), whichever source named each.
		loadBalancers = Collections.unmodifiableMap(new TreeMap<>(loadBalancers));
		webServers = Collections.unmodifiableMap(new TreeMap<>(webServers));
	}

	/** Whether the site's address moves between load balancers (keepalived). */
	public boolean sharedSiteAddress() {
		return this.loadBalancers.size() > 1;
	}

	/** Whether an Alertmanager is part of this deployment. */
	public boolean hasAlertmanager() {
		return this.alertmanagerUrl != null && !this.alertmanagerUrl.isBlank();
	}

}
