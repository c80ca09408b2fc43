package dev.webstack.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;

import javax.crypto.Mac;

import dev.webstack.system.WebstackProperties;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Signs and verifies cookie values with HMAC-SHA256 under the keys that all app servers
 * share, so that state kept in the browser (sign-in, one-shot messages) is trusted by
 * whichever server the load balancer picks.
 * <p>
 * A value is {@code keyId.base64(payload).base64(mac)}, and the MAC covers the purpose,
 * the key id, the payload and an optional binding that the value does not carry (the
 * sign-in binds the password in force): a value signed for one purpose never verifies
 * for another, and a value whose binding changed never verifies again. The key id names
 * the key that signed; see {@link SessionKeys} for which keys are accepted.
 */
@Component
public class CookieSigner {

	/** What a signed value is for; a value verifies only for the purpose it was signed for. */
	public enum Purpose {

		/** The sign-in cookie. */
		SIGN_IN("sign-in"),

		/** Messages shown after a redirect. */
		FLASH("flash"),

		/** A reader's last write position. */
		READ_YOUR_WRITES("read-your-writes");

		private final String label;

		Purpose(String label) {
			this.label = label;
		}

	}

	private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

	private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

	private final SessionKeys keys;

	@Autowired
	CookieSigner(WebstackProperties properties) {
		this(new SessionKeys(properties.sessionKeyFile(), properties.sessionKeyGrace(), Clock.systemUTC()));
	}

	CookieSigner(SessionKeys keys) {
		this.keys = keys;
	}

	SessionKeys keys() {
		return this.keys;
	}

	/** Returns the signed value of a payload, for this purpose only. */
	public String sign(Purpose purpose, String payload) {
		return sign(purpose, payload, "");
	}

	/** Returns the signed value of a payload, for this purpose and binding only. */
	public String sign(Purpose purpose, String payload, String binding) {
		SessionKeys.Key key = this.keys.signing();
		String body = ENCODER.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
		return key.id() + "." + body + "." + ENCODER.encodeToString(mac(key, purpose, body, binding));
	}

	/** Returns the payload of a value signed for this purpose by an accepted key, or null. */
	public String verify(Purpose purpose, String value) {
		return verify(purpose, value, "");
	}

	/** Returns the payload of a value signed for this purpose and binding by an accepted key, or null. */
	public String verify(Purpose purpose, String value, String binding) {
		if (value == null) {
			return null;
		}
		String[] parts = value.split("\\.", -1);
		if (parts.length != 3) {
			return null;
		}
		SessionKeys.Key key = this.keys.accepted(parts[0]);
		if (key == null) {
			return null;
		}
		try {
			byte[] given = DECODER.decode(parts[2]);
			if (!MessageDigest.isEqual(given, mac(key, purpose, parts[1], binding))) {
				return null;
			}
			return new String(DECODER.decode(parts[1]), StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	/**
	 * The payload of a value, its signature unchecked: only to find what a value binds
	 * (whose password) before {@link #verify(Purpose, String, String)} checks it.
	 */
	String unverifiedPayload(String value) {
		String[] parts = (value != null) ? value.split("\\.", -1) : new String[0];
		try {
			return (parts.length == 3) ? new String(DECODER.decode(parts[1]), StandardCharsets.UTF_8) : null;
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	private static byte[] mac(SessionKeys.Key key, Purpose purpose, String body, String binding) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(key.secret());
			// Purpose and key id contain no dot and the body is base64: the fields cannot run together.
			String signed = purpose.label + "." + key.id() + "." + body + "." + binding;
			return mac.doFinal(signed.getBytes(StandardCharsets.UTF_8));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
