package dev.webstack.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;

import jakarta.servlet.http.Cookie;

import dev.webstack.security.CookieSigner.Purpose;
import dev.webstack.system.WebstackProperties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.web.context.HttpRequestResponseHolder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sign-in cookie: its {@code __Host-} name over HTTPS, its purpose, its binding to the
 * password in force, and logout.
 */
class SignedCookieSecurityContextRepositoryTests {

	@TempDir
	Path secrets;

	private CookieSigner signer;

	private final Set<String> revoked = new HashSet<>();

	private String password = "first";

	@BeforeEach
	void signer() throws IOException {
		Path key = this.secrets.resolve("session-key");
		Files.writeString(key, "a-key-0123456789abcdefghijklmnop");
		this.signer = new CookieSigner(new SessionKeys(key, Duration.ofHours(9), Clock.systemUTC()));
	}

	private SignedCookieSecurityContextRepository repository() {
		SignInRevocations revocations = new SignInRevocations(null, null, Clock.systemUTC()) {

			@Override
			boolean revoke(String id, Instant expiry) {
				return SignedCookieSecurityContextRepositoryTests.this.revoked.add(id);
			}

			@Override
			boolean isRevoked(String id) {
				return SignedCookieSecurityContextRepositoryTests.this.revoked.contains(id);
			}

		};
		String fingerprint = this.password;
		Function<String, String> fingerprints = (user) -> "admin".equals(user) ? fingerprint : null;
		WebstackProperties properties = new WebstackProperties("app-1", true, null, null, Duration.ofHours(8),
				Duration.ofHours(9));
		return new SignedCookieSecurityContextRepository(this.signer, revocations, fingerprints, properties,
				Clock.systemUTC());
	}

	private static MockHttpServletRequest https(Cookie... cookies) {
		MockHttpServletRequest request = new MockHttpServletRequest();
		request.setSecure(true);
		if (cookies.length > 0) {
			request.setCookies(cookies);
		}
		return request;
	}

	/** Signs admin in over HTTPS and returns the Set-Cookie header. */
	private String signIn() {
		SecurityContext context = new SecurityContextImpl(UsernamePasswordAuthenticationToken.authenticated("admin",
				null, AuthorityUtils.createAuthorityList("ROLE_ADMIN")));
		MockHttpServletResponse response = new MockHttpServletResponse();
		repository().saveContext(context, https(), response);
		return response.getHeader("Set-Cookie");
	}

	private static String value(String setCookie) {
		return setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
	}

	private boolean signedIn(MockHttpServletRequest request) {
		SecurityContext context = repository()
			.loadContext(new HttpRequestResponseHolder(request, new MockHttpServletResponse()));
		return context.getAuthentication() != null;
	}

	@Test
	void overHttpsTheCookieIsHostPrefixedAndOnlyThatNameCounts() {
		String header = signIn();
		assertThat(header).startsWith("__Host-WEBSTACK_AUTH=").contains("Path=/").contains("Secure").contains("HttpOnly");
		assertThat(signedIn(https(new Cookie("__Host-WEBSTACK_AUTH", value(header))))).isTrue();
		assertThat(signedIn(https(new Cookie("WEBSTACK_AUTH", value(header))))).isFalse();
	}

	@Test
	void aValueSignedForAnotherPurposeIsNoSignIn() {
		String payload = this.signer.unverifiedPayload(value(signIn()));
		for (Purpose purpose : new Purpose[] { Purpose.FLASH, Purpose.READ_YOUR_WRITES }) {
			String other = this.signer.sign(purpose, payload);
			assertThat(signedIn(https(new Cookie("__Host-WEBSTACK_AUTH", other)))).as(purpose.name()).isFalse();
		}
	}

	@Test
	void aNewPasswordEndsTheSignInsMadeWithTheOldOne() {
		Cookie cookie = new Cookie("__Host-WEBSTACK_AUTH", value(signIn()));
		this.password = "second";
		assertThat(signedIn(https(cookie))).isFalse();
		this.password = "first";
		assertThat(signedIn(https(cookie))).isTrue();
	}

	@Test
	void logoutEndsThisSignInOnly() {
		Cookie ended = new Cookie("__Host-WEBSTACK_AUTH", value(signIn()));
		Cookie other = new Cookie("__Host-WEBSTACK_AUTH", value(signIn()));
		repository().logout(https(ended), new MockHttpServletResponse(), null);
		assertThat(signedIn(https(ended))).isFalse();
		assertThat(signedIn(https(other))).isTrue();
	}

}
