package dev.webstack.system;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import dev.webstack.routing.ReadYourWrites;
import dev.webstack.routing.RouteRecorder;
import dev.webstack.security.CookieSigner;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.CacheControl;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistration;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.FlashMapManager;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.resource.VersionResourceResolver;
import org.springframework.web.servlet.support.AbstractFlashMapManager;

/**
 * Interceptors of the read routing, and the static files.
 * <p>
 * Static files are served from their own folders ({@code /css/**}, {@code /js/**},
 * {@code /webjars/**}), not from Boot's catch-all {@code /**}
 * ({@code spring.web.resources.add-mappings=false}): every link a page renders passes
 * through the resource URL encoder, and with a catch-all each one ({@code /posts/42})
 * was searched for on the whole class path, on every request.
 */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

	/** The folders of {@code src/main/resources/static}: a new folder must be named here. */
	private static final List<String> STATIC_FOLDERS = List.of("css", "js");

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
	public void addResourceHandlers(ResourceHandlerRegistry registry) {
		for (String folder : STATIC_FOLDERS) {
			contentHashed(registry.addResourceHandler("/" + folder + "/**")
				.addResourceLocations("classpath:/static/" + folder + "/"));
		}
		// Version-less WebJar paths (/webjars/htmx.org/dist/htmx.min.js) resolve to the
		// library's version by webjars-locator-lite, which the resource chain adds itself.
		contentHashed(
				registry.addResourceHandler("/webjars/**").addResourceLocations("classpath:/META-INF/resources/webjars/"));
	}

	/** Content-hashed names (site-<md5>.css): each version has its own URL, cached a year. */
	private static void contentHashed(ResourceHandlerRegistration registration) {
		registration.setCacheControl(CacheControl.maxAge(Duration.ofDays(365)))
			.resourceChain(true)
			.addResolver(new VersionResourceResolver().addContentVersionStrategy("/**"));
	}

	@Override
	public void addInterceptors(InterceptorRegistry registry) {
		registry.addInterceptor(new ReadYourWritesInterceptor(this.readYourWrites, this.routes, this.signer,
				Clock.systemUTC()));
		registry.addInterceptor(new ReadRouteInterceptor(this.properties, this.routes));
	}

	/** One-shot messages after a redirect, in a signed cookie rather than a session. */
	@Bean(name = "flashMapManager")
	FlashMapManager flashMapManager() {
		AbstractFlashMapManager manager = new CookieFlashMapManager(this.signer);
		manager.setFlashMapTimeout(60);
		return manager;
	}

}
