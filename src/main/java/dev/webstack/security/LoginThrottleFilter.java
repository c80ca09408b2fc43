package dev.webstack.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a sign-in attempt (the login form's POST, or HTTP Basic credentials) from a
 * locked-out client or against a locked-out account, before the password is even checked:
 * 429 with Retry-After for scripts, a redirect to the login page with a message for the form.
 */
class LoginThrottleFilter extends OncePerRequestFilter {

	private final LoginThrottle throttle;

	LoginThrottleFilter(LoginThrottle throttle) {
		this.throttle = throttle;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String path = request.getRequestURI().substring(request.getContextPath().length());
		boolean form = "POST".equals(request.getMethod()) && "/login".equals(path);
		String basicUser = basicUser(request.getHeader("Authorization"));
		if (form || basicUser != null) {
			String user = form ? request.getParameter("username") : basicUser;
			long seconds = this.throttle.lockedSeconds(request.getRemoteAddr(), user);
			if (seconds > 0) {
				response.setHeader("Retry-After", String.valueOf(seconds));
				if (form) {
					response.sendRedirect(request.getContextPath() + "/login?locked");
				}
				else {
					response.sendError(429, "Too many failed sign-ins");
				}
				return;
			}
		}
		chain.doFilter(request, response);
	}

	private static String basicUser(String header) {
		if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
			return null;
		}
		try {
			String decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
			int colon = decoded.indexOf(':');
			return (colon >= 0) ? decoded.substring(0, colon) : null;
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

}
