// A bounded load generator for Webstack's fault tests and ./stack chaos: readers and
// writers against the site through HAProxy, for a fixed time, on loopback only, to lb-1 of
// ./stack's hosts mode (10.88.0.0/16, its own network namespaces) or to the Compose stack's
// networks (172.30.0.0/16, its own Docker bridges).
//
//   java scripts/Load.java <https-base-url> <cert.pem> <seconds> <readers> <writers>
//
// Readers GET pages; writers fetch the post form and send it, retrying a failed send with
// the same one-time token (so a retry can never write twice). At the end every
// acknowledged post is looked up by its unique title. Prints a summary line per figure and
// a last line of JSON: reads, readFailures, writes, acknowledged, writeFailures, retried,
// duplicated, lost, the answered reads' median, 99th percentile and longest (ms), the reads
// sent again after their connection was reset (resent: as a browser resends a GET whose
// kept-alive connection fails before any answer; the read counts as failed only if the
// second try fails too; the longest read is the gap a user waited), and the failed write
// attempts (each form send that got no 302): how many, how many of them were 503s, and the
// time from the first to the last. With WEBSTACK_LOAD_PROGRESS=1 it also prints, four times a second while
// it runs, a line "progress <JSON>" of the figures so far (reads, readFailures, writes,
// acknowledged), so that a test injects its fault only once the load is really running and
// can tell that reads happened during the fault. With WEBSTACK_LOAD_STOP_FILE=<path> it also
// ends as soon as that file exists. With WEBSTACK_LOAD_PAUSE_MILLIS=<n> each reader waits n ms
// after each answer (default 0: as fast as the site answers; the test suite paces its loads so
// that the machine has room for a second stack beside them).
import java.io.IOException;
import java.io.InputStream;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

public class Load {

	private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

	private static final Pattern SUBMISSION = Pattern.compile("name=\"submission\" value=\"([^\"]+)\"");

	private static final Pattern TITLE = Pattern.compile("class=\"title\"[^>]*>([^<]*)<");

	private static final AtomicLong reads = new AtomicLong();

	private static final AtomicLong readFailures = new AtomicLong();

	private static final AtomicLong writes = new AtomicLong();

	private static final AtomicLong writeFailures = new AtomicLong();

	private static final AtomicLong retried = new AtomicLong();

	private static final AtomicLong refusedStreams = new AtomicLong();

