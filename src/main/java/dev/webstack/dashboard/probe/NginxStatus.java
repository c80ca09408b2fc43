package dev.webstack.dashboard.probe;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Nginx's {@code stub_status}.
 *
 * @param active open client connections, idle ones included
 * @param accepts connections accepted so far
 * @param handled connections handled so far
 * @param requests requests so far
 * @param reading connections reading a request
 * @param writing connections writing a response
 * @param waiting idle kept-alive connections
 */
public record NginxStatus(long active, long accepts, long handled, long requests, long reading, long writing,
		long waiting) {

	private static final Pattern FORMAT = Pattern.compile("Active connections:\\s*(\\d+)\\s*"
			+ "server accepts handled requests\\s*(\\d+)\\s+(\\d+)\\s+(\\d+)\\s*"
			+ "Reading:\\s*(\\d+)\\s*Writing:\\s*(\\d+)\\s*Waiting:\\s*(\\d+)");

	public static NginxStatus parse(String text) {
		Matcher m = FORMAT.matcher(text);
		if (!m.find()) {
			throw new IllegalArgumentException("not Nginx stub_status output");
		}
		return new NginxStatus(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
				Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6)),
				Long.parseLong(m.group(7)));
	}

}
