package dev.webstack.routing;

import java.sql.SQLTransientConnectionException;

/**
 * The primary cannot be reached, so nothing can be written: the site is in read-only mode
 * until it returns.
 */
public class PrimaryUnavailableException extends SQLTransientConnectionException {

	public PrimaryUnavailableException() {
		super("The primary database is unreachable: read-only mode");
	}

}
