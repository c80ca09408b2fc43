package dev.webstack.mysql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * The two servers that speak MySQL's protocol here, and how each names replication:
 * MySQL 8.4 (source/replica, {@code SHOW REPLICA STATUS} with {@code Replica_IO_Running},
 * {@code super_read_only}) and MariaDB 10.11 ({@code SHOW SLAVE STATUS} with
 * {@code Slave_IO_Running}, {@code read_only}). Chosen at runtime from the server's version.
 */
public enum DatabaseFlavor {

	MYSQL("SHOW REPLICA STATUS", "Replica_IO_Running", "Replica_SQL_Running", "Seconds_Behind_Source",
			"select @@super_read_only", "select @@global.gtid_executed",
			"select wait_for_executed_gtid_set(?, ?)"),

	MARIADB("SHOW SLAVE STATUS", "Slave_IO_Running", "Slave_SQL_Running", "Seconds_Behind_Master",
			"select @@read_only", "select @@gtid_binlog_pos", "select master_gtid_wait(?, ?)");

	private final String replicaStatusQuery;

	private final String ioRunningColumn;

	private final String sqlRunningColumn;

	private final String lagColumn;

	private final String readOnlyQuery;

	private final String gtidPositionQuery;

	private final String gtidWaitQuery;

	DatabaseFlavor(String replicaStatusQuery, String ioRunningColumn, String sqlRunningColumn, String lagColumn,
			String readOnlyQuery, String gtidPositionQuery, String gtidWaitQuery) {
		this.gtidPositionQuery = gtidPositionQuery;
		this.gtidWaitQuery = gtidWaitQuery;
		this.replicaStatusQuery = replicaStatusQuery;
		this.ioRunningColumn = ioRunningColumn;
		this.sqlRunningColumn = sqlRunningColumn;
		this.lagColumn = lagColumn;
		this.readOnlyQuery = readOnlyQuery;
	}

	/** The flavour of a server from its {@code VERSION()}, e.g. "10.11.19-MariaDB-0+deb12u1" or "8.4.6". */
	public static DatabaseFlavor fromVersion(String version) {
		return version.toLowerCase(Locale.ROOT).contains("mariadb") ? MARIADB : MYSQL;
	}

	/** Asks the server behind a connection. */
	public static DatabaseFlavor detect(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet row = statement.executeQuery("select version()")) {
			row.next();
			return fromVersion(row.getString(1));
		}
	}

	public String replicaStatusQuery() {
		return this.replicaStatusQuery;
	}

	/** The query that tells whether the server refuses ordinary clients' writes. */
	public String readOnlyQuery() {
		return this.readOnlyQuery;
	}

	/** The primary's GTID position, which includes every transaction committed so far. */
	public String gtidPositionQuery() {
		return this.gtidPositionQuery;
	}

	/**
	 * Waits (position, seconds) until the replica has applied a GTID position; returns 0
	 * when it has, something else when the wait timed out.
	 */
	public String gtidWaitQuery() {
		return this.gtidWaitQuery;
	}

	String ioRunningColumn() {
		return this.ioRunningColumn;
	}

	String sqlRunningColumn() {
		return this.sqlRunningColumn;
	}

	String lagColumn() {
		return this.lagColumn;
	}

}
