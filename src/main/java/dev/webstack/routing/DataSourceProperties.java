package dev.webstack.routing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The two databases the application talks to, and the account that migrates the schema.
 *
 * @param primary the primary (writes, and reads that must be current)
 * @param replica the read-only replica (reads in read-only transactions)
 * @param migrations the account Flyway uses on the primary
 * @param monitor the account that reads replication status (and no data) on both servers
 * @param replicaRetryInterval how long reads stay on the primary after the replica failed to give a connection
 * @param heartbeatInterval how often the heartbeat row is written on the primary and read on the replica
 * @param maxReplicaLag replication lag beyond which the replica counts as lagging
 * @param readYourWritesWait how long a read waits for the replica to apply the reader's own last write before it
 * goes to the primary instead
 */
@ConfigurationProperties("webstack.datasource")
public record DataSourceProperties(Pool primary, Pool replica, Account migrations, Account monitor,
		Duration replicaRetryInterval, Duration heartbeatInterval, Duration maxReplicaLag,
		Duration readYourWritesWait) {

	/**
	 * One connection pool.
	 *
	 * @param url JDBC URL of the server
	 * @param username account name
	 * @param password password, when not given as a file
	 * @param passwordFile file holding the password (takes precedence over password)
	 * @param maximumPoolSize largest number of connections in the pool
	 * @param connectionTimeout longest wait for a connection before the pool gives up
	 */
	public record Pool(String url, String username, String password, Path passwordFile, int maximumPoolSize,
			Duration connectionTimeout) {

		public String resolvePassword() {
			return Secrets.read(this.password, this.passwordFile);
		}

	}

	/**
	 * An account without a pool of its own.
	 *
	 * @param username account name
	 * @param password password, when not given as a file
	 * @param passwordFile file holding the password (takes precedence over password)
	 */
	public record Account(String username, String password, Path passwordFile) {

		public String resolvePassword() {
			return Secrets.read(this.password, this.passwordFile);
		}

	}

	/**
	 * The same server without a default database: the monitoring account has rights on no
	 * schema, so it must not ask for one.
	 */
	public static String serverUrl(String jdbcUrl) {
		return jdbcUrl.replaceFirst("^(jdbc:[a-z]+://[^/?]+)/[^?]*", "$1/");
	}

	/** Reads a secret from its file if one is named, else takes the inline value. */
	static final class Secrets {

		private Secrets() {
		}

		static String read(String inline, Path file) {
			if (file != null && !file.toString().isBlank()) {
				try {
					return Files.readString(file).strip();
				}
				catch (IOException ex) {
					throw new UncheckedIOException("Cannot read secret file " + file, ex);
				}
			}
			return inline;
		}

	}

}
