package dev.webstack.system;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import dev.webstack.routing.Route;
import dev.webstack.routing.RouteRecorder;

import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.ModelAndView;

/**
 * Once the handler has run (and before the page is rendered), says in {@code X-Read-From}
 * which database served this request's reads.
 */
class ReadRouteInterceptor implements HandlerInterceptor {

	static final String READ_FROM = "X-Read-From";

	private final WebstackProperties properties;

	private final RouteRecorder routes;

	ReadRouteInterceptor(WebstackProperties properties, RouteRecorder routes) {
		this.properties = properties;
		this.routes = routes;
	}

	@Override
	public void postHandle(HttpServletRequest request, HttpServletResponse response, Object handler,
			ModelAndView modelAndView) {
		Route route = this.routes.current();
		if (this.properties.exposeIdentity() && route != null) {
			response.setHeader(READ_FROM, route.target().label());
		}
	}

}
