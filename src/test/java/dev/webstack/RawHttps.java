package dev.webstack;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * Sends one HTTP/1.1 request to a stack's HAProxy over TLS, written byte for byte as
 * given (the spellings no client library would send), from a chosen loopback source
 * address: every 127.0.0.0/8 address is this machine's, so each is a different client
 * to HAProxy without leaving the host.
 */
public final class RawHttps {

	private final SSLContext tls;

	private final int port;

	public RawHttps(SSLContext tls, int port) {
		this.tls = tls;
		this.port = port;
	}

	/** What came back: the status, the headers (names in lower case) and the body as sent. */
	public record Response(int status, Map<String, List<String>> headers, String body) {

		public Optional<String> header(String name) {
			return this.headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of()).stream().findFirst();
		}

		public List<String> headers(String name) {
			return this.headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
		}

	}

	/**
	 * Sends a request from {@code source}: the request line, then each header line as given,
	 * then {@code Host} and {@code Connection: close} unless given, then the body (with its
	 * length).
	 */
	public Response send(String source, String requestLine, List<String> headerLines, String body) throws IOException {
		StringBuilder request = new StringBuilder(requestLine).append("\r\n");
		headerLines.forEach((line) -> request.append(line).append("\r\n"));
		if (headerLines.stream().noneMatch((line) -> line.regionMatches(true, 0, "Host:", 0, 5))) {
			request.append("Host: 127.0.0.1\r\n");
		}
		request.append("Connection: close\r\n");
		byte[] content = (body != null) ? body.getBytes(StandardCharsets.UTF_8) : new byte[0];
		if (body != null) {
			request.append("Content-Length: ").append(content.length).append("\r\n");
		}
		request.append("\r\n");
		try (SSLSocket socket = (SSLSocket) this.tls.getSocketFactory()
			.createSocket(InetAddress.getByName("127.0.0.1"), this.port, InetAddress.getByName(source), 0)) {
			socket.setSoTimeout(30_000);
			// HTTP/1.1 only: these requests are about what HTTP/1.1 allows.
			var parameters = socket.getSSLParameters();
			parameters.setApplicationProtocols(new String[] { "http/1.1" });
			socket.setSSLParameters(parameters);
			socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
			socket.getOutputStream().write(content);
			socket.getOutputStream().flush();
			return parse(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
		}
	}

	public Response get(String source, String path, String... headerLines) throws IOException {
		return send(source, "GET " + path + " HTTP/1.1", List.of(headerLines), null);
	}

	private static Response parse(String answer) {
		int end = answer.indexOf("\r\n\r\n");
		String head = (end >= 0) ? answer.substring(0, end) : answer;
		List<String> lines = new ArrayList<>(head.lines().toList());
		if (lines.isEmpty()) {
			throw new IllegalStateException("no answer");
		}
		int status = Integer.parseInt(lines.remove(0).split(" ", 3)[1]);
		Map<String, List<String>> headers = new LinkedHashMap<>();
		for (String line : lines) {
			int colon = line.indexOf(':');
			headers.computeIfAbsent(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), (k) -> new ArrayList<>())
				.add(line.substring(colon + 1).strip());
		}
		return new Response(status, headers, (end >= 0) ? answer.substring(end + 4) : "");
	}

}
