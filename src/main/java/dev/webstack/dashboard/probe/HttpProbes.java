package dev.webstack.dashboard.probe;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import tools.jackson.databind.json.JsonMapper;

/**
 * The probes that speak HTTP: HAProxy's stats, Nginx's status, the app servers'
 * management ports, Prometheus, Alertmanager, and the public side of the site.
 */
class HttpProbes {

	static final List<String> SECURITY_HEADERS = List.of("Content-Security-Policy", "X-Frame-Options",
			"X-Content-Type-Options", "Referrer-Policy");

	private final HttpClient http;

	private final Duration timeout;

	private final JsonMapper json;

	HttpProbes(Duration timeout, JsonMapper json) {
		this.timeout = timeout;
		this.json = json;
		this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
	}

	/** The value of an HTTP Basic {@code Authorization} header. */
	static String basic(String user, String password) {
		return "Basic " + Base64.getEncoder()
			.encodeToString((user + ":" + ((password != null) ? password : "")).getBytes(StandardCharsets.UTF_8));
	}

	/** HAProxy's stats as CSV, read with the stats page's credential. */
	List<HaproxyServer> haproxy(String statsUrl, String authorization) throws IOException {
		return HaproxyServer.parseCsv(body(request(statsUrl + ";csv").header("Authorization", authorization)));
	}

	/**
	 * Knocks on the monitoring side's doors with the wrong keys: HAProxy's stats page and
	 * {@code /metrics} without credentials, {@code /metrics} with the stats page's, and
	 * every app server's health without and with the monitoring credential. None of these
	 * counts as a failed sign-in at HAProxy (no credentials, or a valid user).
	 */
	AccessStatus access(String statsUrl, String statsAuthorization, Map<String, String> managementUrls,
			String monitoringAuthorization) throws IOException {
		int statsAnonymous = send(request(statsUrl)).statusCode();
		String metricsUrl = statsUrl.replaceFirst("/?$", "/metrics");
		int metricsAnonymous = send(request(metricsUrl)).statusCode();
		int metricsWithStats = send(request(metricsUrl).header("Authorization", statsAuthorization)).statusCode();
		Map<String, Boolean> anonymous = new LinkedHashMap<>();
		Map<String, Boolean> authorized = new LinkedHashMap<>();
		for (Map.Entry<String, String> app : managementUrls.entrySet()) {
			String url = app.getValue() + "/actuator/health";
			anonymous.put(app.getKey(), hasDetails(send(request(url))));
			authorized.put(app.getKey(),
					hasDetails(send(request(url).header("Authorization", monitoringAuthorization))));
		}
		return new AccessStatus(statsAnonymous, metricsAnonymous, metricsWithStats, anonymous, authorized);
	}

	private boolean hasDetails(HttpResponse<String> health) {
		return health.statusCode() == 200 && this.json.readTree(health.body()).has("components");
	}

	/**
	 * Which load balancer holds the site's shared address: the one whose name the plain
	 * HTTP listener's answer (a redirect HAProxy makes itself) carries.
	 */
	String siteHolder(String httpUrl) throws IOException {
		HttpResponse<String> answer = send(request(httpUrl + "/"));
		return answer.headers()
			.firstValue("X-Load-Balancer")
			.orElseThrow(() -> new IOException(
					"the site's address answered " + answer.statusCode() + " without naming its load balancer"));
	}

	NginxStatus nginx(String statusUrl) throws IOException {
		return NginxStatus.parse(body(request(statusUrl)));
	}

	List<PrometheusTarget> prometheus(String baseUrl) throws IOException {
		return PrometheusTarget.parse(this.json, body(request(baseUrl + "/api/v1/targets")));
	}

	/** The alerts Alertmanager holds; answering at all means it is up. */
	AlertmanagerStatus alertmanager(String baseUrl) throws IOException {
		return AlertmanagerStatus.parse(this.json, body(request(baseUrl + "/api/v2/alerts")));
	}

	/** An app server's overall health status, from its management port. */
	String appHealth(String managementUrl) throws IOException {
		HttpResponse<String> health = send(request(managementUrl + "/actuator/health"));
		return this.json.readTree(health.body()).path("status").asString("UNKNOWN");
	}

	/** Every app server's figures, in one query to Prometheus. */
	Map<String, AppFigures> appFigures(String prometheusUrl) throws IOException {
		return AppFigures.parse(this.json, body(request(
				prometheusUrl + "/api/v1/query?query=" + URLEncoder.encode(AppFigures.QUERY, StandardCharsets.UTF_8))));
	}

