package dev.webstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import org.springframework.util.FileSystemUtils;

/**
 * A whole native stack run by {@code ./stack} for a test class, in a state directory of
 * its own and with every port shifted by an offset, so that it runs beside a developer's
 * stack and beside other test stacks.
 */
public final class TestStack {

	private final int offset;

	private final Path state;

	/** Stops this stack if the test JVM ends without {@link #destroy()} (a fork timeout). */
	private final Thread stopAtExit;

	public TestStack(int offset) throws IOException {
		this.offset = offset;
		this.state = Files.createTempDirectory("webstack-stack-");
		this.stopAtExit = new Thread(() -> {
			try {
				run(Map.of(), "down");
			}
			catch (Exception ex) {
				// The JVM is ending; ./stack down's own output is all there is to say.
			}
		});
		Runtime.getRuntime().addShutdownHook(this.stopAtExit);
	}

	public Path state() {
		return this.state;
	}

	public int port(int defaultPort) {
		return defaultPort + this.offset;
	}

	public String site() {
		return "https://127.0.0.1:" + port(8443);
	}

	/** The outcome of one command. */
	public record Result(int exitCode, String output) {
	}

	/** Runs {@code ./stack} with these arguments and returns what it said, failing if it failed. */
	public String stack(String... args) throws Exception {
		Result result = run(Map.of(), args);
		if (result.exitCode() != 0) {
			throw new AssertionError("./stack " + String.join(" ", args) + " said:\n" + result.output());
		}
		return result.output();
	}

	public Result run(Map<String, String> extraEnv, String... args) throws Exception {
		return run(Duration.ofSeconds(600), extraEnv, args);
	}

	/**
	 * Runs {@code ./stack}, stopping it (SIGTERM: its traps clean up) if it outlives the
	 * timeout; a test method's own timeout should be the longer, so that what the command
	 * said reaches the report.
	 */
	public Result run(Duration timeout, Map<String, String> extraEnv, String... args) throws Exception {
		List<String> command = new ArrayList<>(List.of(Path.of("stack").toAbsolutePath().toString()));
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		builder.environment().put("WEBSTACK_STATE_DIR", this.state.toString());
		builder.environment().put("WEBSTACK_PORT_OFFSET", String.valueOf(this.offset));
		// ./stack chaos's load paced as the tests' own, and 5 s of it once a fault is over.
		builder.environment().put("WEBSTACK_LOAD_PAUSE_MILLIS", LoadGenerator.PAUSE_MILLIS);
		builder.environment().put("WEBSTACK_CHAOS_AFTER_SECONDS", "5");
		builder.environment().putAll(extraEnv);
		ChildProcess.Result stack = ChildProcess.run(builder, timeout);
		if (!stack.finished()) {
			String[] lines = stack.output().strip().split("\n");
			throw new AssertionError("./stack " + String.join(" ", args) + " did not finish in " + timeout.toSeconds()
					+ " s; its last line: " + lines[lines.length - 1] + "\n" + stack.output());
		}
		return new Result(stack.exitCode(), stack.output());
	}

	/** Stops everything and deletes the state. */
	public void destroy() throws Exception {
		Runtime.getRuntime().removeShutdownHook(this.stopAtExit);
		stack("down");
		FileSystemUtils.deleteRecursively(this.state);
	}

	public String pid(String component) throws IOException {
		return Files.readString(this.state.resolve("run/" + component + ".pid")).strip();
	}

	/**
	 * Kills (SIGKILL) a component this stack started, by its recorded PID, with its children
	 * (Nginx's and HAProxy's workers), as a crash of that component would.
	 */
	public void kill(String component) throws Exception {
		ProcessHandle process = ProcessHandle.of(Long.parseLong(pid(component))).orElseThrow();
		List<ProcessHandle> children = process.descendants().toList();
		// The parent first, so that it cannot replace a child killed before it.
		process.destroyForcibly();
		process.onExit().get(30, TimeUnit.SECONDS);
		children.forEach(ProcessHandle::destroyForcibly);
		for (ProcessHandle child : children) {
			child.onExit().get(30, TimeUnit.SECONDS);
		}
	}

