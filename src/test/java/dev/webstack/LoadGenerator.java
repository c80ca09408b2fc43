package dev.webstack;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The bounded load of scripts/Load.java running against a test stack, with its progress
 * readable while it runs: a fault is injected only once the load is really running (its
 * JVM started, its readers and writers answered), and a test can tell how many reads were
 * answered while the fault lasted.
 */
public final class LoadGenerator {

	/**
	 * How long each reader waits after each answer: the load keeps every fault busy (tens
	 * of requests a second) without taking both cores, so that the stack of the other class
	 * running beside it (failsafe runs two) is not starved.
	 */
	static final String PAUSE_MILLIS = "150";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final ChildProcess process;

	private LoadGenerator(ChildProcess process) {
		this.process = process;
	}

	/**
	 * Starts the load against a site whose certificate is {@code certificate}, for
	 * {@code seconds}, or until {@code stopFile} exists (when not null: for a fault whose
	 * length is not known beforehand).
	 */
	public static LoadGenerator start(String site, Path certificate, int seconds, int readers, int writers,
			Path stopFile) throws IOException {
		ProcessBuilder load = new ProcessBuilder("java", "scripts/Load.java", site, certificate.toString(),
				String.valueOf(seconds), String.valueOf(readers), String.valueOf(writers));
		load.environment().put("WEBSTACK_LOAD_PROGRESS", "1");
		load.environment().put("WEBSTACK_LOAD_PAUSE_MILLIS", PAUSE_MILLIS);
		if (stopFile != null) {
			load.environment().put("WEBSTACK_LOAD_STOP_FILE", stopFile.toString());
		}
		return new LoadGenerator(ChildProcess.start(load));
	}

	/** The figures so far: reads sent and failed, writes sent and acknowledged. */
	public record Progress(long reads, long readFailures, long writes, long acknowledged) {

		static final Progress NONE = new Progress(0, 0, 0, 0);

		/** Reads that did not fail (one still in flight may be counted). */
		public long answeredReads() {
			return this.reads - this.readFailures;
		}

	}

	/** The last progress line the load printed, or zeros before the first. */
	public Progress progress() throws IOException {
		// Only whole lines: the load may be writing the last one as it is read.
		String output = this.process.outputSoFar();
		String complete = output.substring(0, output.lastIndexOf('\n') + 1);
		List<String> lines = complete.lines().filter((l) -> l.startsWith("progress {")).toList();
		if (lines.isEmpty()) {
			return Progress.NONE;
		}
		JsonNode last = JSON.readTree(lines.get(lines.size() - 1).substring("progress ".length()));
		return new Progress(last.path("reads").asLong(), last.path("readFailures").asLong(),
				last.path("writes").asLong(), last.path("acknowledged").asLong());
	}

	/**
	 * Waits until the load runs: reads answered and, if it has writers, a write acknowledged.
	 * Returns the progress then.
	 */
	public Progress awaitRunning(boolean writers) {
		return await("the load generator running").atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(100))
			.until(this::progress, (p) -> p.answeredReads() > 0 && (!writers || p.acknowledged() > 0));
	}

	/** Waits until at least {@code reads} more reads than in {@code since} have been answered. */
	public Progress awaitAnsweredReads(Progress since, long reads) {
		return await("%d more reads answered".formatted(reads)).atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(this::progress, (p) -> p.answeredReads() >= since.answeredReads() + reads);
	}

	/** Waits for the load to end and returns (and prints) its final figures. */
	public JsonNode figures(String fault) throws Exception {
		ChildProcess.Result result = this.process.finish(Duration.ofSeconds(120));
		String out = result.output().strip();
		System.out.println("fault: " + fault + "\n"
				+ out.lines().filter((l) -> !l.startsWith("progress ")).reduce((a, b) -> a + "\n" + b).orElse(""));
		assertThat(result.finished()).as(out).isTrue();
		assertThat(result.exitCode()).as(out).isZero();
		return JSON.readTree(out.substring(out.lastIndexOf('\n') + 1));
	}

	/** No read, write or write attempt failed, and no acknowledged write was lost or duplicated. */
	public static void assertNothingFailed(JsonNode figures) {
		assertThat(figures.path("readFailures").asLong()).as("failed reads").isZero();
		assertThat(figures.path("writeFailures").asLong()).as("failed writes").isZero();
		assertThat(figures.path("failedSends").asLong()).as("failed write attempts").isZero();
		assertThat(figures.path("duplicated").asLong()).as("duplicated writes").isZero();
		assertThat(figures.path("lost").asLong()).as("lost writes").isZero();
	}

}
