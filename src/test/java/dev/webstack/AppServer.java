package dev.webstack;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One application server started in this JVM on ports of its own, against the test
 * database pair, as {@code ./stack} starts app-1 and app-2 (tests of behaviour across
 * servers need more than the one cached test context).
 */
public final class AppServer implements AutoCloseable {

	private final ConfigurableApplicationContext context;

	private AppServer(ConfigurableApplicationContext context) {
		this.context = context;
	}

	/** Starts a server named {@code name}; extra arguments are {@code --property=value}. */
	public static AppServer start(String name, String... extra) {
		Path state = DatabasePair.start();
		List<String> args = new ArrayList<>(List.of("--webstack.instance-name=" + name, "--server.port=0",
				"--management.server.port=0", "--WEBSTACK_SECRETS_DIR=" + state.resolve("secrets"),
				"--WEBSTACK_DB_PRIMARY_PORT=" + DatabasePair.PRIMARY_PORT,
				"--WEBSTACK_DB_REPLICA_PORT=" + DatabasePair.REPLICA_PORT));
		DatabasePair.probesOfNothing(state).forEach((property, value) -> args.add("--" + property + "=" + value));
		args.addAll(List.of(extra));
		return run(args.toArray(String[]::new));
	}

	/** Starts a server with exactly these {@code --property=value} arguments. */
	public static AppServer run(String... args) {
		return new AppServer(new SpringApplicationBuilder(WebstackApplication.class).run(args));
	}

	public String url(String path) {
		return "http://127.0.0.1:" + this.context.getEnvironment().getProperty("local.server.port") + path;
	}

	public String managementUrl(String path) {
		return "http://127.0.0.1:" + this.context.getEnvironment().getProperty("local.management.port") + path;
	}

	public <T> T bean(Class<T> type) {
		return this.context.getBean(type);
	}

	public boolean isRunning() {
		return this.context.isActive();
	}

	@Override
	public void close() {
		this.context.close();
	}

}
