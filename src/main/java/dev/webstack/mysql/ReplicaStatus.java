package dev.webstack.mysql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * What a replica says of its replication, in either flavour's words.
 *
 * @param configured whether the server replicates from anyone at all
 * @param ioRunning whether the thread that fetches the source's binlog runs
 * @param sqlRunning whether the thread that applies it runs
 * @param secondsBehind the server's own estimate of its lag, or null when it has none
 * (which it reports whenever a thread is stopped)
 * @param lastError the last I/O or SQL error, or an empty string
 */
public record ReplicaStatus(boolean configured, boolean ioRunning, boolean sqlRunning, Long secondsBehind,
		String lastError) {

	public static final ReplicaStatus NOT_CONFIGURED = new ReplicaStatus(false, false, false, null, "");

	/** Whether both threads run, that is, whether changes reach the replica. */
	public boolean running() {
		return this.ioRunning && this.sqlRunning;
	}

	/** Reads the status from a replica; the account needs REPLICA MONITOR (MariaDB) or REPLICATION CLIENT. */
	public static ReplicaStatus read(Connection connection, DatabaseFlavor flavor) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery(flavor.replicaStatusQuery())) {
			if (!rows.next()) {
				return NOT_CONFIGURED;
			}
			ResultSetMetaData meta = rows.getMetaData();
			Map<String, String> row = new HashMap<>();
			for (int i = 1; i <= meta.getColumnCount(); i++) {
				row.put(meta.getColumnLabel(i), rows.getString(i));
			}
			return parse(flavor, row);
		}
	}

	/** Parses one row of SHOW REPLICA/SLAVE STATUS, given as column name to value. */
	public static ReplicaStatus parse(DatabaseFlavor flavor, Map<String, String> row) {
		String lag = row.get(flavor.lagColumn());
		String error = firstNonEmpty(row.get("Last_IO_Error"), row.get("Last_SQL_Error"));
		return new ReplicaStatus(true, "Yes".equalsIgnoreCase(row.get(flavor.ioRunningColumn())),
				"Yes".equalsIgnoreCase(row.get(flavor.sqlRunningColumn())),
				(lag == null || lag.isBlank() || "NULL".equalsIgnoreCase(lag)) ? null : Long.valueOf(lag.strip()),
				error);
	}

	private static String firstNonEmpty(String a, String b) {
		if (a != null && !a.isBlank()) {
			return a;
		}
		return (b != null) ? b : "";
	}

}
