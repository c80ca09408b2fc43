package dev.webstack.security;

import dev.webstack.system.MonitoringProperties;

import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
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
			// There is no default password: without its file, the server does not start.
			.authenticationManager(new ProviderManager(
					ConstantTimeEquality.account(monitoring.username(), monitoring.readPassword(), ROLE)))
			// Read-only endpoints, no cookies, no forms: nothing to forge or remember.
			.csrf((csrf) -> csrf.disable())
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.requestCache((cache) -> cache.disable());
		return http.build();
	}

}
