package dev.webstack.dashboard;

/**
 * One live security check.
 *
 * @param name what is checked
 * @param result PASS, FAIL, or UNKNOWN when the fact could not be read
 * @param evidence what was seen
 */
public record SecurityCheck(String name, Result result, String evidence) {

	/** The outcome of a check. */
	public enum Result {

		PASS, FAIL, UNKNOWN

	}

	static SecurityCheck of(String name, boolean passed, String evidence) {
		return new SecurityCheck(name, passed ? Result.PASS : Result.FAIL, evidence);
	}

	static SecurityCheck unknown(String name, String evidence) {
		return new SecurityCheck(name, Result.UNKNOWN, evidence);
	}

}
