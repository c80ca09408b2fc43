package dev.webstack.security;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.util.WebUtils;

/**
 * Names of this site's own cookies: with the {@code __Host-} prefix when the request came
 * over HTTPS (through the load balancer), so that a browser accepts the cookie only if it
 * is Secure, for path {@code /} and without a Domain: no sibling host and no plain-HTTP
 * page can set or shadow it. Over plain HTTP (an app server reached directly) the prefix
 * is impossible and the plain name is used. Each writer sets Secure from the request and
 * path {@code /}, as the prefix requires.
 */
public final class HostCookies {

	static final String PREFIX = "__Host-";

	private HostCookies() {
	}

	/** The name of this cookie for this request. */
	public static String name(HttpServletRequest request, String name) {
		return request.isSecure() ? PREFIX + name : name;
	}

	/** This cookie as the request carries it, under the name this request calls for, or null. */
	public static Cookie find(HttpServletRequest request, String name) {
		return WebUtils.getCookie(request, name(request, name));
	}

}
