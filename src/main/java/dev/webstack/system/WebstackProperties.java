package dev.webstack.system;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * What identifies this application server, and the secrets it shares with its peers.
 *
 * @param instanceName the name of this app server (app-1, app-2), sent as X-App-Server
 * @param exposeIdentity whether responses name the app server and the database that served reads
 * @param adminPasswordFile file holding the admin password; without it nobody can sign in
 * @param sessionKeyFile file holding the key that signs session and message cookies, shared by all app servers
 * @param sessionTimeout how long a sign-in lasts
 * @param sessionKeyGrace how long the key that signed before a rotation is still accepted after it; longer
 * than {@code sessionTimeout}, so that a rotation signs nobody out early
 */
@ConfigurationProperties("webstack")
public record WebstackProperties(String instanceName, boolean exposeIdentity, Path adminPasswordFile,
		Path sessionKeyFile, Duration sessionTimeout, Duration sessionKeyGrace) {
}
