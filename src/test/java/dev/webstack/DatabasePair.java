package dev.webstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.util.FileSystemUtils;

/**
 * A real MariaDB primary with a replica, started once per test JVM by the project's own
 * launcher ({@code ./stack db up}) in a temporary directory, on ports of its own, and
 * stopped ({@code ./stack db down}) when the JVM exits.
 */
public final class DatabasePair {

	/** Every port of this pair is its default plus this offset. */
	static final int PORT_OFFSET = 10000;

	public static final int PRIMARY_PORT = 3307 + PORT_OFFSET;

	public static final int REPLICA_PORT = 3308 + PORT_OFFSET;

	private static Path stateDir;

	private DatabasePair() {
	}

	/** Starts the pair if this JVM has not yet, and points the application at it. */
	public static void register(DynamicPropertyRegistry registry) {
		Path state = start();
		registry.add("WEBSTACK_SECRETS_DIR", () -> state.resolve("secrets").toString());
		registry.add("WEBSTACK_DB_PRIMARY_PORT", () -> PRIMARY_PORT);
		registry.add("WEBSTACK_DB_REPLICA_PORT", () -> REPLICA_PORT);
		probesOfNothing(state).forEach((name, value) -> registry.add(name, () -> value));
	}

	/**
	 * The dashboard's probes of the other components, pointed where nothing listens: this
	 * pair's port offset, at which only its two databases run. Without them an app server
	 * started by a test would probe, and report, whatever stack a developer has running on
	 * the default ports (and read its firewall record: here, one under {@code state}, which
	 * nothing writes).
	 */
	public static Map<String, String> probesOfNothing(Path state) {
		return Map.of("webstack.infra.load-balancers.lb-1", "http://127.0.0.1:" + (8404 + PORT_OFFSET) + "/",
				"webstack.infra.web-servers.web-1", "http://127.0.0.1:" + (8090 + PORT_OFFSET) + "/stub_status",
				"webstack.infra.prometheus-url", "http://127.0.0.1:" + (9090 + PORT_OFFSET),
				"webstack.infra.alertmanager-url", "http://127.0.0.1:" + (9093 + PORT_OFFSET),
				"webstack.infra.public-https-url", "https://127.0.0.1:" + (8443 + PORT_OFFSET),
				"webstack.infra.public-http-url", "http://127.0.0.1:" + (8080 + PORT_OFFSET),
				"webstack.infra.apps.app-1", "http://127.0.0.1:" + (9101 + PORT_OFFSET),
				"webstack.infra.apps.app-2", "http://127.0.0.1:" + (9102 + PORT_OFFSET),
				"webstack.infra.firewall-tables-file", state.resolve("run/nft-tables").toString());
	}

	/**
	 * Writes the secrets an app server needs besides the database passwords (which
	 * {@code ./stack db up} makes): without any one of them it does not start.
	 */
	public static void writeAppSecrets(Path secrets) throws IOException {
		for (String name : List.of("admin-password", "session-key", "lb-stats-password", "monitoring-password",
				"alertmanager-password")) {
			Files.writeString(secrets.resolve(name), UUID.randomUUID().toString());
		}
	}

	public static synchronized Path start() {
		if (stateDir != null) {
			return stateDir;
		}
		try {
			Path state = Files.createTempDirectory("webstack-test-");
			run(state, "up");
			writeAppSecrets(state.resolve("secrets"));
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				run(state, "down");
				FileSystemUtils.deleteRecursively(state.toFile());
			}));
			stateDir = state;
			return state;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void run(Path state, String command) {
		Path log = Path.of("target", "database-pair.log").toAbsolutePath();
		ProcessBuilder builder = new ProcessBuilder(List.of(Path.of("stack").toAbsolutePath().toString(), "db", command));
		builder.environment().put("WEBSTACK_STATE_DIR", state.toString());
		builder.environment().put("WEBSTACK_PORT_OFFSET", String.valueOf(PORT_OFFSET));
		builder.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
			.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
		try {
			Process process = builder.start();
			if (!process.waitFor(180, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException("./stack db " + command + " did not finish in 180 s; see " + log);
			}
			if (process.exitValue() != 0) {
				throw new IllegalStateException("./stack db " + command + " failed; see " + log);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	public static String secret(String name) {
		try {
			return Files.readString(start().resolve("secrets").resolve(name)).strip();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Waits until the replica has applied everything the primary has committed so far (the
	 * replica is asynchronous; tests that read their own writes through it wait here).
	 */
	public static void awaitReplica() throws SQLException {
		String position;
		try (Connection primary = connect(PRIMARY_PORT); Statement statement = primary.createStatement();
				ResultSet row = statement.executeQuery("select @@gtid_binlog_pos")) {
			row.next();
			position = row.getString(1);
		}
		try (Connection replica = connect(REPLICA_PORT);
				PreparedStatement wait = replica.prepareStatement("select master_gtid_wait(?, 10)")) {
			wait.setString(1, position);
			try (ResultSet row = wait.executeQuery()) {
				row.next();
				if (row.getInt(1) != 0) {
					throw new IllegalStateException("The replica did not reach " + position + " within 10s");
				}
			}
		}
	}

	/** Runs SQL as root on one server of the pair, over its socket (as an operator would). */
	public static String rootSql(String server, String sql) {
		Path socket = start().resolve(server).resolve("mysqld.sock");
		ProcessBuilder builder = new ProcessBuilder("mariadb", "--no-defaults", "--protocol=socket",
				"--socket=" + socket, "-u", "root", "--batch", "--skip-column-names", "-e", sql)
			.redirectErrorStream(true);
		try {
			ChildProcess.Result mariadb = ChildProcess.run(builder, Duration.ofSeconds(60));
			if (!mariadb.finished() || mariadb.exitCode() != 0) {
				throw new IllegalStateException("mariadb on " + server + " failed: " + mariadb.output());
			}
			return mariadb.output().strip();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** Kills a server of the pair with SIGKILL, as a crash would, and waits until it is gone. */
	public static void kill(String server) throws Exception {
		long pid = Long.parseLong(Files.readString(start().resolve("run").resolve(server + ".pid")).strip());
		ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
		process.destroyForcibly();
		process.onExit().get(30, TimeUnit.SECONDS);
	}

	/** Starts whatever part of the pair is not running ({@code ./stack db up}). */
	public static void repair() {
		run(start(), "up");
	}

	/** Makes the replica apply every event this many seconds late (MariaDB's MASTER_DELAY). */
	public static void delayReplica(int seconds) {
		rootSql("db-2", "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=" + seconds + "; START SLAVE");
	}

	/** {@code select count(*) ...} with one string parameter, on one server, as the application's account sees it. */
	public static int count(int port, String sql, String value) throws SQLException {
		try (Connection connection = connect(port); PreparedStatement query = connection.prepareStatement(sql)) {
			query.setString(1, value);
			try (ResultSet rows = query.executeQuery()) {
				rows.next();
				return rows.getInt(1);
			}
		}
	}

	/** A direct connection with the application's account, bypassing the application. */
	public static Connection connect(int port) throws SQLException {
		return DriverManager.getConnection(
				"jdbc:mysql://127.0.0.1:" + port + "/webstack?connectTimeout=5000&socketTimeout=60000", "webstack_app",
				secret("db-app-password"));
	}

}
