package dev.webstack.security;

import dev.webstack.alerts.AlertsProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The machines' door on the main port, {@code /internal/**}: Alertmanager's webhook, for
 * Alertmanager's account alone (HTTP Basic, its own password, no cookie, no form, so no
 * CSRF token either). The admin's credentials do not open it, nor does that account open
 * anything else. HAProxy refuses every path with an {@code internal} segment anyway.
 */
@Configuration(proxyBeanMethods = false)
class AlertWebhookSecurityConfiguration {

	static final String ROLE = "ALERTMANAGER";

	@Bean
	@Order(1)
	SecurityFilterChain alertWebhookFilterChain(HttpSecurity http, AlertsProperties alerts) throws Exception {
		http.securityMatcher("/internal/**")
			.authorizeHttpRequests((requests) -> requests.anyRequest().hasRole(ROLE))
			.httpBasic((basic) -> basic.realmName("webstack-internal"))
			// There is no default password: without its file, the server does not start.
			.authenticationManager(new ProviderManager(
					ConstantTimeEquality.account(alerts.webhookUsername(), alerts.readPassword(), ROLE)))
			.csrf((csrf) -> csrf.disable())
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.requestCache((cache) -> cache.disable());
		return http.build();
	}

}
