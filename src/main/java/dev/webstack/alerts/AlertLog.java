package dev.webstack.alerts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The alerts Alertmanager delivered, in the database that both app servers share:
 * written on the primary, each alert once per episode and status whichever app server
 * (or repeat) delivers it first; read from the replica for the dashboard.
 */
@Repository
public class AlertLog {

	private static final String COLUMNS = "fingerprint, alertname, status, severity, component, summary, starts_at, "
			+ "ends_at, received_at, labels";

	/** The newest episode of each alert still firing: no resolution, and no later episode. */
	private static final String FIRING = "select " + COLUMNS + " from alert_event f where status = 'firing'"
			+ " and notified_at >= ?"
			+ " and not exists (select 1 from alert_event r where r.fingerprint = f.fingerprint"
			+ " and r.starts_at >= f.starts_at and r.status = 'resolved')"
			+ " and not exists (select 1 from alert_event n where n.fingerprint = f.fingerprint"
			+ " and n.starts_at > f.starts_at)"
			+ " order by starts_at";

	private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {
	};

	private final JdbcTemplate jdbc;

	private final JsonMapper json;

	AlertLog(JdbcTemplate jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	/**
	 * Records the alerts of one notification, all or none. An alert recorded already in
	 * the same status (by the other app server, or notified again) keeps its first record;
	 * only its latest delivery moves on.
	 * @param events the alerts
	 */
	@Transactional
	public void record(List<AlertEvent> events) {
		for (AlertEvent event : events) {
			long received = event.receivedAt().toEpochMilli();
			this.jdbc.update("insert into alert_event (" + COLUMNS + ", notified_at)"
					+ " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
					+ " on duplicate key update notified_at = greatest(notified_at, ?)", event.fingerprint(),
					event.alertname(), event.status(), event.severity(), event.component(), event.summary(),
					event.startsAt().toEpochMilli(), (event.endsAt() != null) ? event.endsAt().toEpochMilli() : null,
					received, this.json.writeValueAsString(event.labels()), received, received);
		}
	}

	/**
	 * The alerts firing now, oldest first.
	 * @param notSeenSince a firing alert last notified before this is forgotten (its
	 * resolution was lost); Alertmanager repeats a firing alert every few hours
	 * @return the alerts
	 */
	@Transactional(readOnly = true)
	public List<AlertEvent> firing(Instant notSeenSince) {
		return this.jdbc.query(FIRING, this::event, notSeenSince.toEpochMilli());
	}

	/**
	 * Every alert fired or resolved since a moment, newest first.
	 * @param since the moment
	 * @param limit at most this many
	 * @return the alerts
	 */
	@Transactional(readOnly = true)
	public List<AlertEvent> since(Instant since, int limit) {
		return this.jdbc.query("select " + COLUMNS + " from alert_event where received_at >= ?"
				+ " order by received_at desc, id desc limit ?", this::event, since.toEpochMilli(), limit);
	}

	/**
	 * The latest record of an alert.
	 * @param fingerprint its fingerprint
	 * @return the record, if any
	 */
	@Transactional(readOnly = true)
	public Optional<AlertEvent> latest(String fingerprint) {
		return this.jdbc.query("select " + COLUMNS + " from alert_event where fingerprint = ?"
				+ " order by starts_at desc, id desc limit 1", this::event, fingerprint).stream().findFirst();
	}

	private AlertEvent event(ResultSet row, int index) throws SQLException {
		long endsAt = row.getLong("ends_at");
		Instant resolved = row.wasNull() ? null : Instant.ofEpochMilli(endsAt);
		return new AlertEvent(row.getString("fingerprint"), row.getString("alertname"), row.getString("status"),
				row.getString("severity"), row.getString("component"), row.getString("summary"),
				Instant.ofEpochMilli(row.getLong("starts_at")), resolved,
				Instant.ofEpochMilli(row.getLong("received_at")), this.json.readValue(row.getString("labels"), LABELS));
	}

}
