package dev.webstack.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one way this application reads a secret: a file of its own (./stack writes them in
 * {@code .stack/secrets/}, Docker mounts them in {@code /run/secrets/}), read when the
 * server starts and kept by the one object that uses it. A secret that is not configured,
 * missing, unreadable or empty stops the server with a message that names it and its
 * file: no secret has a default, and none is guessed.
 */
public final class Secrets {

	private Secrets() {
	}

	/**
	 * Reads the secret in {@code file}, without surrounding white space.
	 * @param what what the secret opens, for the message if it cannot be read
	 * @param file the file that holds it
	 * @return the secret
	 * @throws MissingSecretException if there is no such file or nothing in it
	 */
	public static String read(String what, Path file) {
		if (file == null || file.toString().isBlank()) {
			throw new MissingSecretException("No file is configured for " + what);
		}
		String secret;
		try {
			secret = Files.readString(file).strip();
		}
		catch (IOException ex) {
			throw new MissingSecretException("Cannot read " + what + " from " + file + " (" + ex.getClass().getSimpleName()
					+ "): ./stack up writes it; in Docker, run docker/secrets.sh", ex);
		}
		if (secret.isEmpty()) {
			throw new MissingSecretException("The file " + file + " for " + what + " is empty");
		}
		return secret;
	}

	/** A secret the server cannot start without. */
	public static class MissingSecretException extends IllegalStateException {

		MissingSecretException(String message) {
			super(message);
		}

		MissingSecretException(String message, Throwable cause) {
			super(message, cause);
		}

	}

}