	private static final List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());

	private static final List<String> failures = Collections.synchronizedList(new ArrayList<>());

	private static final Path stopFile = (System.getenv("WEBSTACK_LOAD_STOP_FILE") != null)
			? Path.of(System.getenv("WEBSTACK_LOAD_STOP_FILE")) : null;

	/** How long a reader waits after each answer, in milliseconds. */
	private static final long readPause = Long
		.parseLong(System.getenv().getOrDefault("WEBSTACK_LOAD_PAUSE_MILLIS", "0"));

	/** How long each answered read took. */
	private static final List<Long> readNanos = Collections.synchronizedList(new ArrayList<>());

	private static final AtomicLong resent = new AtomicLong();

	/** Failed reads that got no answer at all within their timeout (of those in readFailures). */
	private static final AtomicLong readTimeouts = new AtomicLong();

	/** When each failed write attempt happened, and its status (0: no answer). */
	private static final List<long[]> failedSends = Collections.synchronizedList(new ArrayList<>());

	public static void main(String[] args) throws Exception {
		if (args.length != 5) {
			System.err.println("usage: java scripts/Load.java <https-base-url> <cert.pem> <seconds> <readers> <writers>");
			System.exit(2);
		}
		String base = args[0];
		URI uri = URI.create(base);
		if (!uri.getHost().startsWith("127.") && !uri.getHost().equals("localhost")
				&& !uri.getHost().matches("10\\.88\\.\\d+\\.\\d+") && !uri.getHost().matches("172\\.30\\.\\d+\\.\\d+")) {
			throw new IllegalArgumentException("load is only ever sent to loopback addresses, to the hosts mode's "
					+ "(10.88.0.0/16) or to the Compose stack's networks (172.30.0.0/16)");
		}
		SSLContext tls = trusting(Path.of(args[1]));
		long seconds = Long.parseLong(args[2]);
		int readers = Integer.parseInt(args[3]);
		int writers = Integer.parseInt(args[4]);
		String run = UUID.randomUUID().toString().substring(0, 8);
		long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
		List<Thread> threads = new ArrayList<>();
		for (int i = 0; i < readers; i++) {
			threads.add(start(() -> read(client(tls), base, end)));
		}
		for (int i = 0; i < writers; i++) {
			int writer = i;
			threads.add(start(() -> write(client(tls), base, end, run + "-" + writer)));
		}
		Thread progress = ("1".equals(System.getenv("WEBSTACK_LOAD_PROGRESS"))) ? start(() -> {
			while (!Thread.currentThread().isInterrupted()) {
				printProgress();
				pause(250);
			}
		}) : null;
		for (Thread thread : threads) {
			thread.join();
		}
		if (progress != null) {
			progress.interrupt();
			progress.join();
			printProgress();
		}
		HttpClient checker = client(tls);
		long duplicated = 0;
		long lost = 0;
		// Checked one by one, each in at most 5 tries of 15 s; all of them within two minutes,
		// or the run fails saying so rather than going on for hours against a dead site.
		long checksEnd = System.nanoTime() + Duration.ofMinutes(2).toNanos();
		for (String title : new ArrayList<>(acknowledged)) {
			if (System.nanoTime() > checksEnd) {
				throw new IllegalStateException("the site did not answer the checks of the " + acknowledged.size()
						+ " acknowledged writes within two minutes");
			}
			int found = count(checker, tls, base, title);
			if (found == 0) {
				lost++;
			}
			else if (found > 1) {
				duplicated += found - 1;
			}
		}
		synchronized (failures) {
			failures.stream().limit(10).forEach((f) -> System.out.println("failure: " + f));
		}
		long p50 = readMillis(0.50);
		long p99 = readMillis(0.99);
		long max = readMillis(1.0);
		long sendsFailed;
		long sends503;
		long sendWindow;
		synchronized (failedSends) {
			sendsFailed = failedSends.size();
			sends503 = failedSends.stream().filter((f) -> f[1] == 503).count();
			sendWindow = failedSends.isEmpty() ? 0 : Duration
				.ofNanos(failedSends.get(failedSends.size() - 1)[0] - failedSends.get(0)[0])
				.toMillis();
		}
		System.out.printf("reads %d, failed %d (%d without an answer in 10 s; answered in %d ms median, %d ms p99, "
				+ "%d ms at most; %d resent after a reset connection); writes %d, acknowledged %d, failed %d; retried "
				+ "%d (%d refused HTTP/2 streams); failed write attempts %d (%d answered 503) over %d ms; duplicated "
				+ "%d, lost %d%n", reads.get(), readFailures.get(), readTimeouts.get(), p50, p99, max, resent.get(),
				writes.get(), acknowledged.size(),
				writeFailures.get(), retried.get(), refusedStreams.get(), sendsFailed, sends503, sendWindow,
				duplicated, lost);
		System.out.printf("{\"reads\":%d,\"readFailures\":%d,\"writes\":%d,\"acknowledged\":%d,\"writeFailures\":%d,"
				+ "\"retried\":%d,\"refusedStreams\":%d,\"duplicated\":%d,\"lost\":%d,\"readP50Millis\":%d,"
				+ "\"readP99Millis\":%d,\"readMaxMillis\":%d,\"readTimeouts\":%d,\"resent\":%d,\"failedSends\":%d,\"failedSends503\":%d,"
				+ "\"failedSendsWindowMillis\":%d}%n", reads.get(), readFailures.get(), writes.get(),
				acknowledged.size(), writeFailures.get(), retried.get(), refusedStreams.get(), duplicated, lost, p50,
				p99, max, readTimeouts.get(), resent.get(), sendsFailed, sends503, sendWindow);
	}

	/**
	 * Whether the load goes on: until its end, or until the file WEBSTACK_LOAD_STOP_FILE
	 * names exists (./stack chaos stops it so once a fault of its own length is over).
	 */
	private static boolean running(long end) {
		return System.nanoTime() < end && (stopFile == null || !Files.exists(stopFile));
	}

	/** A percentile of the answered reads' times, in milliseconds (0 when none was answered). */
	private static long readMillis(double percentile) {
		synchronized (readNanos) {
			if (readNanos.isEmpty()) {
				return 0;
			}
			List<Long> sorted = new ArrayList<>(readNanos);
			Collections.sort(sorted);
			int index = (int) Math.ceil(percentile * sorted.size()) - 1;
			return Duration.ofNanos(sorted.get(Math.max(0, index))).toMillis();
		}
	}

	private static void printProgress() {
		System.out.printf("progress {\"reads\":%d,\"readFailures\":%d,\"writes\":%d,\"acknowledged\":%d}%n",
				reads.get(), readFailures.get(), writes.get(), acknowledged.size());
		System.out.flush();
	}

	private static void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static Thread start(Runnable task) {
		Thread thread = new Thread(task);
		thread.start();
		return thread;
	}

	private static void read(HttpClient http, String base, long end) {
		String[] paths = { "/", "/?page=1", "/search?q=post" };
		int i = 0;
		while (running(end)) {
			String path = paths[i++ % paths.length];
			reads.incrementAndGet();
			long started = System.nanoTime();
			try {
				HttpResponse<String> response = getResendingAfterReset(http, base + path);
				if (response.statusCode() != 200) {
					readFailures.incrementAndGet();
					failures.add("GET " + path + " -> " + response.statusCode());
				}
				else {
					readNanos.add(System.nanoTime() - started);
				}
			}
			catch (Exception ex) {
				readFailures.incrementAndGet();
				if (ex instanceof HttpTimeoutException) {
					readTimeouts.incrementAndGet();
				}
				failures.add("GET " + path + " -> " + describe(ex));
			}
			if (readPause > 0) {
				pause(readPause);
			}
		}
	}

	private static void write(HttpClient http, String base, long end, String prefix) {
		int n = 0;
		while (running(end)) {
			// The number ends in a dot, so no title is a substring of another (the check searches).
			String title = "load " + prefix + "-" + (n++) + ".";
			writes.incrementAndGet();
			try {
				String form = getResendingAfterReset(http, base + "/posts/new").body();
				String body = "_csrf=" + enc(find(CSRF, form)) + "&submission=" + enc(find(SUBMISSION, form))
						+ "&title=" + enc(title) + "&body=" + enc("written under load") + "&author=load";
				if (send(http, base, body, title)) {
					acknowledged.add(title);
				}
				else {
					writeFailures.incrementAndGet();
				}
				pause(150);
			}
			catch (Exception ex) {
				writeFailures.incrementAndGet();
				failures.add("write " + title + " -> " + describe(ex));
				pause(150);
			}
		}
	}

	/** Sends a form, retrying a failure up to three times with the same one-time token. */
	private static boolean send(HttpClient http, String base, String body, String title) throws Exception {
		for (int attempt = 0; attempt < 4; attempt++) {
			if (attempt > 0) {
				retried.incrementAndGet();
				Thread.sleep(300L * attempt);
			}
			try {
				HttpResponse<String> response = exchange(http, HttpRequest.newBuilder(URI.create(base + "/posts"))
					.timeout(Duration.ofSeconds(10))
					.header("Content-Type", "application/x-www-form-urlencoded")
					.POST(HttpRequest.BodyPublishers.ofString(body))
					.build());
				if (response.statusCode() == 302) {
					return true;
				}
				failedSends.add(new long[] { System.nanoTime(), response.statusCode() });
				failures.add("POST " + title + " -> " + response.statusCode());
			}
			catch (Exception ex) {
				failedSends.add(new long[] { System.nanoTime(), 0 });
				if (ex.getMessage() != null && ex.getMessage().contains("Stream not processed")) {
					// HTTP/2 refused the stream: the server never saw this send (RFC 9113, 8.7).
					refusedStreams.incrementAndGet();
				}
				failures.add("POST " + title + " -> " + describe(ex));
			}
		}
		return false;
	}

	/**
	 * A GET, sent again once if its connection failed without an answer (reset or closed,
	 * not a timeout): what a browser does with a GET whose kept-alive connection breaks, as
	 * the connections to a load balancer that died do when its address moves to the other.
	 */
	private static HttpResponse<String> getResendingAfterReset(HttpClient http, String url) throws Exception {
		try {
			return getRetryingRefusedStreams(http, url);
		}
		catch (HttpTimeoutException ex) {
			throw ex;
		}
		catch (IOException ex) {
			resent.incrementAndGet();
			failures.add("GET " + url + " -> " + describe(ex) + ", sent again");
			return getRetryingRefusedStreams(http, url);
		}
	}

	/**
	 * A GET, sent again once if HTTP/2 refused its stream: REFUSED_STREAM guarantees the
	 * request was not processed (RFC 9113, 8.7), and browsers retry it the same way.
	 */
	private static HttpResponse<String> getRetryingRefusedStreams(HttpClient http, String url) throws Exception {
		try {
			return exchange(http, get(url));
		}
		catch (IOException ex) {
			if (ex.getMessage() == null || !ex.getMessage().contains("Stream not processed")) {
				throw ex;
			}
			retried.incrementAndGet();
			refusedStreams.incrementAndGet();
			failures.add("GET " + url + " refused by HTTP/2 (not processed), sent again");
			return exchange(http, get(url));
		}
	}

	/**
	 * How many posts have this title, as the search finds them. Only a 200 answer counts (a
	 * 503 page holds no post, and would make a post look lost); the check is tried up to
	 * five times, a second apart, each try after the first on a new connection, before the
	 * run fails saying so.
	 */
	private static int count(HttpClient http, SSLContext tls, String base, String title) throws Exception {
		String page = null;
		Exception last = null;
		for (int attempt = 0; attempt < 5 && page == null; attempt++) {
			if (attempt > 0) {
				pause(1000);
			}
			try {
				// A try after a failed one on a new connection: not again on one that may be dead.
				HttpResponse<String> answer = exchange((attempt == 0) ? http : client(tls),
						get(base + "/search?q=" + enc(title)));
				if (answer.statusCode() == 200) {
					page = answer.body();
				}
				else {
					last = new IllegalStateException("the search answered " + answer.statusCode());
				}
			}
			catch (IOException ex) {
				last = ex;
			}
		}
		if (page == null) {
			throw new IllegalStateException("could not check whether '" + title + "' was kept: " + last, last);
		}
		int found = 0;
		Matcher m = TITLE.matcher(page);
		while (m.find()) {
			if (m.group(1).equals(title)) {
				found++;
			}
		}
		return found;
	}

	/**
	 * Sends a request and waits for its answer at most its timeout and five seconds: the
	 * client's own timeout should fire first, but a load that waits for ever on one request
	 * (a connection stuck in its TLS handshake, say) would stall the whole run.
	 */
	private static HttpResponse<String> exchange(HttpClient http, HttpRequest request)
			throws IOException, InterruptedException {
		CompletableFuture<HttpResponse<String>> answer = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
		try {
			return answer.get(request.timeout().orElseThrow().toMillis() + 5000, TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			answer.cancel(true);
			throw new HttpTimeoutException("no answer, and the client's own timeout did not fire");
		}
		catch (ExecutionException ex) {
			// What send() would have thrown: its message is what the failures list shows.
			if (ex.getCause() instanceof IOException io) {
				throw io;
			}
			if (ex.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new IOException(ex.getCause());
		}
	}

	/** An exception and its cause (the JDK's client wraps what the socket said). */
	private static String describe(Exception ex) {
		return (ex.getCause() != null && ex.getCause() != ex) ? ex + " (" + ex.getCause() + ")" : ex.toString();
	}

	private static HttpRequest get(String url) {
		return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build();
	}

	private static String find(Pattern pattern, String html) {
		Matcher m = pattern.matcher(html);
		if (!m.find()) {
			throw new IllegalStateException("no " + pattern + " in the form");
		}
		return m.group(1);
	}

	private static String enc(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private static HttpClient client(SSLContext tls) {
		return HttpClient.newBuilder()
			.sslContext(tls)
			.cookieHandler(new CookieManager())
			.followRedirects(HttpClient.Redirect.NEVER)
			.connectTimeout(Duration.ofSeconds(5))
			.build();
	}

	private static SSLContext trusting(Path certificate) throws Exception {
		KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
		trusted.load(null, null);
		try (InputStream in = Files.newInputStream(certificate)) {
			trusted.setCertificateEntry("lb-1", CertificateFactory.getInstance("X.509").generateCertificate(in));
		}
		TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		trust.init(trusted);
		SSLContext tls = SSLContext.getInstance("TLS");
		tls.init(null, trust.getTrustManagers(), null);
		return tls;
	}

}
