package dev.webstack.system;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import dev.webstack.routing.RouteRecorder;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Names this app server on every response ({@code X-App-Server}), errors and refusals
 * included, and gives every request a fresh record of where its reads went.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class IdentityFilter extends OncePerRequestFilter {

	static final String APP_SERVER = "X-App-Server";

	/** The client's address as this app server sees it: what every log and the throttle use. */
	static final String CLIENT_ADDRESS = "X-Client-Address";

	private final WebstackProperties properties;

	private final RouteRecorder routes;

	IdentityFilter(WebstackProperties properties, RouteRecorder routes) {
		this.properties = properties;
		this.routes = routes;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (this.properties.exposeIdentity()) {
			response.setHeader(APP_SERVER, this.properties.instanceName());
			response.setHeader(CLIENT_ADDRESS, request.getRemoteAddr());
		}
		// Cleared when a request starts, not when it ends: an error page is rendered after this
		// filter returns, and its footer must still say where the failed request's reads went.
		this.routes.clear();
		chain.doFilter(request, response);
	}

}
