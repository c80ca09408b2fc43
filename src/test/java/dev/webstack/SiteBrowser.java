package dev.webstack;

import java.io.InputStream;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;

/**
 * A person's browser on the site, over HTTPS: it trusts the stack's certificate and no
 * other, keeps cookies, and does not follow redirects (tests look at them).
 */
public final class SiteBrowser {

	private final String site;

	private final HttpClient client;

	public SiteBrowser(String site, Path certificate) throws Exception {
		this.site = site;
		this.client = HttpClient.newBuilder()
			.sslContext(trusting(certificate))
			.cookieHandler(new CookieManager())
			.followRedirects(HttpClient.Redirect.NEVER)
			.connectTimeout(Duration.ofSeconds(5))
			.build();
	}

	/** TLS that trusts the one certificate in {@code certificateFile}. */
	public static SSLContext trusting(Path certificateFile) throws Exception {
		KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
		trusted.load(null, null);
		try (InputStream certificate = Files.newInputStream(certificateFile)) {
			trusted.setCertificateEntry("lb-1", CertificateFactory.getInstance("X.509").generateCertificate(certificate));
		}
		TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		trust.init(trusted);
		SSLContext tls = SSLContext.getInstance("TLS");
		tls.init(null, trust.getTrustManagers(), null);
		return tls;
	}

	public HttpClient client() {
		return this.client;
	}

	public HttpResponse<String> get(String path) throws Exception {
		return this.client.send(
				HttpRequest.newBuilder(URI.create(this.site + path)).header("Accept", "text/html").build(),
				HttpResponse.BodyHandlers.ofString());
	}

	/** A GET as the admin, with HTTP Basic as scripts send it (no sign-in, no cookie needed). */
	public HttpResponse<String> getAsAdmin(String path, String password) throws Exception {
		String auth = Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
		return this.client.send(
				HttpRequest.newBuilder(URI.create(this.site + path)).header("Authorization", "Basic " + auth).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	/** Sends a form as a browser does. */
	public HttpResponse<String> post(String path, Map<String, String> fields) throws Exception {
		String form = fields.entrySet()
			.stream()
			.map((e) -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
			.collect(Collectors.joining("&"));
		return this.client.send(HttpRequest.newBuilder(URI.create(this.site + path))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** The fields of the (last) form on a page, its CSRF and one-time (if any) tokens included, plus these. */
	public Map<String, String> form(String path, Map<String, String> fields) throws Exception {
		Document page = Jsoup.parse(get(path).body());
		Map<String, String> all = new HashMap<>(fields);
		all.put("_csrf", page.select("form[method=post] input[name=_csrf]").last().val());
		// The sign-in form has no one-time token; the others do.
		if (!page.select("input[name=submission]").isEmpty()) {
			all.put("submission", page.select("input[name=submission]").last().val());
		}
		return all;
	}

}
