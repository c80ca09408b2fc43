package dev.webstack.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;

import dev.webstack.system.WebstackProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.HeadersConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
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

	private static final Logger logger = LoggerFactory.getLogger(SecurityConfiguration.class);

	/**
	 * Sign-in cookies bound to the admin password read at start: after the password file
	 * changes and an app server restarts, that server honours no sign-in made before.
	 */
	@Bean
	SignedCookieSecurityContextRepository signedCookieSecurityContextRepository(CookieSigner signer,
			SignInRevocations revocations, WebstackProperties properties) {
		String fingerprint = (properties.adminPasswordFile() != null && Files.exists(properties.adminPasswordFile()))
				? fingerprint(readPassword(properties)) : null;
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
	 * The admin API, for scripts and for the dashboard's own charts: a signed-in browser's
	 * cookie, or HTTP Basic with the admin credentials; never a redirect to the login page.
	 */
	@Bean
	@Order(1)
	SecurityFilterChain adminApiFilterChain(HttpSecurity http, SignedCookieSecurityContextRepository contexts,
			LoginThrottle throttle) throws Exception {
		http.securityMatcher("/admin/api/**")
			.addFilterBefore(new LoginThrottleFilter(throttle), BasicAuthenticationFilter.class)
			.authorizeHttpRequests((requests) -> requests.anyRequest().hasRole("ADMIN"))
			.httpBasic(Customizer.withDefaults())
			.csrf((csrf) -> csrf.csrfTokenRepository(csrfTokens()))
			.headers(SecurityConfiguration::headers)
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.securityContext((context) -> context.securityContextRepository(contexts))
			.requestCache((cache) -> cache.disable());
		return http.build();
	}

	@Bean
	@Order(2)
	SecurityFilterChain securityFilterChain(HttpSecurity http, SignedCookieSecurityContextRepository contexts,
			LoginThrottle throttle) throws Exception {
		http.addFilterBefore(new LoginThrottleFilter(throttle), UsernamePasswordAuthenticationFilter.class)
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
			.formLogin((login) -> login.loginPage("/login").defaultSuccessUrl("/admin").permitAll())
			.logout((logout) -> logout.logoutUrl("/logout")
				.addLogoutHandler(contexts)
				.logoutSuccessUrl("/?signedOut")
				.permitAll());
		return http.build();
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
		if (properties.adminPasswordFile() != null && Files.exists(properties.adminPasswordFile())) {
			users.createUser(User.withUsername("admin")
				.password(encoder.encode(readPassword(properties)))
				.roles("ADMIN")
				.build());
		}
		else {
			// There is no default password: without the file, nobody can sign in.
			logger.warn("No admin password file ({}): admin sign-in is disabled", properties.adminPasswordFile());
		}
		return users;
	}

	private static String readPassword(WebstackProperties properties) {
		try {
			return Files.readString(properties.adminPasswordFile()).strip();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the admin password file", ex);
		}
	}

}
