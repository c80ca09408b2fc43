package dev.webstack.security;

import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import dev.webstack.system.WebstackProperties;

import org.springframework.http.ResponseCookie;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.HttpRequestResponseHolder;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.web.util.WebUtils;

/**
 * Keeps a sign-in in a signed, expiring cookie instead of a server-side session, so any
 * app server recognises it and it survives the death of the server that created it.
 * Cookie value: signed {@code username|expiry-epoch-seconds|authority,authority}.
 */
class SignedCookieSecurityContextRepository implements SecurityContextRepository {

	static final String COOKIE = "WEBSTACK_AUTH";

	private final CookieSigner signer;

	private final WebstackProperties properties;

	private final Clock clock;

	SignedCookieSecurityContextRepository(CookieSigner signer, WebstackProperties properties, Clock clock) {
		this.signer = signer;
		this.properties = properties;
		this.clock = clock;
	}

	@Override
	public SecurityContext loadContext(HttpRequestResponseHolder holder) {
		return load(holder.getRequest());
	}

	private SecurityContext load(HttpServletRequest request) {
		SecurityContext context = SecurityContextHolder.createEmptyContext();
		Cookie cookie = WebUtils.getCookie(request, COOKIE);
		String payload = (cookie != null) ? this.signer.verify(cookie.getValue()) : null;
		if (payload == null) {
			return context;
		}
		String[] parts = payload.split("\\|", -1);
		if (parts.length != 3) {
			return context;
		}
		long expiry;
		try {
			expiry = Long.parseLong(parts[1]);
		}
		catch (NumberFormatException ex) {
			return context;
		}
		if (Instant.ofEpochSecond(expiry).isBefore(this.clock.instant())) {
			return context;
		}
		List<GrantedAuthority> authorities = AuthorityUtils
			.createAuthorityList(Arrays.stream(parts[2].split(",")).filter((a) -> !a.isEmpty()).toArray(String[]::new));
		context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(parts[0], null, authorities));
		return context;
	}

	@Override
	public void saveContext(SecurityContext context, HttpServletRequest request, HttpServletResponse response) {
		Authentication authentication = context.getAuthentication();
		if (authentication == null || !authentication.isAuthenticated()) {
			if (WebUtils.getCookie(request, COOKIE) != null) {
				write(response, request, "", 0);
			}
			return;
		}
		long ttl = this.properties.sessionTimeout().toSeconds();
		long expiry = this.clock.instant().getEpochSecond() + ttl;
		String authorities = String.join(",", AuthorityUtils.authorityListToSet(authentication.getAuthorities()));
		write(response, request, this.signer.sign(authentication.getName() + "|" + expiry + "|" + authorities), ttl);
	}

	private static void write(HttpServletResponse response, HttpServletRequest request, String value, long maxAge) {
		ResponseCookie cookie = ResponseCookie.from(COOKIE, value)
			.path("/")
			.httpOnly(true)
			.secure(request.isSecure())
			.sameSite("Lax")
			.maxAge(maxAge)
			.build();
		response.addHeader("Set-Cookie", cookie.toString());
	}

	@Override
	public boolean containsContext(HttpServletRequest request) {
		return load(request).getAuthentication() != null;
	}

}
