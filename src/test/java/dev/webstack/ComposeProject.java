package dev.webstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Compose stack of the tests: a copy of the files its builds and mounts read (nothing of
 * this checkout's own state), its own secrets, its own project name, the Compose files
 * named (over {@code docker/compose.yaml}) and the environment given to every command.
 * Uses {@code docker compose} where the Compose plugin exists, else {@code docker-compose}.
 */
final class ComposeProject {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final Path dir;

	private final String name = "webstack-test-" + UUID.randomUUID().toString().substring(0, 8);

	private final List<String> files;

	private final Map<String, String> environment;

	private final List<String> compose;

	private ComposeProject(Path dir, List<String> files, Map<String, String> environment, List<String> compose) {
		this.dir = dir;
		this.files = files;
		this.environment = environment;
		this.compose = compose;
	}

	/**
	 * Copies the project into {@code dir}, makes its secrets and the Debian base image, and
	 * returns the project of {@code docker/compose.yaml} and {@code files} over it.
	 */
	static ComposeProject copyInto(Path dir, List<String> files, Map<String, String> environment) throws Exception {
		for (String folder : List.of("docker", "haproxy", "nginx", "prometheus", "src/main/resources/static")) {
			FileSystemUtils.copyRecursively(Path.of(folder), dir.resolve(folder));
		}
		FileSystemUtils.deleteRecursively(dir.resolve("docker/secrets"));
		Files.deleteIfExists(dir.resolve("docker/.env"));
		Files.copy(Path.of(".dockerignore"), dir.resolve(".dockerignore"));
		Files.createDirectories(dir.resolve("target"));
		Files.copy(Path.of("target/webstack.jar"), dir.resolve("target/webstack.jar"));
		ComposeProject project = new ComposeProject(dir, files, environment, composeCommand());
		project.assertSucceeds(Duration.ofMinutes(2), dir.resolve("docker/secrets.sh").toString());
		project.assertSucceeds(Duration.ofMinutes(15), dir.resolve("docker/base-image.sh").toString());
		return project;
	}

	String name() {
		return this.name;
	}

	Path dir() {
		return this.dir;
	}

	/** The site's certificate (docker/secrets.sh made it). */
	Path certificate() {
		return this.dir.resolve("docker/secrets/lb-1.crt");
	}

	String secret(String secret) throws IOException {
		return Files.readString(this.dir.resolve("docker/secrets").resolve(secret)).strip();
	}

	/** The Compose command with this project's name and files, then {@code args}. */
	String[] compose(String... args) {
		List<String> command = new ArrayList<>(this.compose);
		command.addAll(List.of("-p", this.name, "-f", "docker/compose.yaml"));
		this.files.forEach((file) -> command.addAll(List.of("-f", file)));
		command.addAll(List.of(args));
		return command.toArray(String[]::new);
	}

	/** docker/deploy.sh for this project. */
	String[] deploy() {
		List<String> command = new ArrayList<>(List.of("docker/deploy.sh", "-p", this.name, "-f", "docker/compose.yaml"));
		this.files.forEach((file) -> command.addAll(List.of("-f", file)));
		return command.toArray(String[]::new);
	}

	/** A command run in the project's copy, with the project's environment. */
	ProcessBuilder processBuilder(String... command) {
		ProcessBuilder builder = new ProcessBuilder(command).directory(this.dir.toFile());
		builder.environment().putAll(this.environment);
		return builder;
	}

	ChildProcess.Result run(Duration timeout, String... command) throws Exception {
		ChildProcess.Result result = ChildProcess.run(processBuilder(command), timeout);
		assertThat(result.finished()).as("%s did not finish in %s: %s", String.join(" ", command), timeout,
				result.output()).isTrue();
		return result;
	}

	void assertSucceeds(Duration timeout, String... command) throws Exception {
		ChildProcess.Result result = run(timeout, command);
		assertThat(result.exitCode()).as("%s: %s", String.join(" ", command), result.output()).isZero();
	}

	/** A statement as root over db's own socket; the password reaches mysql as an option file. */
	String rootSql(String db, String sql) throws Exception {
		ChildProcess.Result result = run(Duration.ofSeconds(30), compose("exec", "-T", db, "bash", "-c",
				"mysql --defaults-extra-file=<(printf '[client]\\npassword=%s\\n' \"$(cat /run/secrets/db-root-password)\")"
						+ " -uroot --batch --skip-column-names -e \"$0\"",
				sql));
		assertThat(result.exitCode()).as(result.output()).isZero();
		return result.output().strip();
	}

	/**
	 * Waits until Prometheus has {@code count} active targets, every one up, and returns
	 * them. Prometheus publishes no port: asked from web-1, which shares its front network.
	 */
	JsonNode awaitPrometheusTargetsUp(int count) {
		return await("every Prometheus target up").atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofSeconds(1))
			.until(() -> JSON.readTree(run(Duration.ofSeconds(30),
					compose("exec", "-T", "web-1", "curl", "-fsS", "http://prometheus:9090/api/v1/targets"))
				.output()).path("data").path("activeTargets"), (targets) -> {
					List<String> health = targets.findValuesAsString("health");
					return health.size() == count && health.stream().allMatch("up"::equals);
				});
	}

	/** {@code down -v}, then no container, network or volume of the project left. */
	void downLeavingNothing() throws Exception {
		assertSucceeds(Duration.ofMinutes(5), compose("down", "-v", "--remove-orphans"));
		String label = "label=com.docker.compose.project=" + this.name;
		assertThat(run(Duration.ofSeconds(30), "docker", "ps", "-aq", "--filter", label).output()).isBlank();
		assertThat(run(Duration.ofSeconds(30), "docker", "network", "ls", "-q", "--filter", label).output()).isBlank();
		assertThat(run(Duration.ofSeconds(30), "docker", "volume", "ls", "-q", "--filter", label).output()).isBlank();
	}

	/** {@code down -v}, whatever state the stack is in (after a failure too). */
	void down() throws Exception {
		run(Duration.ofMinutes(5), compose("down", "-v", "--remove-orphans"));
	}

	/** {@code docker compose} where the plugin answers, else Debian's {@code docker-compose}. */
	private static List<String> composeCommand() throws Exception {
		ChildProcess.Result plugin = ChildProcess.run(new ProcessBuilder("docker", "compose", "version"),
				Duration.ofSeconds(30));
		return (plugin.finished() && plugin.exitCode() == 0) ? List.of("docker", "compose") : List.of("docker-compose");
	}

}
