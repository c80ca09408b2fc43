package dev.webstack.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.crypto.spec.SecretKeySpec;

import dev.webstack.system.Secrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys that sign cookies, read from three files that {@code ./stack rotate-keys}
 * writes, and read again within a second of any change, without a restart:
 * <ul>
 * <li>{@code session-key}: signs, and is accepted;</li>
 * <li>{@code session-key.next}: accepted, not yet signing. A rotation puts the new key
 * here first and waits until every app server accepts it, so no server signs with a key
 * that another does not know yet;</li>
 * <li>{@code session-key.previous}: the key that signed before the last rotation, still
 * accepted for the grace (from the file's modification time) so that nobody signed in
 * with it is signed out early.</li>
 * </ul>
 * A key's id is the start of its SHA-256, so the files need nothing but the key.
 */
class SessionKeys {

	private static final Logger logger = LoggerFactory.getLogger(SessionKeys.class);

	/** How often the files are looked at. */
	static final Duration RELOAD_INTERVAL = Duration.ofSeconds(1);

	/** One key; {@code retiresAt} is null for a key that does not retire on its own. */
	record Key(String id, SecretKeySpec secret, Instant retiresAt) {

		boolean acceptedAt(Instant now) {
			return this.retiresAt == null || now.isBefore(this.retiresAt);
		}

	}

	private record Ring(Key signing, List<Key> accepted, String stamp) {
	}

	private final Path current;

	private final Path next;

	private final Path previous;

	private final Duration grace;

	private final Clock clock;

	private volatile Ring ring;

	private volatile long checkedAt;

	SessionKeys(Path current, Duration grace, Clock clock) {
		this.current = current;
		this.next = (current != null) ? current.resolveSibling(current.getFileName() + ".next") : null;
		this.previous = (current != null) ? current.resolveSibling(current.getFileName() + ".previous") : null;
		this.grace = grace;
		this.clock = clock;
		this.checkedAt = clock.millis();
		// At start the signing key must be there, like every secret (Secrets stops the server
		// and names the file); later, a key missing for a moment keeps the keys in use.
		Secrets.read("the session key", current);
		Ring loaded = load(stamp());
		if (loaded == null) {
			throw new IllegalStateException("Cannot read the session keys beside " + current);
		}
		this.ring = loaded;
	}

	/** The key that signs now. */
	Key signing() {
		return ring().signing();
	}

	/** The accepted key of this id, or null if there is none (unknown, or past its grace). */
	Key accepted(String id) {
		Instant now = this.clock.instant();
		for (Key key : ring().accepted()) {
			if (key.id().equals(id) && key.acceptedAt(now)) {
				return key;
			}
		}
		return null;
	}

	/** The ids of the keys accepted now, the signing key's first. */
	List<String> acceptedIds() {
		Instant now = this.clock.instant();
		return ring().accepted().stream().filter((key) -> key.acceptedAt(now)).map(Key::id).toList();
	}

	private Ring ring() {
		long now = this.clock.millis();
		if (now - this.checkedAt >= RELOAD_INTERVAL.toMillis()) {
			synchronized (this) {
				if (now - this.checkedAt >= RELOAD_INTERVAL.toMillis()) {
					this.checkedAt = now;
					String stamp = stamp();
					if (!stamp.equals(this.ring.stamp())) {
						Ring loaded = load(stamp);
						if (loaded != null) {
							this.ring = loaded;
							logger.info("Cookie keys reloaded: signing with {}, accepting {}", loaded.signing().id(),
									acceptedIds());
						}
					}
				}
			}
		}
		return this.ring;
	}

	/** What changes when any of the files changes: each one's inode, size and modification time. */
	private String stamp() {
		StringBuilder stamp = new StringBuilder();
		for (Path file : List.of(this.current, this.next, this.previous)) {
			try {
				BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
				stamp.append(attributes.fileKey())
					.append(':')
					.append(attributes.size())
					.append('@')
					.append(attributes.lastModifiedTime().toMillis());
			}
			catch (IOException ex) {
				stamp.append('-');
			}
			stamp.append(' ');
		}
		return stamp.toString();
	}

	/**
	 * Reads the files, or returns null (and the keys in use stay) when the signing key
	 * cannot be read: between the two renames of a rotation, for instance.
	 */
	private Ring load(String stamp) {
		try {
			// The next key first, the signing key last: a rotation renames .next to the
			// signing key, so whichever moment this falls in, the new key is read once.
			List<Key> others = new ArrayList<>();
			if (Files.exists(this.next)) {
				others.add(key(read(this.next), null));
			}
			if (Files.exists(this.previous)) {
				Instant rotated = Files.getLastModifiedTime(this.previous).toInstant();
				others.add(key(read(this.previous), rotated.plus(this.grace)));
			}
			Key signing = key(read(this.current), null);
			List<Key> accepted = new ArrayList<>(List.of(signing));
			accepted.addAll(others);
			return new Ring(signing, List.copyOf(accepted), stamp);
		}
		catch (IOException | IllegalStateException ex) {
			logger.warn("Cannot read the session keys ({}); keeping those in use", ex.getMessage());
			return null;
		}
	}

	private static byte[] read(Path file) {
		return Secrets.read("a session key", file).getBytes(StandardCharsets.UTF_8);
	}

	static Key key(byte[] secret, Instant retiresAt) {
		return new Key(id(secret), new SecretKeySpec(secret, "HmacSHA256"), retiresAt);
	}

	/** The first 6 bytes of the key's SHA-256, base64url: 8 characters, no dot. */
	static String id(byte[] secret) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret);
			return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 8);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
