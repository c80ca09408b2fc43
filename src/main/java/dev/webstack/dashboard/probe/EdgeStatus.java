package dev.webstack.dashboard.probe;

import java.time.Instant;
import java.util.Map;

/**
 * The site as the public side reaches it, through HAProxy: the facts the security checks
 * judge.
 *
 * @param httpStatus what plain HTTP answers
 * @param httpLocation where plain HTTP redirects to
 * @param hsts the Strict-Transport-Security header over HTTPS, or null
 * @param tlsCipher the cipher suite negotiated
 * @param certificateSubject the certificate's subject
 * @param certificateNotAfter when the certificate expires
 * @param actuatorStatus what {@code /actuator/health} answers through HAProxy, or
 * {@link #ENCODED_PROBE_PATH} if that one is not refused
 * @param adminStatus what {@code /admin} answers to a client without credentials
 * @param adminLocation where that answer redirects to, if it does
 * @param headers the security headers of a page (Content-Security-Policy, X-Frame-Options,
 * X-Content-Type-Options, Referrer-Policy), by name, as sent
 * @param csrfCookie the Set-Cookie header of the form page's CSRF cookie, or null
 * @param oldTls what a TLS 1.0 and a TLS 1.1 handshake got (null when openssl is not here to try)
 * @param clientAddress the address the app server saw for a request that claimed to come
 * from {@link #SPOOFED_ADDRESS} (its {@code X-Client-Address}), or null if it does not say
 */
public record EdgeStatus(int httpStatus, String httpLocation, String hsts, String tlsCipher,
		String certificateSubject, Instant certificateNotAfter, int actuatorStatus, int adminStatus,
		String adminLocation, Map<String, String> headers, String csrfCookie, OldTls oldTls, String clientAddress) {

	/** What the probe writes in its own X-Forwarded-For (TEST-NET-2: nobody's address). */
	public static final String SPOOFED_ADDRESS = "198.51.100.7";

	/** {@code /readyz} percent-encoded: Tomcat would route it to the readiness probe. */
	public static final String ENCODED_PROBE_PATH = "/%72eadyz";

	/**
	 * Whether the edge refused the old protocol versions.
	 *
	 * @param refused both TLS 1.0 and TLS 1.1 handshakes were refused
	 * @param evidence what openssl reported
	 */
	public record OldTls(boolean refused, String evidence) {
	}

}
