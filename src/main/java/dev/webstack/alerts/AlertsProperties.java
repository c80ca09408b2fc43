package dev.webstack.alerts;

import java.nio.file.Path;

import dev.webstack.system.Secrets;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The webhook through which Alertmanager delivers alerts ({@code /internal/alerts}).
 *
 * @param webhookUsername the account Alertmanager signs in with (HTTP Basic)
 * @param webhookPasswordFile file holding its password, shared with Alertmanager
 */
@ConfigurationProperties("webstack.alerts")
public record AlertsProperties(String webhookUsername, Path webhookPasswordFile) {

	/**
	 * The webhook's password, read from its file.
	 * @return the password
	 * @throws Secrets.MissingSecretException if it cannot be read
	 */
	public String readPassword() {
		return Secrets.read("Alertmanager's webhook account " + this.webhookUsername, this.webhookPasswordFile);
	}

}
