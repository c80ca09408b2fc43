package dev.webstack.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import dev.webstack.system.MonitoringProperties;

import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The management port: its endpoints stay open to the load balancer's probes and to
 * Prometheus, but the health details (which databases, which replica lag, which disk)
 * are shown only to the monitoring account, over HTTP Basic
 * ({@code management.endpoint.health.show-details=when-authorized}, role
 * {@value #ROLE}). That account signs in here and nowhere else, and the admin's
 * credentials do not open the details.
 */
@Configuration(proxyBeanMethods = false)
class ManagementSecurityConfiguration {

	static final String ROLE = "MONITORING";

	@Bean
	@Order(0)
	SecurityFilterChain managementFilterChain(HttpSecurity http, MonitoringProperties monitoring) throws Exception {
		http.securityMatcher(EndpointRequest.toAnyEndpoint())
			.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
			.httpBasic(Customizer.withDefaults())
			.authenticationManager(new ProviderManager(monitoringAccount(monitoring)))
			// Read-only endpoints, no cookies, no forms: nothing to forge or remember.
			.csrf((csrf) -> csrf.disable())
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.requestCache((cache) -> cache.disable());
		return http.build();
	}

	private static DaoAuthenticationProvider monitoringAccount(MonitoringProperties monitoring) {
		InMemoryUserDetailsManager users = new InMemoryUserDetailsManager();
		// There is no default password: without its file, the server does not start.
		users.createUser(User.withUsername(monitoring.username())
			.password(monitoring.readPassword())
			.roles(ROLE)
			.build());
		DaoAuthenticationProvider provider = new DaoAuthenticationProvider(users);
		provider.setPasswordEncoder(new ConstantTimeEquality());
		return provider;
	}

	/**
	 * Compares the password as given with the one held, in constant time. The password is
	 * a generated secret of 32 random characters, held in memory anyway: a slow hash such
	 * as bcrypt would cost tens of milliseconds on every probe (each app server probes
	 * every peer every 2s) and protect nothing that guessing could reach.
	 */
	private static final class ConstantTimeEquality implements PasswordEncoder {

		@Override
		public String encode(CharSequence raw) {
			return raw.toString();
		}

		@Override
		public boolean matches(CharSequence raw, String held) {
			return raw != null && held != null && MessageDigest.isEqual(raw.toString().getBytes(StandardCharsets.UTF_8),
					held.getBytes(StandardCharsets.UTF_8));
		}

	}

}