	/**
	 * What the public side shows: the HTTP redirect, HSTS, the certificate, and whether
	 * Actuator or the admin pages answer without credentials. The certificate is read, not
	 * trusted: this probe inspects our own edge, whatever certificate it has.
	 */
	EdgeStatus edge(String httpsUrl, String httpUrl) throws IOException {
		HttpResponse<String> plain = send(request(httpUrl + "/"));
		HttpsURLConnection tls = open(httpsUrl + "/posts/new");
		// A client naming itself someone else: the app must still see the probe's own address.
		tls.setRequestProperty("X-Forwarded-For", EdgeStatus.SPOOFED_ADDRESS);
		String hsts;
		String cipher;
		X509Certificate certificate;
		Map<String, String> headers = new LinkedHashMap<>();
		String csrfCookie = null;
		String clientAddress;
		try {
			tls.getResponseCode();
			hsts = tls.getHeaderField("Strict-Transport-Security");
			for (String name : SECURITY_HEADERS) {
				headers.put(name, tls.getHeaderField(name));
			}
			// Header names may arrive in any case (HAProxy sends them in lower case).
			csrfCookie = tls.getHeaderFields()
				.entrySet()
				.stream()
				.filter((header) -> "Set-Cookie".equalsIgnoreCase(header.getKey()))
				.flatMap((header) -> header.getValue().stream())
				.filter((cookie) -> cookie.startsWith("XSRF-TOKEN="))
				.findFirst()
				.orElse(null);
			certificate = (X509Certificate) tls.getServerCertificates()[0];
			cipher = tls.getCipherSuite();
			clientAddress = tls.getHeaderField("X-Client-Address");
		}
		finally {
			tls.disconnect();
		}
		// The plain path, and a spelling that the servers behind would still route there.
		int actuator = statusOverTls(httpsUrl + "/actuator/health");
		int encoded = statusOverTls(httpsUrl + EdgeStatus.ENCODED_PROBE_PATH);
		if (encoded < 400 || encoded >= 500) {
			actuator = encoded;
		}
		HttpsURLConnection admin = open(httpsUrl + "/admin");
		int adminStatus;
		String adminLocation;
		try {
			adminStatus = admin.getResponseCode();
			adminLocation = admin.getHeaderField("Location");
		}
		finally {
			admin.disconnect();
		}
		URI https = URI.create(httpsUrl);
		return new EdgeStatus(plain.statusCode(), plain.headers().firstValue("Location").orElse(null), hsts, cipher,
				certificate.getSubjectX500Principal().getName(), certificate.getNotAfter().toInstant(), actuator,
				adminStatus, adminLocation, headers, csrfCookie, oldTls(https.getHost(), https.getPort()), clientAddress);
	}

	/**
	 * Tries a TLS 1.0 and a TLS 1.1 handshake with openssl (Java itself will not offer
	 * them), allowing any cipher, so that only the server can refuse.
	 */
	private EdgeStatus.OldTls oldTls(String host, int port) {
		StringBuilder evidence = new StringBuilder();
		boolean refused = true;
		for (String version : new String[] { "-tls1", "-tls1_1" }) {
			String out;
			Path output = null;
			try {
				// Its output goes to a file, not a pipe: a wait on a child whose pipe nobody
				// reads could outlast its timeout.
				output = Files.createTempFile("webstack-openssl-", ".out");
				Process process = new ProcessBuilder("openssl", "s_client", "-connect", host + ":" + port, version,
						"-cipher", "DEFAULT:@SECLEVEL=0")
					.redirectErrorStream(true)
					.redirectOutput(output.toFile())
					.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
					.start();
				if (!process.waitFor(this.timeout.toMillis(), TimeUnit.MILLISECONDS)) {
					process.destroyForcibly();
					return null;
				}
				out = Files.readString(output, StandardCharsets.ISO_8859_1);
			}
			catch (IOException ex) {
				return null;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return null;
			}
			finally {
				deleteQuietly(output);
			}
			boolean thisRefused = out.contains("Cipher is (NONE)");
			refused &= thisRefused;
			if (!evidence.isEmpty()) {
				evidence.append("; ");
			}
			evidence.append("-tls1".equals(version) ? "TLS 1.0" : "TLS 1.1")
				.append(thisRefused ? ": handshake refused" : ": ACCEPTED");
		}
		return new EdgeStatus.OldTls(refused, evidence.toString());
	}

	private static void deleteQuietly(Path file) {
		if (file == null) {
			return;
		}
		try {
			Files.deleteIfExists(file);
		}
		catch (IOException ex) {
			// A temporary file left behind: the system's tmp cleaner has it.
		}
	}

	private int statusOverTls(String url) throws IOException {
		HttpsURLConnection connection = open(url);
		try {
			return connection.getResponseCode();
		}
		finally {
			connection.disconnect();
		}
	}

	private HttpsURLConnection open(String url) throws IOException {
		HttpsURLConnection connection = (HttpsURLConnection) URI.create(url).toURL().openConnection();
		connection.setSSLSocketFactory(inspectingContext().getSocketFactory());
		connection.setHostnameVerifier((host, session) -> true);
		connection.setConnectTimeout((int) this.timeout.toMillis());
		connection.setReadTimeout((int) this.timeout.toMillis());
		connection.setInstanceFollowRedirects(false);
		return connection;
	}

	private static SSLContext inspectingContext() {
		try {
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(null, new TrustManager[] { new InspectingTrustManager() }, new SecureRandom());
			return context;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private HttpRequest.Builder request(String url) {
		return HttpRequest.newBuilder(URI.create(url)).timeout(this.timeout);
	}

	private String body(HttpRequest.Builder request) throws IOException {
		HttpResponse<String> response = send(request);
		if (response.statusCode() != 200) {
			throw new IOException("HTTP " + response.statusCode());
		}
		return response.body();
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
		try {
			return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted", ex);
		}
	}

	/** Accepts any certificate: used only to read our own edge's certificate, never to send secrets. */
	private static final class InspectingTrustManager implements X509TrustManager {

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType) {
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType) {
		}

		@Override
		public X509Certificate[] getAcceptedIssuers() {
			return new X509Certificate[0];
		}

	}

}
