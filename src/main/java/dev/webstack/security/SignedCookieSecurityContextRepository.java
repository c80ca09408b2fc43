package dev.webstack.security;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import dev.webstack.security.CookieSigner.Purpose;
import dev.webstack.system.WebstackProperties;

import org.springframework.http.ResponseCookie;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.authentication.logout.LogoutHandler;
import org.springframework.security.web.context.HttpRequestResponseHolder;
import org.springframework.security.web.context.SecurityContextRepository;

/**
 * Keeps a sign-in in a signed, expiring cookie instead of a server-side session, so any
 * app server recognises it and it survives the death of the server that created it.
 * Cookie value: signed {@code username|expiry-epoch-seconds|authority,authority|id}, where
 * the id names this one sign-in.
 * <p>
 * Two things end a sign-in before it expires: logout records its id on the primary
 * ({@link SignInRevocations}), and a change of the user's password, which the signature
 * binds (a fingerprint of the password in force is signed with the value, not carried in
 * it).
 */
class SignedCookieSecurityContextRepository implements SecurityContextRepository, LogoutHandler {

	static final String COOKIE = "WEBSTACK_AUTH";

	private static final SecureRandom random = new SecureRandom();

	private final CookieSigner signer;

	private final SignInRevocations revocations;

	private final Function<String, String> passwordFingerprints;

	private final WebstackProperties properties;

	private final Clock clock;

	/**
	 * @param passwordFingerprints a user's name to a fingerprint of the password in force,
	 * or to null for a user who cannot sign in
	 */
	SignedCookieSecurityContextRepository(CookieSigner signer, SignInRevocations revocations,
			Function<String, String> passwordFingerprints, WebstackProperties properties, Clock clock) {
		this.signer = signer;
		this.revocations = revocations;
		this.passwordFingerprints = passwordFingerprints;
		this.properties = properties;
		this.clock = clock;
	}

	/** A sign-in as its cookie tells it. */
	private record SignIn(String username, Instant expiry, List<GrantedAuthority> authorities, String id) {
	}

	@Override
	public SecurityContext loadContext(HttpRequestResponseHolder holder) {
		return load(holder.getRequest());
	}

	private SecurityContext load(HttpServletRequest request) {
		SecurityContext context = SecurityContextHolder.createEmptyContext();
		SignIn signIn = read(request);
		if (signIn != null && signIn.expiry().isAfter(this.clock.instant())
				&& !this.revocations.isRevoked(signIn.id())) {
			context.setAuthentication(
					UsernamePasswordAuthenticationToken.authenticated(signIn.username(), null, signIn.authorities()));
		}
		return context;
	}

	/** The sign-in of the request's cookie if its signature holds, expired or not; or null. */
	private SignIn read(HttpServletRequest request) {
		Cookie cookie = HostCookies.find(request, COOKIE);
		if (cookie == null) {
			return null;
		}
		// The user name is read before the signature is checked only to find the password it binds.
		String unverified = this.signer.unverifiedPayload(cookie.getValue());
		String username = (unverified != null) ? unverified.split("\\|", -1)[0] : null;
		String fingerprint = (username != null) ? this.passwordFingerprints.apply(username) : null;
		String payload = (fingerprint != null) ? this.signer.verify(Purpose.SIGN_IN, cookie.getValue(), fingerprint)
				: null;
		if (payload == null) {
			return null;
		}
		String[] parts = payload.split("\\|", -1);
		if (parts.length != 4 || parts[3].isEmpty()) {
			return null;
		}
		try {
			List<GrantedAuthority> authorities = AuthorityUtils.createAuthorityList(
					Arrays.stream(parts[2].split(",")).filter((a) -> !a.isEmpty()).toArray(String[]::new));
			return new SignIn(parts[0], Instant.ofEpochSecond(Long.parseLong(parts[1])), authorities, parts[3]);
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	@Override
	public void saveContext(SecurityContext context, HttpServletRequest request, HttpServletResponse response) {
		Authentication authentication = context.getAuthentication();
		String fingerprint = (authentication != null && authentication.isAuthenticated())
				? this.passwordFingerprints.apply(authentication.getName()) : null;
		if (fingerprint == null) {
			if (HostCookies.find(request, COOKIE) != null) {
				write(response, request, "", 0);
			}
			return;
		}
		long ttl = this.properties.sessionTimeout().toSeconds();
		long expiry = this.clock.instant().getEpochSecond() + ttl;
		String authorities = String.join(",", AuthorityUtils.authorityListToSet(authentication.getAuthorities()));
		byte[] id = new byte[16];
		random.nextBytes(id);
		String payload = authentication.getName() + "|" + expiry + "|" + authorities + "|"
				+ Base64.getUrlEncoder().withoutPadding().encodeToString(id);
		write(response, request, this.signer.sign(Purpose.SIGN_IN, payload, fingerprint), ttl);
	}

	private static void write(HttpServletResponse response, HttpServletRequest request, String value, long maxAge) {
		ResponseCookie cookie = ResponseCookie.from(HostCookies.name(request, COOKIE), value)
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

	/** Logout: ends this sign-in on every app server, for every copy of its cookie. */
	@Override
	public void logout(HttpServletRequest request, HttpServletResponse response, Authentication authentication) {
		SignIn signIn = read(request);
		if (signIn != null && signIn.expiry().isAfter(this.clock.instant())) {
			this.revocations.revoke(signIn.id(), signIn.expiry());
		}
	}

}
