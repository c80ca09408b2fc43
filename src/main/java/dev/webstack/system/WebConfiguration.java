package dev.webstack.system;

import java.time.Clock;

import dev.webstack.routing.RouteRecorder;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

	private final WebstackProperties properties;

	private final RouteRecorder routes;

	WebConfiguration(WebstackProperties properties, RouteRecorder routes) {
		this.properties = properties;
		this.routes = routes;
	}

	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

	@Override
	public void addInterceptors(InterceptorRegistry registry) {
		registry.addInterceptor(new ReadRouteInterceptor(this.properties, this.routes));
	}

}
