package dev.webstack.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;

import dev.webstack.MutableClock;
import dev.webstack.security.CookieSigner.Purpose;
import dev.webstack.system.Secrets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The cookie signer: purposes, bindings, key ids, and the keys of a rotation as
 * {@code ./stack rotate-keys} writes them.
 */
class CookieSignerTests {

	private static final Duration GRACE = Duration.ofHours(9);

	@TempDir
	Path secrets;

	private Path key;

	private MutableClock clock;

	@BeforeEach
	void keys() throws IOException {
		this.key = this.secrets.resolve("session-key");
		Files.writeString(this.key, "first-key-0123456789abcdefghijkl");
		this.clock = new MutableClock(Instant.now());
	}

	private CookieSigner signer() {
		return new CookieSigner(new SessionKeys(this.key, GRACE, this.clock));
	}

	@Test
	void aValueVerifiesForItsPurposeOnly() {
		CookieSigner signer = signer();
		String value = signer.sign(Purpose.FLASH, "admin|99999999999|ROLE_ADMIN|x");
		assertThat(signer.verify(Purpose.FLASH, value)).isEqualTo("admin|99999999999|ROLE_ADMIN|x");
		assertThat(signer.verify(Purpose.SIGN_IN, value)).isNull();
		assertThat(signer.verify(Purpose.READ_YOUR_WRITES, value)).isNull();
	}

	@Test
	void aValueVerifiesForItsBindingOnly() {
		CookieSigner signer = signer();
		String value = signer.sign(Purpose.SIGN_IN, "admin", "old-password");
		assertThat(signer.verify(Purpose.SIGN_IN, value, "old-password")).isEqualTo("admin");
		assertThat(signer.verify(Purpose.SIGN_IN, value, "new-password")).isNull();
		assertThat(signer.verify(Purpose.SIGN_IN, value)).isNull();
	}

	@Test
	void tamperedOrMalformedValuesAreRefused() {
		CookieSigner signer = signer();
		String value = signer.sign(Purpose.FLASH, "hello");
		String[] parts = value.split("\\.");
		String otherBody = signer.sign(Purpose.FLASH, "hellp").split("\\.")[1];
		assertThat(signer.verify(Purpose.FLASH, parts[0] + "." + otherBody + "." + parts[2])).isNull();
		assertThat(signer.verify(Purpose.FLASH, value + "x")).isNull();
		assertThat(signer.verify(Purpose.FLASH, parts[1] + "." + parts[2])).as("the old format, without key id").isNull();
		assertThat(signer.verify(Purpose.FLASH, "")).isNull();
		assertThat(signer.verify(Purpose.FLASH, null)).isNull();
		assertThat(signer.verify(Purpose.FLASH, "a.b.c")).isNull();
		assertThat(signer.verify(Purpose.FLASH, parts[0] + ".!!.!!")).isNull();
	}

	@Test
	void valuesCarryTheIdOfTheKeyThatSigned() {
		CookieSigner signer = signer();
		assertThat(signer.sign(Purpose.FLASH, "hello")).startsWith(signer.keys().signing().id() + ".");
		assertThat(signer.keys().signing().id()).hasSize(8).doesNotContain(".");
	}

	@Test
	void aValueSignedByAnUnknownKeyIsRefused() throws IOException {
		String value = signer().sign(Purpose.FLASH, "hello");
		Files.writeString(this.key, "another-key-0123456789abcdefghij");
		CookieSigner other = signer();
		assertThat(other.verify(Purpose.FLASH, value)).isNull();
		// The same MAC under another key's id is refused too.
		String renamed = other.keys().signing().id() + value.substring(value.indexOf('.'));
		assertThat(other.verify(Purpose.FLASH, renamed)).isNull();
	}

	@Test
	void aRotationAcceptsTheNextKeyFirstThenSignsWithItAndAcceptsThePreviousForTheGrace() throws IOException {
		CookieSigner app1 = signer();
		CookieSigner app2 = signer();
		String old = app1.sign(Purpose.SIGN_IN, "before");

		// Phase 1: the next key is accepted, not used.
		Path next = this.secrets.resolve("session-key.next");
		Files.writeString(next, "second-key-0123456789abcdefghijk");
		this.clock.advance(SessionKeys.RELOAD_INTERVAL);
		assertThat(app1.keys().acceptedIds()).hasSize(2);
		assertThat(app2.sign(Purpose.SIGN_IN, "x")).startsWith(app1.keys().signing().id());

		// Phase 2: app-1 reloads first and signs with the new key; app-2 has not looked yet.
		Files.copy(this.key, this.secrets.resolve("session-key.previous"));
		Files.move(next, this.key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
		this.clock.advance(SessionKeys.RELOAD_INTERVAL);
		String fresh = app1.sign(Purpose.SIGN_IN, "after");
		assertThat(app1.verify(Purpose.SIGN_IN, old)).isEqualTo("before");
		assertThat(app2.verify(Purpose.SIGN_IN, fresh)).as("the other server already accepted the new key")
			.isEqualTo("after");
		assertThat(app2.verify(Purpose.SIGN_IN, old)).isEqualTo("before");

		// Past the grace the previous key is refused, and the current one still works.
		this.clock.advance(GRACE);
		assertThat(app1.verify(Purpose.SIGN_IN, old)).isNull();
		assertThat(app2.verify(Purpose.SIGN_IN, old)).isNull();
		assertThat(app2.verify(Purpose.SIGN_IN, fresh)).isEqualTo("after");
	}

	@Test
	void theGraceRunsFromWhenThePreviousKeyWasWritten() throws IOException {
		CookieSigner signer = signer();
		String old = signer.sign(Purpose.FLASH, "old");
		Path previous = this.secrets.resolve("session-key.previous");
		Files.copy(this.key, previous);
		Files.writeString(this.key, "second-key-0123456789abcdefghijk");
		Files.setLastModifiedTime(previous, FileTime.from(this.clock.instant().minus(GRACE).minusSeconds(1)));
		this.clock.advance(SessionKeys.RELOAD_INTERVAL);
		assertThat(signer.verify(Purpose.FLASH, old)).isNull();
	}

	@Test
	void keysInUseStayWhileTheSigningKeyIsMissingMidRotation() throws IOException {
		CookieSigner signer = signer();
		String value = signer.sign(Purpose.FLASH, "hello");
		Files.move(this.key, this.secrets.resolve("session-key.previous"));
		this.clock.advance(SessionKeys.RELOAD_INTERVAL);
		assertThat(signer.verify(Purpose.FLASH, value)).isEqualTo("hello");
		assertThat(signer.sign(Purpose.FLASH, "x")).startsWith(signer.keys().signing().id());
	}

	@Test
	void withoutAKeyFileTheServerDoesNotStart() {
		Path missing = this.secrets.resolve("missing");
		assertThatThrownBy(() -> new SessionKeys(missing, GRACE, this.clock))
			.isInstanceOf(Secrets.MissingSecretException.class)
			.hasMessageContaining("the session key")
			.hasMessageContaining(missing.toString());
	}

}
