// The report of ./stack bench: reads the runs (runs.tsv) and facts (facts.tsv) that
// scripts/bench.sh wrote, and prints and saves (bench.md, bench.json, and a dated copy of
// each) the table: requests/s, p50 and p99 per target, each comparison's ratio, and
// whether each target is met.
//
//   java scripts/BenchReport.java <bench-dir>
//
// Figures are medians over the rounds. A ratio is the median of the per-round ratios:
// the two sides of a round ran one after the other, so machine drift cancels in it.
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

public class BenchReport {

	record Run(String scenario, String name, int round, int conns, double rps, double p50, double p99, long requests,
			long errors, long badStatus) {

		static Run parse(String line) {
			String[] f = line.split("\t");
			return new Run(f[0], f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]), Double.parseDouble(f[4]),
					Double.parseDouble(f[5]), Double.parseDouble(f[6]), Long.parseLong(f[7]), Long.parseLong(f[8]),
					Long.parseLong(f[9]));
		}

	}

	record Result(String scenario, String name, int conns, double rps, double p50, double p99, long requests,
			long errors) {
	}

	record Ratio(String label, double value) {
	}

	record Target(String label, String measured, String limit, boolean met) {
	}

	private final List<Run> runs;

	private final Map<String, String> facts;

	BenchReport(List<Run> runs, Map<String, String> facts) {
		this.runs = runs;
		this.facts = facts;
	}

	public static void main(String[] args) throws IOException {
		Path dir = Path.of(args[0]);
		List<Run> runs = Files.readAllLines(dir.resolve("runs.tsv")).stream().filter((l) -> !l.isBlank())
			.map(Run::parse).toList();
		Map<String, String> facts = new LinkedHashMap<>();
		for (String line : Files.readAllLines(dir.resolve("facts.tsv"))) {
			String[] kv = line.split("\t", 2);
			facts.put(kv[0], kv[1]);
		}
		BenchReport report = new BenchReport(runs, facts);
		String stamp = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
		String markdown = report.markdown();
		String json = report.json();
		Files.writeString(dir.resolve("bench.md"), markdown);
		Files.writeString(dir.resolve("bench.json"), json);
		Files.writeString(dir.resolve("bench-" + stamp + ".md"), markdown);
		Files.writeString(dir.resolve("bench-" + stamp + ".json"), json);
		System.out.println();
		System.out.print(markdown);
		System.out.println();
		System.out.println("Saved in " + dir.resolve("bench.md") + " and " + dir.resolve("bench.json"));
	}

	List<Result> results() {
		Map<String, List<Run>> byTarget = new LinkedHashMap<>();
		for (Run run : this.runs) {
			byTarget.computeIfAbsent(run.scenario() + "\t" + run.name(), (k) -> new ArrayList<>()).add(run);
		}
		return byTarget.values().stream().map((rs) -> new Result(rs.get(0).scenario(), rs.get(0).name(),
				rs.get(0).conns(), median(rs, Run::rps), median(rs, Run::p50), median(rs, Run::p99),
				rs.stream().mapToLong(Run::requests).sum(), rs.stream().mapToLong(Run::errors).sum())).toList();
	}

	/** The median over rounds of {@code a / b} for one figure of two targets of a scenario. */
	double ratio(String scenario, String a, String b, ToDoubleFunction<Run> figure) {
		List<Double> ratios = new ArrayList<>();
		for (Run x : this.runs) {
			if (x.scenario().equals(scenario) && x.name().equals(a)) {
				for (Run y : this.runs) {
					if (y.scenario().equals(scenario) && y.name().equals(b) && y.round() == x.round()) {
						ratios.add(figure.applyAsDouble(x) / figure.applyAsDouble(y));
					}
				}
			}
		}
		return median(ratios);
	}

	List<Ratio> ratios() {
		return List.of(new Ratio("a: chain / direct, requests/s", ratio("ab", "chain", "direct", Run::rps)),
				new Ratio("a: through Nginx alone (no HAProxy, no TLS) / direct",
						ratio("ab", "via-nginx", "direct", Run::rps)),
				new Ratio("a: chain / direct, p99", ratio("ab", "chain", "direct", Run::p99)),
				new Ratio("b: static file / list page, both through the chain",
						ratio("ab", "static-chain", "chain", Run::rps)),
				new Ratio("list page direct / static file from Nginx", ratio("ab", "direct", "static-nginx", Run::rps)),
				new Ratio("list page direct / static file through the chain",
						ratio("ab", "direct", "static-chain", Run::rps)),
				new Ratio("d: split / every query on the primary", ratio("de", "split", "primary-only", Run::rps)),
				new Ratio("e: split / Connector/J replication driver", ratio("de", "split", "connectorj", Run::rps)),
				new Ratio("f: chain / direct at 64 connections", ratio("f64", "chain", "direct", Run::rps)),
				new Ratio("f: chain / direct at 256 connections", ratio("f256", "chain", "direct", Run::rps)),
				new Ratio("g: chain with the probes on / off", probesOnOff("chain")),
				new Ratio("g: direct with the probes on / off", probesOnOff("direct")));
	}

	/**
	 * The requests per second over the first {@code seconds} after ./stack up: the windows
	 * (0-10s, 10-30s, 30-60s) that end by then, their requests over their nominal length.
	 */
	double firstSeconds(int seconds) {
		long requests = 0;
		int covered = 0;
		for (String window : List.of("0-10s", "10-30s", "30-60s")) {
			int end = Integer.parseInt(window.substring(window.indexOf('-') + 1, window.length() - 1));
			if (end > seconds) {
				break;
			}
			Run run = this.runs.stream()
				.filter((r) -> r.scenario().equals("up") && r.name().equals(window))
				.findFirst()
				.orElse(null);
			if (run == null) {
				return Double.NaN;
			}
			requests += run.requests();
			covered = end;
		}
		return (covered == seconds) ? (double) requests / seconds : Double.NaN;
	}

	/** The steady rate through the chain, probes on: the median of (a)'s chain runs after the warm-up. */
	double steadyChain() {
		return median(this.runs.stream().filter((r) -> r.scenario().equals("ab") && r.name().equals("chain")).toList(),
				Run::rps);
	}

	/**
	 * (g): a target's rate with the probes on over its rate with them off, paired round by
	 * round (each round's off phase ran just before its on phase, on the same app servers).
	 */
	double probesOnOff(String name) {
		return ratio("g", name + "-on", name + "-off", Run::rps);
	}

	/**
	 * Whether (g) compared what it says: no probe round ran on any app server during its
	 * off phases, and some ran during its on phases (counted by the app servers themselves).
	 */
	boolean probesPhasesHeld() {
		return probeRounds("off") == 0 && probeRounds("on") > 0;
	}

	private long probeRounds(String phase) {
		return Long.parseLong(this.facts.getOrDefault("probe_rounds_" + phase, "-1"));
	}

	List<Target> targets() {
		List<Target> targets = new ArrayList<>();
		double chainRatio = ratio("ab", "chain", "direct", Run::rps);
		targets.add(new Target("chain throughput / direct (a)", fixed(chainRatio, 2), ">= 0.85", chainRatio >= 0.85));
		double p99Ratio = ratio("ab", "chain", "direct", Run::p99);
		targets.add(new Target("chain p99 / direct p99 (a)", fixed(p99Ratio, 2), "<= 1.50", p99Ratio <= 1.5));
		double toNginx = ratio("ab", "direct", "static-nginx", Run::rps);
		targets.add(new Target("list page direct / Nginx static file", "1/" + fixed(1 / toNginx, 1), ">= 1/15",
				toNginx >= 1.0 / 15));
		double cost = 1 - ratio("de", "split", "primary-only", Run::rps);
		targets.add(new Target("routing cost (d)", percent(cost), "< 3%", cost < 0.03));
		double versusDriver = ratio("de", "split", "connectorj", Run::rps);
		targets.add(new Target("split / Connector/J driver (e)", fixed(versusDriver, 2), ">= 1.00",
				versusDriver >= 1.0));
		double staticRatio = ratio("ab", "static-chain", "chain", Run::rps);
		targets.add(new Target("static / dynamic through the chain (b)", fixed(staticRatio, 1), ">= 10",
				staticRatio >= 10));
		long errors = this.runs.stream().filter((r) -> r.conns() == 256).mapToLong(Run::errors).sum();
		targets.add(new Target("errors at 256 connections (f)", Long.toString(errors), "0", errors == 0));
		double steady = steadyChain();
		double first10 = firstSeconds(10) / steady;
		targets.add(new Target("first 10 s after up / steady chain", fixed(first10, 2), ">= 0.25", first10 >= 0.25));
		double first30 = firstSeconds(30) / steady;
		targets.add(new Target("first 30 s after up / steady chain", fixed(first30, 2), ">= 0.50", first30 >= 0.5));
		double probesCost = 1 - probesOnOff("chain");
		targets.add(new Target("probes' cost on the chain (g)", percent(probesCost), "<= 5%",
				probesCost <= 0.05 && probesPhasesHeld()));
		for (String app : List.of("app-1", "app-2")) {
			double idle = Double.parseDouble(this.facts.getOrDefault("idle_cpu_percent_" + app, "NaN"));
			targets.add(new Target(app + " idle CPU", fixed(idle, 2) + "% of a core", "< 2%", idle < 2));
		}
		double coldUp = Double.parseDouble(this.facts.getOrDefault("cold_up_seconds", "NaN"));
		targets.add(new Target("cold ./stack up", fixed(coldUp, 1) + " s", "< 60 s", coldUp < 60));
		for (String app : List.of("app-1", "app-2")) {
			double mb = megabytes(app);
			targets.add(new Target(app + " resident memory", fixed(mb, 0) + " MB", "< 350 MB", mb < 350));
		}
		return targets;
	}

	/** For each missed target, what the other figures of the same run say about it. */
	List<String> missed() {
		List<String> why = new ArrayList<>();
		for (Target target : targets()) {
			if (target.met()) {
				continue;
			}
			if (target.label().startsWith("chain throughput")) {
				double nginx = ratio("ab", "via-nginx", "direct", Run::rps);
				double chain = ratio("ab", "chain", "direct", Run::rps);
				why.add("chain / direct " + fixed(chain, 2) + ": Nginx alone keeps " + fixed(nginx, 2)
						+ " of the direct rate, and HAProxy with TLS " + fixed(chain / nginx, 2)
						+ " of that: the proxies' work per request, on the same cores as the app servers and wrk.");
			}
			else if (target.label().startsWith("list page direct / Nginx")) {
				Map<String, Double> rps = new LinkedHashMap<>();
				results().stream().filter((r) -> r.scenario().equals("ab")).forEach((r) -> rps.put(r.name(), r.rps()));
				why.add("Nginx sends the static file at " + fixed(rps.getOrDefault("static-nginx", Double.NaN), 0)
						+ " requests/s, " + fixed(rps.getOrDefault("static-chain", Double.NaN), 0)
						+ " through the chain; the list page straight to app-1 runs at 1/"
						+ fixed(1 / ratio("ab", "direct", "static-chain", Run::rps), 1) + " of the latter.");
			}
			else if (target.label().startsWith("probes' cost") && !probesPhasesHeld()) {
				why.add("the probes' phases did not hold: " + probeRounds("off") + " probe rounds while off, "
						+ probeRounds("on") + " while on (wanted none, and some).");
			}
			else {
				why.add(target.label() + ": " + target.measured() + ", wanted " + target.limit() + ".");
			}
		}
		return why;
	}

	String markdown() {
		StringBuilder md = new StringBuilder();
		md.append("## ./stack bench\n\n");
		md.append("Machine: ").append(this.facts.getOrDefault("machine", "unknown")).append(".  \n");
		md.append("wrk, 2 threads, ").append(this.facts.getOrDefault("seconds_per_run", "?"))
			.append(" s per run after a warm-up, ").append(this.facts.getOrDefault("rounds", "?"))
			.append(" interleaved rounds; medians.\n\n");
		md.append("| scenario | target | conns | req/s | p50 ms | p99 ms | errors |\n");
		md.append("|---|---|---:|---:|---:|---:|---:|\n");
		for (Result r : results()) {
			md.append("| ").append(r.scenario()).append(" | ").append(r.name()).append(" | ").append(r.conns())
				.append(" | ").append(fixed(r.rps(), 0)).append(" | ").append(fixed(r.p50(), 2)).append(" | ")
				.append(fixed(r.p99(), 2)).append(" | ").append(r.errors()).append(" |\n");
		}
		double steady = steadyChain();
		md.append("\nThe first minute after ./stack up (list page through the chain, 16 connections, no warm-up;")
			.append(" steady: ").append(fixed(steady, 0)).append(" req/s, (a)):\n\n");
		md.append("| after up | req/s | of steady |\n|---|---:|---:|\n");
		for (int seconds : new int[] { 10, 30, 60 }) {
			double rps = firstSeconds(seconds);
			md.append("| first ").append(seconds).append(" s | ").append(fixed(rps, 0)).append(" | ")
				.append(fixed(rps / steady, 2)).append(" |\n");
		}
		md.append("\nThe dashboard's probes (g: the same app servers with nobody watching, then an admin")
			.append(" watching, round after round; medians, the ratio paired by round). Probe rounds run by the")
			.append(" app servers during the measured runs: ").append(probeRounds("off")).append(" while off, ")
			.append(probeRounds("on")).append(" while on.\n\n");
		md.append("| target | probes on req/s | probes off req/s | on / off |\n|---|---:|---:|---:|\n");
		for (String name : List.of("direct", "chain")) {
			md.append("| ").append(name).append(" | ").append(fixed(rate("g", name + "-on"), 0)).append(" | ")
				.append(fixed(rate("g", name + "-off"), 0)).append(" | ").append(fixed(probesOnOff(name), 3))
				.append(" |\n");
		}
		md.append("\nAn idle app server's CPU, percent of one core over a minute:\n\n");
		md.append("| app server | nobody watching | the dashboard open |\n|---|---:|---:|\n");
		for (String app : List.of("app-1", "app-2")) {
			md.append("| ").append(app).append(" | ").append(this.facts.getOrDefault("idle_cpu_percent_" + app, "?"))
				.append("% | ").append(this.facts.getOrDefault("idle_watched_cpu_percent_" + app, "?")).append("% |\n");
		}
		md.append("\n| ratio | value |\n|---|---:|\n");
		for (Ratio r : ratios()) {
			md.append("| ").append(r.label()).append(" | ").append(fixed(r.value(), 3)).append(" |\n");
		}
		md.append("\n| target | measured | wanted | met |\n|---|---:|---:|---|\n");
		for (Target t : targets()) {
			md.append("| ").append(t.label()).append(" | ").append(t.measured()).append(" | ").append(t.limit())
				.append(" | ").append(t.met() ? "yes" : "**NO**").append(" |\n");
		}
		List<String> why = missed();
		if (!why.isEmpty()) {
			md.append("\nWhat the measurements say of the missed targets (README, Performance, has more):\n\n");
			why.forEach((line) -> md.append("- ").append(line).append("\n"));
		}
		md.append("\n| component | resident memory |\n|---|---:|\n");
		for (Map.Entry<String, String> fact : this.facts.entrySet()) {
			if (fact.getKey().startsWith("rss_kb_")) {
				md.append("| ").append(fact.getKey().substring(7)).append(" | ")
					.append(fixed(Long.parseLong(fact.getValue()) / 1024.0, 0)).append(" MB |\n");
			}
		}
		md.append("\nThe mix (c) wrote ").append(this.facts.getOrDefault("mix_posts_written", "?"))
			.append(" posts, each acknowledged by a redirect to it.  \n");
		md.append("Cold ./stack up: ").append(this.facts.getOrDefault("cold_up_seconds", "?")).append(" s.\n");
		return md.toString();
	}

	String json() {
		StringBuilder json = new StringBuilder("{\n");
		json.append("  \"machine\": ").append(quote(this.facts.getOrDefault("machine", ""))).append(",\n");
		json.append("  \"secondsPerRun\": ").append(this.facts.getOrDefault("seconds_per_run", "null")).append(",\n");
		json.append("  \"rounds\": ").append(quote(this.facts.getOrDefault("rounds", ""))).append(",\n");
		json.append("  \"mixPostsWritten\": ").append(this.facts.getOrDefault("mix_posts_written", "null"))
			.append(",\n");
		json.append("  \"coldUpSeconds\": ").append(this.facts.getOrDefault("cold_up_seconds", "null")).append(",\n");
		json.append("  \"firstSecondsAfterUp\": {\"10\": ").append(number(firstSeconds(10), 1)).append(", \"30\": ")
			.append(number(firstSeconds(30), 1)).append(", \"60\": ").append(number(firstSeconds(60), 1)).append("},\n");
		json.append("  \"idleCpuPercent\": {\"app-1\": ")
			.append(this.facts.getOrDefault("idle_cpu_percent_app-1", "null")).append(", \"app-2\": ")
			.append(this.facts.getOrDefault("idle_cpu_percent_app-2", "null")).append("},\n");
		json.append("  \"idleWatchedCpuPercent\": {\"app-1\": ")
			.append(this.facts.getOrDefault("idle_watched_cpu_percent_app-1", "null")).append(", \"app-2\": ")
			.append(this.facts.getOrDefault("idle_watched_cpu_percent_app-2", "null")).append("},\n");
		json.append("  \"probeRounds\": {\"off\": ").append(probeRounds("off")).append(", \"on\": ")
			.append(probeRounds("on")).append("},\n");
		json.append("  \"results\": [\n");
		List<Result> results = results();
		for (int i = 0; i < results.size(); i++) {
			Result r = results.get(i);
			json.append("    {\"scenario\": ").append(quote(r.scenario())).append(", \"target\": ")
				.append(quote(r.name())).append(", \"connections\": ").append(r.conns()).append(", \"requestsPerSecond\": ")
				.append(number(r.rps(), 1)).append(", \"p50Ms\": ").append(number(r.p50(), 3)).append(", \"p99Ms\": ")
				.append(number(r.p99(), 3)).append(", \"requests\": ").append(r.requests()).append(", \"errors\": ")
				.append(r.errors()).append("}").append((i < results.size() - 1) ? ",\n" : "\n");
		}
		json.append("  ],\n  \"ratios\": {\n");
		List<Ratio> ratios = ratios();
		for (int i = 0; i < ratios.size(); i++) {
			json.append("    ").append(quote(ratios.get(i).label())).append(": ")
				.append(number(ratios.get(i).value(), 4)).append((i < ratios.size() - 1) ? ",\n" : "\n");
		}
		json.append("  },\n  \"targets\": [\n");
		List<Target> targets = targets();
		for (int i = 0; i < targets.size(); i++) {
			Target t = targets.get(i);
			json.append("    {\"target\": ").append(quote(t.label())).append(", \"measured\": ")
				.append(quote(t.measured())).append(", \"wanted\": ").append(quote(t.limit())).append(", \"met\": ")
				.append(t.met()).append("}").append((i < targets.size() - 1) ? ",\n" : "\n");
		}
		json.append("  ],\n  \"residentMemoryMb\": {");
		String separator = "\n";
		for (Map.Entry<String, String> fact : this.facts.entrySet()) {
			if (fact.getKey().startsWith("rss_kb_")) {
				json.append(separator).append("    ").append(quote(fact.getKey().substring(7))).append(": ")
					.append(fixed(Long.parseLong(fact.getValue()) / 1024.0, 1));
				separator = ",\n";
			}
		}
		json.append("\n  }\n}\n");
		return json.toString();
	}

	private double rate(String scenario, String name) {
		return median(this.runs.stream().filter((r) -> r.scenario().equals(scenario) && r.name().equals(name))
			.toList(), Run::rps);
	}

	private double megabytes(String component) {
		return Long.parseLong(this.facts.getOrDefault("rss_kb_" + component, "0")) / 1024.0;
	}

	private static double median(List<Run> runs, ToDoubleFunction<Run> figure) {
		return median(runs.stream().map(figure::applyAsDouble).toList());
	}

	private static double median(List<Double> values) {
		if (values.isEmpty()) {
			return Double.NaN;
		}
		List<Double> sorted = values.stream().sorted().toList();
		int n = sorted.size();
		return (n % 2 == 1) ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
	}

	private static String fixed(double value, int decimals) {
		return Double.isFinite(value) ? String.format(Locale.ROOT, "%." + decimals + "f", value) : "n/a";
	}

	/** A JSON number, or null where there is none (a ratio of a scenario that did not run). */
	private static String number(double value, int decimals) {
		return Double.isFinite(value) ? fixed(value, decimals) : "null";
	}

	private static String percent(double value) {
		return fixed(value * 100, 1) + "%";
	}

	private static String quote(String text) {
		return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
	}

}
