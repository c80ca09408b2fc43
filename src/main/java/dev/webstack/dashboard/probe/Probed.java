package dev.webstack.dashboard.probe;

import java.time.Instant;

/**
 * The outcome of one probe: a value, or why there is none.
 *
 * @param value what the probe found, or null
 * @param error why it found nothing (unreachable, timed out, refused...), or null
 * @param at when the probe ran
 */
public record Probed<T>(T value, String error, Instant at) {

	public static <T> Probed<T> of(T value, Instant at) {
		return new Probed<>(value, null, at);
	}

	public static <T> Probed<T> failed(String error, Instant at) {
		return new Probed<>(null, error, at);
	}

	public static <T> Probed<T> notYet() {
		return new Probed<>(null, "not probed yet", Instant.EPOCH);
	}

	public boolean ok() {
		return this.value != null;
	}

}
