package dev.webstack.dashboard.probe;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the other components answer, for the dashboard's probes.
 *
 * @param haproxyStatsUrl HAProxy's stats page (the CSV is at this URL plus {@code ;csv})
 * @param haproxyStatsUser the stats page's user (its {@code /metrics} is Prometheus's alone)
 * @param haproxyStatsPasswordFile file holding that user's password
 * @param nginxStatusUrl Nginx's {@code stub_status}
 * @param prometheusUrl Prometheus's base URL
 * @param alertmanagerUrl Alertmanager's base URL, or empty where none runs (Compose)
 * @param publicHttpsUrl the site as users reach it (through HAProxy, over TLS)
 * @param publicHttpUrl the plain HTTP listener, which must redirect
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
public record InfraProperties(String haproxyStatsUrl, String haproxyStatsUser, Path haproxyStatsPasswordFile,
		String nginxStatusUrl, String prometheusUrl, String alertmanagerUrl, String publicHttpsUrl, String publicHttpUrl,
		Map<String, String> apps, Duration probeInterval, Duration securityCheckInterval, Duration watchWindow,
		Duration probeTimeout,
		Path firewallTablesFile) {

	/** Whether an Alertmanager is part of this deployment. */
	public boolean hasAlertmanager() {
		return this.alertmanagerUrl != null && !this.alertmanagerUrl.isBlank();
	}

}
