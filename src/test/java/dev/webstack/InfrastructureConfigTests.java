package dev.webstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration files of HAProxy, Prometheus and Docker Compose, checked by the tools
 * themselves with the values each way of running gives them ({@code ./stack up} checks the
 * native rendering of all three, Nginx included, before it starts anything).
 */
class InfrastructureConfigTests {

	@TempDir
	private Path work;

	@Test
	void haproxyConfigIsValidNativelyAndInDocker() throws Exception {
		Path pem = certificate();
		Map<String, String> common = Map.of("LB_NAME", "lb-1", "LB_CERT", pem.toString(), "LB_RUNTIME_SOCKET",
				this.work.resolve("haproxy.sock").toString());
		// The stats listener's users come in a second file (./stack and docker/secrets.sh
		// render it with crypt(3) hashes); its syntax is what matters here.
		Path users = this.work.resolve("haproxy-users.cfg");
		Files.writeString(users, """
				userlist lb-1-users
				    group stats
				    group metrics
				    user stats insecure-password one groups stats
				    user prometheus insecure-password two groups metrics
				""");
		Map<String, String> nativeEnv = new java.util.HashMap<>(common);
		nativeEnv.putAll(Map.of("LB_HTTP_BIND", "127.0.0.1:8080", "LB_HTTPS_BIND", "127.0.0.1:8443", "LB_HTTPS_PORT",
				"8443", "LB_STATS_BIND", "127.0.0.1:8404", "WEB_APP1_ADDR", "127.0.0.1:8081", "WEB_APP2_ADDR",
				"127.0.0.1:8082"));
		Map<String, String> dockerEnv = new java.util.HashMap<>(common);
		dockerEnv.putAll(Map.of("LB_HTTP_BIND", ":80", "LB_HTTPS_BIND", ":443", "LB_HTTPS_PORT", "443",
				"LB_STATS_BIND", ":8404", "WEB_APP1_ADDR", "web-1:8081", "WEB_APP2_ADDR", "web-1:8082"));
		// The ha mode's: a second web server's paths too.
		Map<String, String> haEnv = new java.util.HashMap<>(nativeEnv);
		haEnv.putAll(Map.of("LB_NAME", "lb-2", "WEB2_APP1_ADDR", "127.0.0.2:8081", "WEB2_APP2_ADDR", "127.0.0.2:8082"));
		for (Map<String, String> env : List.of(nativeEnv, dockerEnv, haEnv)) {
			Result check = run(env, "haproxy", "-c", "-f", "haproxy/haproxy.cfg", "-f", users.toString());
			assertThat(check.exitCode()).as(check.output()).isZero();
			Result noUsers = run(env, "haproxy", "-c", "-f", "haproxy/haproxy.cfg");
			assertThat(noUsers.exitCode()).as("without its users the config must not pass").isNotZero();
		}
		Result broken = run(Map.of(), "haproxy", "-c", "-f", "haproxy/haproxy.cfg", "-f", users.toString());
		assertThat(broken.exitCode()).as("without its environment the config must not pass").isNotZero();
	}

	@Test
	void prometheusConfigIsValidWithDockersTargets() throws Exception {
		Path dir = this.work.resolve("prometheus");
		Files.createDirectories(dir.resolve("secrets"));
		Files.copy(Path.of("prometheus/prometheus.yml"), dir.resolve("prometheus.yml"));
		Files.copy(Path.of("prometheus/alerts.yml"), dir.resolve("alerts.yml"));
		Files.copy(Path.of("prometheus/slo.yml"), dir.resolve("slo.yml"));
		FileSystemUtils.copyRecursively(Path.of("docker/prometheus/targets"), dir.resolve("targets"));
		Files.writeString(dir.resolve("secrets/lb-metrics-password"), "secret");
		Result check = run(Map.of(), "promtool", "check", "config", dir.resolve("prometheus.yml").toString());
		assertThat(check.exitCode()).as(check.output()).isZero();
	}

	@Test
	void firewallRuleSetsPassNftsCheck() throws Exception {
		for (String role : List.of("lb", "web", "app", "db", "mon")) {
			Result check = run(Map.of(), "nft", "-c", "-I", "firewall", "-f", "firewall/" + role + ".nft");
			assertThat(check.exitCode()).as(role + ": " + check.output()).isZero();
		}
		Path broken = this.work.resolve("broken.nft");
		Files.writeString(broken, Files.readString(Path.of("firewall/db.nft")).replace("tcp dport 3306", "tcp dportt 3306"));
		assertThat(run(Map.of(), "nft", "-c", "-I", "firewall", "-f", broken.toString()).exitCode())
			.as("a broken rule set must not pass")
			.isNotZero();
	}

