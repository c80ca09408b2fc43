package dev.webstack.system;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.webstack.routing.ReadYourWrites;
import dev.webstack.routing.RouteRecorder;
import dev.webstack.security.CookieSigner;
import dev.webstack.security.CookieSigner.Purpose;
import dev.webstack.security.HostCookies;

import org.springframework.http.ResponseCookie;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.ModelAndView;

/**
 * Carries a person's last write position between requests in a signed cookie
 * ({@code WEBSTACK_RYW}: GTID position and expiry), so that whichever app server serves
 * the next page can make its reads see that write.
 */
class ReadYourWritesInterceptor implements HandlerInterceptor {

	static final String COOKIE = "WEBSTACK_RYW";

	/** Past this, a replica that has still not applied the write is lagging, which routing handles anyway. */
	static final Duration LIFETIME = Duration.ofMinutes(1);

	private static final Logger logger = LoggerFactory.getLogger(ReadYourWritesInterceptor.class);

	private final ReadYourWrites readYourWrites;

	private final RouteRecorder routes;

	private final CookieSigner signer;

	private final Clock clock;

	ReadYourWritesInterceptor(ReadYourWrites readYourWrites, RouteRecorder routes, CookieSigner signer, Clock clock) {
		this.readYourWrites = readYourWrites;
		this.routes = routes;
		this.signer = signer;
		this.clock = clock;
	}

	@Override
	public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
		this.readYourWrites.clear();
		Cookie cookie = HostCookies.find(request, COOKIE);
		String payload = (cookie != null) ? this.signer.verify(Purpose.READ_YOUR_WRITES, cookie.getValue()) : null;
		if (payload != null) {
			int bar = payload.lastIndexOf('|');
			if (bar > 0 && payload.substring(bar + 1).chars().allMatch(Character::isDigit)
					&& Long.parseLong(payload.substring(bar + 1)) >= this.clock.instant().getEpochSecond()) {
				this.readYourWrites.require(payload.substring(0, bar));
			}
		}
		return true;
	}

	@Override
	public void postHandle(HttpServletRequest request, HttpServletResponse response, Object handler,
			ModelAndView modelAndView) {
		if (!this.routes.wrote() || response.isCommitted()) {
			return;
		}
		try {
			String position = this.readYourWrites.primaryPosition();
			if (position == null || position.isEmpty()) {
				return;
			}
			long expiry = this.clock.instant().plus(LIFETIME).getEpochSecond();
			String value = this.signer.sign(Purpose.READ_YOUR_WRITES, position + "|" + expiry);
			response.addHeader("Set-Cookie", ResponseCookie.from(HostCookies.name(request, COOKIE), value)
				.path("/")
				.httpOnly(true)
				.secure(request.isSecure())
				.sameSite("Lax")
				.maxAge(LIFETIME)
				.build()
				.toString());
		}
		catch (SQLException ex) {
			// The write is committed; the next page may just not show it at once.
			logger.warn("Could not read the primary's GTID position after a write: {}", ex.getMessage());
		}
	}

	@Override
	public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
			Exception ex) {
		this.readYourWrites.clear();
	}

}
