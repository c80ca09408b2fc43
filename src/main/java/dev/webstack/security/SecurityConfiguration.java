package dev.webstack.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import dev.webstack.system.Secrets;
import dev.webstack.system.WebstackProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.HeadersConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.www.BasicAuthenticationEntryPoint;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.security.web.savedrequest.CookieRequestCache;

/**
 * Web security with no state in any one server's memory: the CSRF token, the sign-in and
 * the page to return to after signing in all live in cookies, so two app servers behind a
 * round-robin load balancer behave as one.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	/**
	 * Sign-in cookies bound to the admin password read at start: after the password file
	 * changes and an app server restarts, that server honours no sign-in made before.
	 */
	@Bean
	SignedCookieSecurityContextRepository signedCookieSecurityContextRepository(CookieSigner signer,
			SignInRevocations revocations, WebstackProperties properties) {
		String fingerprint = fingerprint(adminPassword(properties));
		return new SignedCookieSecurityContextRepository(signer, revocations,
				(username) -> "admin".equals(username) ? fingerprint : null, properties, Clock.systemUTC());
	}

	/** A digest of the password, never sent anywhere: the signature of a sign-in covers it. */
	private static String fingerprint(String password) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The one place where passwords are checked, for the login form and HTTP Basic alike,
	 * with the sign-in throttle around it.
	 */
	@Bean
	AuthenticationManager authenticationManager(UserDetailsService users, LoginThrottle throttle) {
		return new ProviderManager(new ThrottledAuthenticationProvider(new DaoAuthenticationProvider(users), throttle));
	}

	/**
	 * The admin API, for scripts and for the dashboard's own charts: a signed-in browser's
	 * cookie, or HTTP Basic with the admin credentials; never a redirect to the login page.
	 */
	@Bean
	@Order(2)
	SecurityFilterChain adminApiFilterChain(HttpSecurity http, SignedCookieSecurityContextRepository contexts,
			AuthenticationManager authentication) throws Exception {
		http.securityMatcher("/admin/api/**")
			.authenticationManager(authentication)
			.authorizeHttpRequests((requests) -> requests.anyRequest().hasRole("ADMIN"))
			.httpBasic((basic) -> basic.authenticationEntryPoint(basicEntryPoint()))
			.csrf((csrf) -> csrf.csrfTokenRepository(csrfTokens()))
			.headers(SecurityConfiguration::headers)
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.securityContext((context) -> context.securityContextRepository(contexts))
			.requestCache((cache) -> cache.disable());
		return http.build();
	}

	@Bean
	@Order(3)
	SecurityFilterChain securityFilterChain(HttpSecurity http, SignedCookieSecurityContextRepository contexts,
			AuthenticationManager authentication) throws Exception {
		http.authenticationManager(authentication)
			.authorizeHttpRequests((requests) -> requests.requestMatchers("/admin/**")
			.hasRole("ADMIN")
			.anyRequest()
			.permitAll())
			// Double-submit cookie: the token is checked against a cookie, not a session.
			.csrf((csrf) -> csrf.csrfTokenRepository(csrfTokens()))
			.headers(SecurityConfiguration::headers)
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.securityContext((context) -> context.securityContextRepository(contexts))
			.requestCache((cache) -> cache.requestCache(new CookieRequestCache()))
			.formLogin((login) -> login.loginPage("/login")
				.defaultSuccessUrl("/admin")
				.failureHandler(SecurityConfiguration::loginFailed)
				.permitAll())
			.logout((logout) -> logout.logoutUrl("/logout")
				.addLogoutHandler(contexts)
				.logoutSuccessUrl("/?signedOut")
				.permitAll());
		return http.build();
	}

	/**
	 * HTTP Basic's answer to a failed sign-in: 401 with a challenge, or 429 with
	 * Retry-After when the throttle refused to check the password at all.
	 */
	private static AuthenticationEntryPoint basicEntryPoint() {
		BasicAuthenticationEntryPoint challenge = new BasicAuthenticationEntryPoint();
		challenge.setRealmName("Realm");
		return (request, response, ex) -> {
			if (ex instanceof SignInThrottledException throttled) {
				response.setHeader("Retry-After", String.valueOf(throttled.retryAfterSeconds()));
				response.sendError(429, "Too many sign-in attempts");
			}
			else {
				challenge.commence(request, response, ex);
			}
		};
	}

	/** The login form's answer to a failed sign-in: back to the form, saying why (no session is made). */
	private static void loginFailed(HttpServletRequest request, HttpServletResponse response,
			AuthenticationException ex) throws IOException {
		String reason = "error";
		if (ex instanceof SignInThrottledException throttled) {
			response.setHeader("Retry-After", String.valueOf(throttled.retryAfterSeconds()));
			reason = "locked";
		}
		response.sendRedirect(request.getContextPath() + "/login?" + reason);
	}

	/** The CSRF cookie: HttpOnly (forms carry the token), Secure over HTTPS, SameSite. */
	private static CookieCsrfTokenRepository csrfTokens() {
		CookieCsrfTokenRepository tokens = new CookieCsrfTokenRepository();
		tokens.setCookieCustomizer((cookie) -> cookie.sameSite("Lax"));
		return tokens;
	}

	/**
	 * Response headers: a Content-Security-Policy that allows only this site's own scripts
	 * and styles (no inline script anywhere), no framing, no MIME sniffing, a strict
	 * referrer policy, and no powerful browser features.
	 */
	private static void headers(HeadersConfigurer<HttpSecurity> headers) {
		headers.contentSecurityPolicy((csp) -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
			.frameOptions((frames) -> frames.deny())
			.referrerPolicy((referrer) -> referrer.policy(ReferrerPolicy.SAME_ORIGIN))
			.permissionsPolicyHeader((permissions) -> permissions.policy(PERMISSIONS_POLICY));
	}

	static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
			+ "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
			+ "frame-ancestors 'none'";

	static final String PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";

	@Bean
	UserDetailsService users(WebstackProperties properties) {
		PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
		InMemoryUserDetailsManager users = new InMemoryUserDetailsManager();
		users.createUser(User.withUsername("admin")
			.password(encoder.encode(adminPassword(properties)))
			.roles("ADMIN")
			.build());
		return users;
	}

	/** There is no default password: without its file, the server does not start. */
	private static String adminPassword(WebstackProperties properties) {
		return Secrets.read("the admin account", properties.adminPasswordFile());
	}

}
