package dev.webstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The report of {@code ./stack bench} (scripts/BenchReport.java), run as the bench runs it
 * on runs and facts whose figures are known: medians, ratios paired round by round, and
 * each target judged against its limit.
 */
class BenchReportTests {

	@TempDir
	Path dir;

	@Test
	void ratiosArePairedRoundByRoundAndTargetsJudged() throws Exception {
		// Round 1 is slow for both sides (machine noise); the ratio pairs each round's sides.
		Files.writeString(this.dir.resolve("runs.tsv"), String.join("\n",
				run("ab", "direct", 1, 16, 1000, 10, 40, 0), run("ab", "chain", 1, 16, 900, 12, 50, 0),
				run("ab", "static-chain", 1, 16, 20000, 1, 5, 0), run("ab", "static-nginx", 1, 16, 30000, 1, 4, 0),
				run("ab", "direct", 2, 16, 2000, 10, 40, 0), run("ab", "chain", 2, 16, 1600, 12, 80, 0),
				run("ab", "static-chain", 2, 16, 24000, 1, 5, 0), run("ab", "static-nginx", 2, 16, 32000, 1, 4, 0),
				run("ab", "direct", 3, 16, 1500, 10, 40, 0), run("ab", "chain", 3, 16, 1290, 12, 56, 0),
				run("ab", "static-chain", 3, 16, 22000, 1, 5, 0), run("ab", "static-nginx", 3, 16, 31000, 1, 4, 0),
				run("de", "split", 1, 16, 990, 10, 40, 0), run("de", "primary-only", 1, 16, 1000, 10, 40, 0),
				run("de", "connectorj", 1, 16, 800, 10, 40, 0), run("f256", "direct", 1, 256, 1000, 100, 900, 0),
				run("f256", "chain", 1, 256, 800, 120, 990, 3),
				// The first minute after up: 4,000 requests in 0-10s, 18,000 in 10-30s, 36,000 in 30-60s.
				window("0-10s", 4000), window("10-30s", 18000), window("30-60s", 36000),
				// The probes, off then on in each round: 1250 -> 1200 (0.96), 1000 -> 950 (0.95),
				// 1200 -> 1170 (0.975); paired, the median ratio is 0.96 (medians alone: 1170 / 1200).
				run("g", "chain-off", 1, 16, 1250, 12, 50, 0), run("g", "chain-on", 1, 16, 1200, 12, 50, 0),
				run("g", "chain-off", 2, 16, 1000, 12, 50, 0), run("g", "chain-on", 2, 16, 950, 12, 50, 0),
				run("g", "chain-off", 3, 16, 1200, 12, 50, 0), run("g", "chain-on", 3, 16, 1170, 12, 50, 0))
				+ "\n");
		Files.writeString(this.dir.resolve("facts.tsv"), String.join("\n", "machine\ttest machine",
				"cold_up_seconds\t31.5", "rss_kb_app-1\t348160", "rss_kb_app-2\t360448", "idle_cpu_percent_app-1\t0.85",
				"idle_cpu_percent_app-2\t2.40", "probe_rounds_off\t0", "probe_rounds_on\t36") + "\n");

		ChildProcess.Result report = report();
		assertThat(report.finished()).isTrue();
		assertThat(report.exitCode()).as(report.output()).isZero();

		JsonNode json = JsonMapper.builder().build().readTree(Files.readString(this.dir.resolve("bench.json")));
		// Per-round chain/direct: 0.9, 0.8, 0.86; the median of those is 0.86.
		assertThat(json.get("ratios").get("a: chain / direct, requests/s").asDouble()).isEqualTo(0.86);
		assertThat(json.get("ratios").get("a: chain / direct, p99").asDouble()).isEqualTo(1.4);
		assertThat(target(json, "chain throughput / direct (a)").get("met").asBoolean()).isTrue();
		assertThat(target(json, "routing cost (d)").get("measured").asString()).isEqualTo("1.0%");
		assertThat(target(json, "routing cost (d)").get("met").asBoolean()).isTrue();
		assertThat(target(json, "errors at 256 connections (f)").get("met").asBoolean()).isFalse();
		assertThat(target(json, "app-1 resident memory").get("met").asBoolean()).isTrue();
		assertThat(target(json, "app-2 resident memory").get("met").asBoolean()).isFalse();
		assertThat(json.get("results").get(1).get("requestsPerSecond").asDouble()).as("median of chain").isEqualTo(1290);
		assertThat(Files.readString(this.dir.resolve("bench.md"))).contains("| app-2 resident memory | 352 MB | < 350 MB | **NO** |");
		assertThat(report.output()).contains("| chain throughput / direct (a) | 0.86 | >= 0.85 | yes |");
		// Steady chain (a) is 1290: the first 10 s ran at 400 (0.31), the first 30 at 733 (0.57), the minute at 967.
		assertThat(target(json, "first 10 s after up / steady chain").get("measured").asString()).isEqualTo("0.31");
		assertThat(target(json, "first 10 s after up / steady chain").get("met").asBoolean()).isTrue();
		assertThat(target(json, "first 30 s after up / steady chain").get("measured").asString()).isEqualTo("0.57");
		assertThat(json.get("firstSecondsAfterUp").get("60").asDouble()).isEqualTo(966.7);
		assertThat(target(json, "probes' cost on the chain (g)").get("measured").asString()).isEqualTo("4.0%");
		assertThat(target(json, "probes' cost on the chain (g)").get("met").asBoolean()).isTrue();
		assertThat(json.get("probeRounds").get("on").asLong()).isEqualTo(36);
		assertThat(target(json, "app-1 idle CPU").get("met").asBoolean()).isTrue();
		assertThat(target(json, "app-2 idle CPU").get("met").asBoolean()).isFalse();
		assertThat(report.output()).contains("| chain | 1170 | 1200 | 0.960 |");
		assertThat(report.output()).contains("- errors at 256 connections (f): 3, wanted 0.")
			.doesNotContain("- chain / direct");
	}

