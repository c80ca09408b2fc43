package dev.webstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A child process of the tests whose output goes to a file, not a pipe, and whose input
 * is empty: a wait with a timeout can always fire (no child blocks on a full pipe that
 * nobody reads, and reading never waits for a child that does not end), and the output
 * is read once the child has ended or been killed.
 */
public final class ChildProcess {

	private final Process process;

	private final Path output;

	private ChildProcess(Process process, Path output) {
		this.process = process;
		this.output = output;
	}

	/** What a child did: whether it ended in time, its exit code (-1 if killed), what it printed. */
	public record Result(boolean finished, int exitCode, String output) {
	}

	/** Starts a child; its standard output and error go to one temporary file. */
	public static ChildProcess start(ProcessBuilder builder) throws IOException {
		return start(builder, Path.of("/dev/null"));
	}

	/** Starts a child that reads {@code input}; its standard output and error go to one temporary file. */
	public static ChildProcess start(ProcessBuilder builder, Path input) throws IOException {
		Path output = Files.createTempFile("webstack-child-", ".out");
		Process process = builder.redirectErrorStream(true)
			.redirectOutput(output.toFile())
			.redirectInput(ProcessBuilder.Redirect.from(input.toFile()))
			.start();
		return new ChildProcess(process, output);
	}

	/** Starts a child and waits for it, killing it if it outlives the timeout. */
	public static Result run(ProcessBuilder builder, Duration timeout) throws IOException, InterruptedException {
		return start(builder).finish(timeout);
	}

	/** What the child has printed so far (it may still be running). */
	public String outputSoFar() throws IOException {
		return Files.readString(this.output, StandardCharsets.UTF_8);
	}

	/** Waits for the child, killing it if it outlives the timeout, and returns what it did. */
	public Result finish(Duration timeout) throws IOException, InterruptedException {
		boolean finished = this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
		if (!finished) {
			// SIGTERM first, so that a script's traps run (./stack chaos stops its load and heals
			// its network faults); SIGKILL if it does not end soon after.
			this.process.destroy();
			if (!this.process.waitFor(15, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
			}
		}
		String out = new String(Files.readAllBytes(this.output), StandardCharsets.UTF_8);
		Files.deleteIfExists(this.output);
		return new Result(finished, finished ? this.process.exitValue() : -1, out);
	}

}
