package dev.webstack.system;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import dev.webstack.security.CookieSigner;
import dev.webstack.security.CookieSigner.Purpose;
import dev.webstack.security.HostCookies;

import org.springframework.http.ResponseCookie;
import org.springframework.web.servlet.FlashMap;
import org.springframework.web.servlet.support.AbstractFlashMapManager;

/**
 * Keeps flash attributes (the message shown after a redirect) in a signed cookie rather
 * than in the HTTP session, so the page after the redirect may be served by another app
 * server. Only String attributes are carried; that is all this application flashes.
 */
class CookieFlashMapManager extends AbstractFlashMapManager {

	static final String COOKIE = "WEBSTACK_FLASH";

	static final int MAX_MAPS = 3;

	private final CookieSigner signer;

	CookieFlashMapManager(CookieSigner signer) {
		this.signer = signer;
	}

	@Override
	protected List<FlashMap> retrieveFlashMaps(HttpServletRequest request) {
		Cookie cookie = HostCookies.find(request, COOKIE);
		String payload = (cookie != null) ? this.signer.verify(Purpose.FLASH, cookie.getValue()) : null;
		if (payload == null || payload.isEmpty()) {
			return null;
		}
		List<FlashMap> maps = new ArrayList<>();
		for (String line : payload.split("\n")) {
			FlashMap map = decode(line);
			if (map != null) {
				maps.add(map);
			}
		}
		return maps;
	}

	@Override
	protected void updateFlashMaps(List<FlashMap> flashMaps, HttpServletRequest request,
			HttpServletResponse response) {
		if (response.isCommitted()) {
			return;
		}
		List<String> lines = new ArrayList<>();
		// Only the newest few: a client that never follows its redirects must not grow the cookie.
		for (FlashMap map : flashMaps.subList(Math.max(0, flashMaps.size() - MAX_MAPS), flashMaps.size())) {
			lines.add(encode(map));
		}
		String value = lines.isEmpty() ? "" : this.signer.sign(Purpose.FLASH, String.join("\n", lines));
		ResponseCookie cookie = ResponseCookie.from(HostCookies.name(request, COOKIE), value)
			.path("/")
			.httpOnly(true)
			.secure(request.isSecure())
			.sameSite("Lax")
			.maxAge(lines.isEmpty() ? 0 : getFlashMapTimeout())
			.build();
		response.addHeader("Set-Cookie", cookie.toString());
	}

	// One flash map per line: expiry, target path, then key=value pairs, all URL-encoded.
	private static String encode(FlashMap map) {
		StringBuilder line = new StringBuilder();
		line.append(map.getExpirationTime()).append('&').append(urlEncode(nullToEmpty(map.getTargetRequestPath())));
		for (Map.Entry<String, Object> entry : map.entrySet()) {
			if (entry.getValue() instanceof String value) {
				line.append('&').append(urlEncode(entry.getKey())).append('=').append(urlEncode(value));
			}
		}
		return line.toString();
	}

	private static FlashMap decode(String line) {
		String[] fields = line.split("&", -1);
		if (fields.length < 2) {
			return null;
		}
		FlashMap map = new FlashMap();
		try {
			map.setExpirationTime(Long.parseLong(fields[0]));
		}
		catch (NumberFormatException ex) {
			return null;
		}
		String path = urlDecode(fields[1]);
		map.setTargetRequestPath(path.isEmpty() ? null : path);
		for (int i = 2; i < fields.length; i++) {
			int eq = fields[i].indexOf('=');
			if (eq > 0) {
				map.put(urlDecode(fields[i].substring(0, eq)), urlDecode(fields[i].substring(eq + 1)));
			}
		}
		return map;
	}

	private static String nullToEmpty(String value) {
		return (value != null) ? value : "";
	}

	private static String urlEncode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private static String urlDecode(String value) {
		return URLDecoder.decode(value, StandardCharsets.UTF_8);
	}

}
