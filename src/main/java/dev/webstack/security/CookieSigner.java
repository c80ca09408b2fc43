package dev.webstack.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.webstack.system.WebstackProperties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Signs and verifies cookie values with HMAC-SHA256 under the key that all app servers
 * share, so that state kept in the browser (sign-in, one-shot messages) is trusted by
 * whichever server the load balancer picks.
 */
@Component
public class CookieSigner {

	private static final Logger logger = LoggerFactory.getLogger(CookieSigner.class);

	private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

	private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

	private final SecretKeySpec key;

	CookieSigner(WebstackProperties properties) {
		this.key = new SecretKeySpec(loadKey(properties), "HmacSHA256");
	}

	private static byte[] loadKey(WebstackProperties properties) {
		if (properties.sessionKeyFile() != null && Files.exists(properties.sessionKeyFile())) {
			try {
				return Files.readString(properties.sessionKeyFile()).strip().getBytes(StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Cannot read the session key " + properties.sessionKeyFile(), ex);
			}
		}
		logger.warn("No session key file ({}): using a random key, so sign-ins and messages "
				+ "will not carry over to other app servers", properties.sessionKeyFile());
		byte[] random = new byte[32];
		new SecureRandom().nextBytes(random);
		return random;
	}

	/** Returns {@code base64(payload).base64(mac)}. */
	public String sign(String payload) {
		String body = ENCODER.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
		return body + "." + ENCODER.encodeToString(mac(body));
	}

	/** Returns the payload of a value made by {@link #sign}, or null if it was not signed by our key. */
	public String verify(String signed) {
		if (signed == null) {
			return null;
		}
		int dot = signed.indexOf('.');
		if (dot < 0) {
			return null;
		}
		String body = signed.substring(0, dot);
		try {
			byte[] given = DECODER.decode(signed.substring(dot + 1));
			if (!MessageDigest.isEqual(given, mac(body))) {
				return null;
			}
			return new String(DECODER.decode(body), StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	private byte[] mac(String body) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(this.key);
			return mac.doFinal(body.getBytes(StandardCharsets.US_ASCII));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
