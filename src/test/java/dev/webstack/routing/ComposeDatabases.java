package dev.webstack.routing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.webstack.mysql.DatabaseFlavor;
import dev.webstack.mysql.ReplicaStatus;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.MountableFile;
import org.yaml.snakeyaml.Yaml;

/**
 * db-1 and db-2 in containers, made as Docker Compose makes them: each service's image,
 * command, environment, init scripts and secrets read from the Compose files themselves
 * ({@code docker/compose.yaml}, and an override such as {@code docker/compose.local.yaml}
 * merged over it as Compose merges), so that these tests run Compose's own database setup.
 */
final class ComposeDatabases implements AutoCloseable {

	/** The database secrets of docker/secrets.sh, by the same names, fresh for each pair. */
	final Map<String, String> secrets = new LinkedHashMap<>();

	private final Network network = Network.newNetwork();

	final GenericContainer<?> primary;

	final GenericContainer<?> replica;

	ComposeDatabases(String... composeFiles) {
		Map<String, Object> services = services(composeFiles);
		this.primary = container(services, "db-1");
		this.replica = container(services, "db-2");
	}

	void start() {
		this.primary.start();
		this.replica.start();
	}

	@Override
	public void close() {
		this.replica.close();
		this.primary.close();
		this.network.close();
	}

	String jdbcUrl(GenericContainer<?> container, String database) {
		return "jdbc:mysql://" + container.getHost() + ":" + container.getMappedPort(3306) + "/" + database
				+ "?allowPublicKeyRetrieval=true&connectTimeout=5000&socketTimeout=30000";
	}

	/** The monitoring account, as the app's monitor connects: to the server, no schema. */
	Connection monitor(GenericContainer<?> container) throws SQLException {
		return DriverManager.getConnection(jdbcUrl(container, ""), "webstack_monitor",
				this.secrets.get("db-monitor-password"));
	}

	ReplicaStatus replicaStatus(DatabaseFlavor flavor) throws SQLException {
		try (Connection monitor = monitor(this.replica)) {
			return ReplicaStatus.read(monitor, flavor);
		}
	}

	/** The app's secrets in {@code dir}, as Compose mounts them in /run/secrets. */
	void writeAppSecrets(Path dir) throws IOException {
		for (String name : List.of("db-app-password", "db-migrations-password", "db-monitor-password")) {
			Files.writeString(dir.resolve(name), this.secrets.get(name));
		}
	}

	private GenericContainer<?> container(Map<String, Object> services, String name) {
		Map<String, Object> service = map(services.get(name));
		GenericContainer<?> container = new GenericContainer<>((String) service.get("image"))
			.withNetwork(this.network)
			.withNetworkAliases(name)
			.withExposedPorts(3306)
			.withCommand(strings(service.get("command")).toArray(String[]::new))
			// The initialisation server listens on no port; the real one names its socket and 3306.
			.waitingFor(Wait.forLogMessage("(?s).*socket: .*port: 3306\\s.*", 1)
				.withStartupTimeout(Duration.ofMinutes(3)));
		map(service.get("environment")).forEach((key, value) -> container.withEnv(key, String.valueOf(value)));
		for (String volume : strings(service.get("volumes"))) {
			String[] parts = volume.split(":");
			if (parts[0].startsWith("./")) {
				container.withCopyFileToContainer(MountableFile.forHostPath(Path.of("docker", parts[0]), 0755),
						parts[1]);
			}
		}
		for (String secret : strings(service.get("secrets"))) {
			String value = this.secrets.computeIfAbsent(secret, (s) -> UUID.randomUUID().toString().replace("-", ""));
			container.withCopyToContainer(Transferable.of(value, 0644), "/run/secrets/" + secret);
		}
		return container;
	}

	/** The services of the Compose files merged as Compose merges them, for what is used here. */
	private static Map<String, Object> services(String... composeFiles) {
		Map<String, Object> merged = new LinkedHashMap<>();
		for (String file : composeFiles) {
			try (InputStream in = Files.newInputStream(Path.of("docker", file))) {
				Map<String, Object> services = map(map(new Yaml().load(in)).get("services"));
				services.forEach((name, definition) -> merged.merge(name, definition,
						(base, override) -> merge(map(base), map(override))));
			}
			catch (IOException ex) {
				throw new IllegalStateException("cannot read docker/" + file, ex);
			}
		}
		return merged;
	}

	/** An override's image, command and secrets replace; environment and volumes (by target) merge. */
	private static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> override) {
		Map<String, Object> service = new LinkedHashMap<>(base);
		override.forEach((key, value) -> {
			switch (key) {
				case "environment" -> {
					Map<String, Object> environment = new LinkedHashMap<>(map(base.get(key)));
					environment.putAll(map(value));
					service.put(key, environment);
				}
				case "volumes" -> {
					Map<String, String> byTarget = new LinkedHashMap<>();
					for (String volume : strings(base.get(key))) {
						byTarget.put(volume.split(":")[1], volume);
					}
					for (String volume : strings(value)) {
						byTarget.put(volume.split(":")[1], volume);
					}
					service.put(key, new ArrayList<>(byTarget.values()));
				}
				default -> service.put(key, value);
			}
		});
		return service;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object value) {
		return (value != null) ? (Map<String, Object>) value : Map.of();
	}

	@SuppressWarnings("unchecked")
	private static List<String> strings(Object value) {
		return (value != null) ? ((List<Object>) value).stream().map(String::valueOf).toList() : List.of();
	}

}
