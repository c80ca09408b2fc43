package dev.webstack.system;

import java.time.Clock;

import dev.webstack.routing.ReadYourWrites;
import dev.webstack.routing.RouteRecorder;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

	private final WebstackProperties properties;

	private final RouteRecorder routes;

	private final ReadYourWrites readYourWrites;

	private final CookieSigner signer;

	WebConfiguration(WebstackProperties properties, RouteRecorder routes, ReadYourWrites readYourWrites,
			CookieSigner signer) {
		this.properties = properties;
		this.routes = routes;
		this.readYourWrites = readYourWrites;
		this.signer = signer;
	}

	@Override
	public void addInterceptors(InterceptorRegistry registry) {
		registry.addInterceptor(new ReadYourWritesInterceptor(this.readYourWrites, this.routes, this.signer,
				Clock.systemUTC()));
		registry.addInterceptor(new ReadRouteInterceptor(this.properties, this.routes));
	}

}
