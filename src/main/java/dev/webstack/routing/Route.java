package dev.webstack.routing;

/**
 * Where one connection was taken from, and why.
 *
 * @param target the database that served it
 * @param reason a short explanation shown to people (in the footer)
 */
public record Route(Target target, String reason) {

	/** The two databases. */
	public enum Target {

		PRIMARY, REPLICA;

		public String label() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

	}

	@Override
	public String toString() {
		return this.target.label() + " (" + this.reason + ")";
	}

}