	public String secret(String name) throws IOException {
		return Files.readString(this.state.resolve("secrets").resolve(name)).strip();
	}

	/** How many posts the primary holds. */
	public long postCount() throws Exception {
		return Long.parseLong(rootSql("db-1", "select count(*) from webstack.post"));
	}

	/** Runs SQL as root on db-1 or db-2 over its socket, as an operator would. */
	public String rootSql(String server, String sql) throws Exception {
		ChildProcess.Result mariadb = ChildProcess.run(new ProcessBuilder("mariadb", "--no-defaults",
				"--protocol=socket", "--socket=" + this.state.resolve(server).resolve("mysqld.sock"), "-u", "root",
				"--batch", "--skip-column-names", "-e", sql), Duration.ofSeconds(60));
		if (!mariadb.finished() || mariadb.exitCode() != 0) {
			throw new AssertionError("mariadb on " + server + " failed: " + mariadb.output());
		}
		return mariadb.output().strip();
	}

	/** An HTTP client that trusts this stack's self-signed certificate, and no other. */
	public HttpClient https() throws Exception {
		return HttpClient.newBuilder()
			.sslContext(SiteBrowser.trusting(this.state.resolve("tls/lb-1.crt")))
			.followRedirects(HttpClient.Redirect.NEVER)
			.connectTimeout(Duration.ofSeconds(5))
			.build();
	}

	/** The admin dashboard's JSON, straight from an app server (so it answers even when the edge is down). */
	public String dashboard(String app) throws Exception {
		int port = port("app-1".equals(app) ? 9001 : 9002);
		String auth = Base64.getEncoder()
			.encodeToString(("admin:" + secret("admin-password")).getBytes(StandardCharsets.UTF_8));
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/api/status"))
				.header("Authorization", "Basic " + auth)
				.build(), HttpResponse.BodyHandlers.ofString())
			.body();
	}

	/** Starts the load generator (scripts/Load.java) against this stack, reporting its progress. */
	public LoadGenerator load(int seconds, int readers, int writers) throws IOException {
		return load(seconds, readers, writers, null);
	}

	/** The same, ending early once {@code stopFile} exists (for a fault whose length is not known beforehand). */
	public LoadGenerator load(int seconds, int readers, int writers, Path stopFile) throws IOException {
		return load(site(), seconds, readers, writers, stopFile);
	}

	/** The same against a site at another address (the hosts modes'). */
	public LoadGenerator load(String site, int seconds, int readers, int writers, Path stopFile) throws IOException {
		return LoadGenerator.start(site, this.state.resolve("tls/lb-1.crt"), seconds, readers, writers, stopFile);
	}

	/**
	 * A new release: the built jar with one more migration (V99, additive: a table), so
	 * another checksum, another release folder and CDS archive, and an image of its own.
	 */
	public static void writeNextRelease(Path copy) throws IOException {
		copyWithExtraEntry(Path.of("target/webstack.jar"), copy, "BOOT-INF/classes/db/migration/V99__next_release.sql",
				"CREATE TABLE next_release (id INT PRIMARY KEY);\n");
	}

	/**
	 * A copy of a jar with one more entry; stored entries stay stored, as Spring Boot reads
	 * its libraries so.
	 */
	private static void copyWithExtraEntry(Path jar, Path copy, String name, String content) throws IOException {
		try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar));
				ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(copy))) {
			for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
				ZipEntry kept = new ZipEntry(entry);
				if (kept.getMethod() == ZipEntry.DEFLATED) {
					kept.setCompressedSize(-1);
				}
				out.putNextEntry(kept);
				in.transferTo(out);
				out.closeEntry();
			}
			out.putNextEntry(new ZipEntry(name));
			out.write(content.getBytes(StandardCharsets.UTF_8));
			out.closeEntry();
		}
	}

}
