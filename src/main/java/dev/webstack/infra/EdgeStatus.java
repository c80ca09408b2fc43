package dev.webstack.infra;

import java.time.Instant;

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
 * @param actuatorStatus what {@code /actuator/health} answers through HAProxy
 * @param adminStatus what {@code /admin} answers to a client without credentials
 * @param adminLocation where that answer redirects to, if it does
 */
public record EdgeStatus(int httpStatus, String httpLocation, String hsts, String tlsCipher,
		String certificateSubject, Instant certificateNotAfter, int actuatorStatus, int adminStatus,
		String adminLocation) {
}
