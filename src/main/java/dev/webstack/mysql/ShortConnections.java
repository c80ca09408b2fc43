package dev.webstack.mysql;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * A connection of its own, outside the pools, with short timeouts: for the probes and the
 * monitor, which must never wait long on a database that is gone.
 */
public final class ShortConnections {

	private ShortConnections() {
	}

	public static Connection open(String url, String username, String password, int timeoutMillis)
			throws SQLException {
		Properties info = new Properties();
		info.setProperty("user", username);
		info.setProperty("password", password);
		info.setProperty("connectTimeout", String.valueOf(timeoutMillis));
		info.setProperty("socketTimeout", String.valueOf(timeoutMillis));
		return DriverManager.getConnection(url, info);
	}

}
