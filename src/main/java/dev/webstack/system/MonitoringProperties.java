package dev.webstack.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The monitoring account, shared by all app servers: it may see the health details on
 * their management ports, which nobody else may; the dashboard's probes of the peers
 * sign in with it.
 *
 * @param username the account's name
 * @param passwordFile file holding its password; without it nobody sees the details
 */
@ConfigurationProperties("webstack.monitoring")
public record MonitoringProperties(String username, Path passwordFile) {

	/**
	 * The password, or {@code null} when its file is missing or unreadable.
	 * @return the password from the file, stripped
	 */
	public String readPassword() {
		try {
			return (this.passwordFile != null) ? Files.readString(this.passwordFile).strip() : null;
		}
		catch (IOException ex) {
			return null;
		}
	}

}