	@Test
	void alertAndRecordingRulesPassTheirUnitTests() throws Exception {
		for (String tests : List.of("prometheus/alerts.test.yml", "prometheus/slo.test.yml")) {
			Result rules = run(Map.of(), "promtool", "test", "rules", tests);
			assertThat(rules.exitCode()).as(rules.output()).isZero();
			assertThat(rules.output()).contains("SUCCESS");
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void composeFileParsesAndKeepsTheLoadBalancerAwayFromTheDatabases() throws Exception {
		for (String dir : List.of("docker", "haproxy", "nginx", "prometheus")) {
			FileSystemUtils.copyRecursively(Path.of(dir), this.work.resolve(dir));
		}
		FileSystemUtils.deleteRecursively(this.work.resolve("docker/secrets"));
		Result secrets = run(Map.of(), this.work.resolve("docker/secrets.sh").toString());
		assertThat(secrets.exitCode()).as(secrets.output()).isZero();
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(this.work.resolve("docker/secrets"))))
			.isEqualTo("rwx------");
		try (Stream<Path> secretFiles = Files.list(this.work.resolve("docker/secrets"))) {
			secretFiles.forEach((file) -> assertThat(permissions(file)).as(file + " is not world-readable")
				.isEqualTo("rw-r-----"));
		}
		assertThat(Files.readString(this.work.resolve("docker/.env"))).contains("WEBSTACK_SECRETS_GID=");

		Result config = run(Map.of(), "docker-compose", "-f", this.work.resolve("docker/compose.yaml").toString(),
				"config");
		assertThat(config.exitCode()).as(config.output()).isZero();
		Map<String, Object> compose = new Yaml().load(config.output());
		Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
		assertThat(services.keySet()).containsExactlyInAnyOrder("lb-1", "web-1", "app-1", "app-2", "db-1", "db-2",
				"prometheus");
		assertThat(services.entrySet().stream().filter((s) -> s.getValue().containsKey("ports")).map(Map.Entry::getKey))
			.as("only HAProxy publishes ports")
			.containsExactly("lb-1");
		Set<String> lbNetworks = ((Map<String, Object>) services.get("lb-1").get("networks")).keySet();
		for (String db : List.of("db-1", "db-2")) {
			assertThat(((Map<String, Object>) services.get(db).get("networks")).keySet())
				.as(db + " shares no network with lb-1")
				.doesNotContainAnyElementsOf(lbNetworks);
		}
		assertEveryServiceKeepsItsSecretsAndWaitsForHealthyDependencies(services,
				run(Map.of(), "id", "-g").output().strip());
		services.forEach((name, service) -> {
			if (!"prometheus".equals(name)) {
				assertThat(service).as(name + " has a healthcheck or is the edge").satisfiesAnyOf(
						(s) -> assertThat(s).containsKey("healthcheck"), (s) -> assertThat(name).isEqualTo("lb-1"));
			}
		});
	}