	@Test
	void probesCostIsNotMetWhenTheOffPhasesHadProbesRunning() throws Exception {
		Files.writeString(this.dir.resolve("runs.tsv"), String.join("\n",
				run("g", "chain-off", 1, 16, 1000, 12, 50, 0), run("g", "chain-on", 1, 16, 1000, 12, 50, 0)) + "\n");
		Files.writeString(this.dir.resolve("facts.tsv"),
				String.join("\n", "machine\ttest machine", "probe_rounds_off\t4", "probe_rounds_on\t30") + "\n");

		ChildProcess.Result report = report();
		assertThat(report.exitCode()).as(report.output()).isZero();

		JsonNode json = JsonMapper.builder().build().readTree(Files.readString(this.dir.resolve("bench.json")));
		// The same rate both ways would be no cost at all, but the off phase was not off.
		assertThat(target(json, "probes' cost on the chain (g)").get("measured").asString()).isEqualTo("0.0%");
		assertThat(target(json, "probes' cost on the chain (g)").get("met").asBoolean()).isFalse();
		assertThat(report.output()).contains("the probes' phases did not hold: 4 probe rounds while off, 30 while on");
	}

	/** Runs the report as the bench does, on this test's runs and facts. */
	private ChildProcess.Result report() throws Exception {
		return ChildProcess.run(new ProcessBuilder("java",
				Path.of("scripts/BenchReport.java").toAbsolutePath().toString(), this.dir.toString()),
				Duration.ofSeconds(60));
	}

	private static String run(String scenario, String name, int round, int conns, double rps, double p50, double p99,
			long errors) {
		return String.join("\t", scenario, name, Integer.toString(round), Integer.toString(conns), Double.toString(rps),
				Double.toString(p50), Double.toString(p99), "10000", Long.toString(errors), Long.toString(errors));
	}

	private static String window(String name, long requests) {
		return String.join("\t", "up", name, "1", "16", "0", "10", "40", Long.toString(requests), "0", "0");
	}

	private static JsonNode target(JsonNode json, String name) {
		for (JsonNode target : json.get("targets")) {
			if (target.get("target").asString().equals(name)) {
				return target;
			}
		}
		throw new AssertionError("no target " + name + " in " + json);
	}

}
