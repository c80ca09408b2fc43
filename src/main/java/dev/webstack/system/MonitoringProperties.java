package dev.webstack.system;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The monitoring account, shared by all app servers: it may see the health details on
 * their management ports, which nobody else may; the dashboard's probes of the peers
 * sign in with it.
 *
 * @param username the account's name
 * @param passwordFile file holding its password
 */
@ConfigurationProperties("webstack.monitoring")
public record MonitoringProperties(String username, Path passwordFile) {

	/**
	 * The password, read from its file.
	 * @return the password
	 * @throws Secrets.MissingSecretException if it cannot be read
	 */
	public String readPassword() {
		return Secrets.read("the monitoring account " + this.username, this.passwordFile);
	}

}
