package dev.webstack.security;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * Puts the {@link LoginThrottle} around the one place where passwords are checked, so
 * that every way of presenting credentials (the login form under any spelling of its path,
 * HTTP Basic under any spelling of its header, a user name with any padding or case)
 * passes through it. The client is the address the request came from, which Tomcat takes
 * from the one X-Forwarded-For that the load balancer writes.
 */
class ThrottledAuthenticationProvider implements AuthenticationProvider {

	private final AuthenticationProvider passwords;

	private final LoginThrottle throttle;

	ThrottledAuthenticationProvider(AuthenticationProvider passwords, LoginThrottle throttle) {
		this.passwords = passwords;
		this.throttle = throttle;
	}

	@Override
	public Authentication authenticate(Authentication authentication) throws AuthenticationException {
		String client = (authentication.getDetails() instanceof WebAuthenticationDetails details)
				? details.getRemoteAddress() : null;
		String username = authentication.getName();
		long wait = this.throttle.admit(client, username);
		if (wait > 0) {
			throw new SignInThrottledException(wait);
		}
		Authentication result;
		try {
			result = this.passwords.authenticate(authentication);
		}
		catch (BadCredentialsException ex) {
			this.throttle.failed(client, username);
			throw ex;
		}
		if (result != null && result.isAuthenticated()) {
			this.throttle.succeeded(client, username);
		}
		return result;
	}

	@Override
	public boolean supports(Class<?> authentication) {
		return this.passwords.supports(authentication);
	}

}