	@Test
	@SuppressWarnings("unchecked")
	void haOverrideAddsTheSecondLoadBalancerWebServerAndThirdNodeAndKeepsEveryRule() throws Exception {
		copyComposeFiles("4242");
		Result config = run(Map.of(), "docker-compose", "-f", this.work.resolve("docker/compose.yaml").toString(), "-f",
				this.work.resolve("docker/compose.local.yaml").toString(), "-f",
				this.work.resolve("docker/compose.ha.yaml").toString(), "config");
		assertThat(config.exitCode()).as(config.output()).isZero();
		Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) new Yaml()
			.<Map<String, Object>>load(config.output())
			.get("services");
		assertThat(services.keySet()).containsExactlyInAnyOrder("lb-1", "lb-2", "web-1", "web-2", "app-1", "app-2",
				"db-1", "db-2", "db-3", "prometheus");
		assertEveryServiceKeepsItsSecretsAndWaitsForHealthyDependencies(services, "4242");
		for (String lb : List.of("lb-1", "lb-2")) {
			Map<String, Object> service = services.get(lb);
			assertThat(service.get("cap_add")).as(lb + ": keepalived moves addresses, nothing more")
				.isEqualTo(List.of("NET_ADMIN"));
			assertThat(service).as(lb).containsKey("healthcheck");
			for (String db : List.of("db-1", "db-2", "db-3")) {
				assertThat(((Map<String, Object>) services.get(db).get("networks")).keySet())
					.as(db + " shares no network with " + lb)
					.doesNotContainAnyElementsOf(((Map<String, Object>) service.get("networks")).keySet());
			}
		}
		services.forEach((name, service) -> {
			assertThat(service).as(name + " has a healthcheck or is prometheus").satisfiesAnyOf(
					(s) -> assertThat(s).containsKey("healthcheck"), (s) -> assertThat(name).isEqualTo("prometheus"));
			if (!name.startsWith("lb-")) {
				assertThat(service).as(name + ": only the load balancers get a capability").doesNotContainKey("cap_add");
			}
			if (name.startsWith("db-")) {
				assertThat(String.valueOf(service.get("command"))).as(name).contains("--wsrep-on=ON");
			}
		});
	}

	/**
	 * Every service waits for what it needs to be healthy, has no password in its
	 * environment or on a healthcheck's command line, and joins the group that may read
	 * the secrets it takes.
	 */
	@SuppressWarnings("unchecked")
	private static void assertEveryServiceKeepsItsSecretsAndWaitsForHealthyDependencies(
			Map<String, Map<String, Object>> services, String gid) {
		services.forEach((name, service) -> {
			Map<String, Map<String, Object>> dependsOn = (Map<String, Map<String, Object>>) service
				.getOrDefault("depends_on", Map.of());
			dependsOn.values()
				.forEach((d) -> assertThat(d.get("condition")).as(name).isEqualTo("service_healthy"));
			String environment = String.valueOf(service.get("environment"));
			assertThat(environment).as(name + ": no password in the environment, only *_FILE")
				.doesNotContainPattern("(?i)(PASSWORD|HASH)=");
			String healthcheck = String.valueOf(service.get("healthcheck"));
			assertThat(healthcheck).as(name + ": no password on a healthcheck's command line")
				.doesNotContainPattern(" -p\\S|--password");
			if (service.containsKey("secrets")) {
				assertThat(String.valueOf(service.get("group_add"))).as(name + " may read its secrets").contains(gid);
			}
		});
	}

	@Test
	@SuppressWarnings("unchecked")
	void localOverrideChangesWhatEachServiceRunsAndNothingElse() throws Exception {
		copyComposeFiles("0");
		String base = this.work.resolve("docker/compose.yaml").toString();
		Result official = run(Map.of(), "docker-compose", "-f", base, "config");
		Result local = run(Map.of(), "docker-compose", "-f", base, "-f",
				this.work.resolve("docker/compose.local.yaml").toString(), "config");
		assertThat(local.exitCode()).as(local.output()).isZero();
		Map<String, Map<String, Object>> officialServices = (Map<String, Map<String, Object>>) new Yaml()
			.<Map<String, Object>>load(official.output())
			.get("services");
		Map<String, Map<String, Object>> localServices = (Map<String, Map<String, Object>>) new Yaml()
			.<Map<String, Object>>load(local.output())
			.get("services");
		assertThat(localServices.keySet()).isEqualTo(officialServices.keySet());
		localServices.forEach((name, service) -> {
			assertThat(String.valueOf(service.get("image"))).as(name)
				.isEqualTo("webstack/%s:local", name.replaceAll("-\\d$", ""));
			assertThat(((Map<String, Object>) service.get("build")).get("dockerfile")).as(name)
				.isEqualTo("docker/local.Dockerfile");
			// What a service runs: its image and command, and the database flavour the app is told.
			Map<String, Object> rest = new java.util.LinkedHashMap<>(service);
			Map<String, Object> officialRest = new java.util.LinkedHashMap<>(officialServices.get(name));
			for (Map<String, Object> each : List.of(rest, officialRest)) {
				each.keySet().removeAll(List.of("image", "build", "command"));
				Map<String, Object> environment = new java.util.LinkedHashMap<>(
						(Map<String, Object>) each.getOrDefault("environment", Map.of()));
				environment.keySet().removeAll(List.of("WEBSTACK_DB_PRODUCT", "WEBSTACK_DB_VERSION"));
				each.put("environment", environment);
				// Compose writes a merged file's volumes, networks and secrets in another order and form.
				each.computeIfPresent("volumes",
						(key, volumes) -> new TreeSet<>(((List<Object>) volumes).stream().map(String::valueOf).toList()));
				each.computeIfPresent("networks", (key, networks) -> new TreeSet<>(((Map<String, Object>) networks).keySet()));
				each.computeIfPresent("secrets",
						(key, secrets) -> new TreeSet<>(((List<Object>) secrets).stream().map(String::valueOf).toList()));
			}
			assertThat(rest).as(name + ": all but what it runs is compose.yaml's").isEqualTo(officialRest);
		});
	}

	/** The Compose files and the configurations they mount, with a secrets group's id. */
	private void copyComposeFiles(String secretsGid) throws IOException {
		for (String dir : List.of("docker", "haproxy", "nginx", "prometheus")) {
			FileSystemUtils.copyRecursively(Path.of(dir), this.work.resolve(dir));
		}
		Files.writeString(this.work.resolve("docker/.env"), "WEBSTACK_SECRETS_GID=" + secretsGid + "\n");
	}

	private static String permissions(Path file) {
		try {
			return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	private Path certificate() throws Exception {
		Path key = this.work.resolve("lb.key");
		Path crt = this.work.resolve("lb.crt");
		Result made = run(Map.of(), "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
				"ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout",
				key.toString(), "-out", crt.toString());
		assertThat(made.exitCode()).as(made.output()).isZero();
		Path pem = this.work.resolve("lb.pem");
		Files.write(pem, Stream.of(crt, key).flatMap(InfrastructureConfigTests::lines).toList());
		return pem;
	}

	private static Stream<String> lines(Path file) {
		try {
			return Files.readAllLines(file).stream();
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	private static Result run(Map<String, String> env, String... command) throws Exception {
		ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command)));
		builder.environment().putAll(env);
		ChildProcess.Result result = ChildProcess.run(builder, Duration.ofSeconds(60));
		assertThat(result.finished()).as(result.output()).isTrue();
		return new Result(result.exitCode(), result.output());
	}

	private record Result(int exitCode, String output) {
	}

}
