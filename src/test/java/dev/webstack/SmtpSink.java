package dev.webstack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local SMTP server that accepts every message and keeps it, for the tests of
 * Alertmanager's e-mail: the plain SMTP dialogue (EHLO, MAIL, RCPT, DATA, QUIT) on
 * 127.0.0.1, no TLS, no relay anywhere.
 */
public final class SmtpSink implements AutoCloseable {

	/** One message as received: its envelope and its content (headers and body). */
	public record Message(String from, List<String> to, String content) {
	}

	private final ServerSocket server;

	private final List<Message> messages = new CopyOnWriteArrayList<>();

	private final Thread acceptor;

	public SmtpSink() throws IOException {
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		this.acceptor = new Thread(this::accept, "smtp-sink");
		this.acceptor.setDaemon(true);
		this.acceptor.start();
	}

	public int port() {
		return this.server.getLocalPort();
	}

	public List<Message> messages() {
		return List.copyOf(this.messages);
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket client = this.server.accept();
				Thread session = new Thread(() -> serve(client), "smtp-sink-session");
				session.setDaemon(true);
				session.start();
			}
			catch (IOException ex) {
				// Closed: the sink is done.
			}
		}
	}

	private void serve(Socket client) {
		try (client) {
			client.setSoTimeout(60_000);
			BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
			OutputStream out = client.getOutputStream();
			reply(out, "220 smtp-sink ESMTP");
			String from = null;
			List<String> to = new CopyOnWriteArrayList<>();
			String line;
			while ((line = in.readLine()) != null) {
				String command = line.toUpperCase(Locale.ROOT);
				if (command.startsWith("EHLO") || command.startsWith("HELO")) {
					reply(out, "250 smtp-sink");
				}
				else if (command.startsWith("MAIL FROM:")) {
					from = line.substring(10).strip();
					to.clear();
					reply(out, "250 OK");
				}
				else if (command.startsWith("RCPT TO:")) {
					to.add(line.substring(8).strip());
					reply(out, "250 OK");
				}
				else if (command.equals("DATA")) {
					reply(out, "354 End data with <CR><LF>.<CR><LF>");
					StringBuilder content = new StringBuilder();
					while ((line = in.readLine()) != null && !line.equals(".")) {
						content.append(line.startsWith("..") ? line.substring(1) : line).append('\n');
					}
					this.messages.add(new Message(from, List.copyOf(to), content.toString()));
					reply(out, "250 OK: queued");
				}
				else if (command.equals("QUIT")) {
					reply(out, "221 Bye");
					return;
				}
				else if (command.equals("RSET") || command.equals("NOOP")) {
					reply(out, "250 OK");
				}
				else {
					reply(out, "502 Command not implemented");
				}
			}
		}
		catch (IOException ex) {
			// The client went away; what it sent before is kept.
		}
	}

	private static void reply(OutputStream out, String line) throws IOException {
		out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
		out.flush();
	}

	@Override
	public void close() throws IOException {
		this.server.close();
	}

}
