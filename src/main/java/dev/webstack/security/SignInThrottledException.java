package dev.webstack.security;

import org.springframework.security.core.AuthenticationException;

/**
 * A sign-in attempt refused by the throttle before its password was checked; the client
 * may try again after {@link #retryAfterSeconds()}.
 */
class SignInThrottledException extends AuthenticationException {

	private final long retryAfterSeconds;

	SignInThrottledException(long retryAfterSeconds) {
		super("Too many sign-in attempts; try again in " + retryAfterSeconds + "s");
		this.retryAfterSeconds = retryAfterSeconds;
	}

	long retryAfterSeconds() {
		return this.retryAfterSeconds;
	}

}
