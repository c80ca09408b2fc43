package dev.webstack.routing;

import java.time.Instant;

import dev.webstack.mysql.ReplicaStatus;

/**
 * The replica as last measured: whether it answers, what it says of its replication, and
 * the lag its heartbeat row shows.
 *
 * @param reachable whether the replica answered at all
 * @param readOnly whether it refuses ordinary clients' writes ({@code read_only} /
 * {@code super_read_only})
 * @param status what the replica says of its replication threads
 * @param heartbeatLagSeconds how far the replica's heartbeat row trails the primary's, or
 * null when it could not be measured
 * @param error why the replica could not be read, or null
 * @param measuredAt when this was measured
 */
public record ReplicationState(boolean reachable, boolean readOnly, ReplicaStatus status, Double heartbeatLagSeconds,
		String error, Instant measuredAt) {

	static ReplicationState unknown() {
		return new ReplicationState(false, false, ReplicaStatus.NOT_CONFIGURED, null, "not measured yet",
				Instant.EPOCH);
	}

	/**
	 * The lag to act on: a replica that cannot be read, or whose replication is stopped or
	 * broken, is unboundedly behind, never "zero".
	 */
	public double lagSeconds() {
		if (!this.reachable || !this.status.running() || this.heartbeatLagSeconds == null) {
			return Double.POSITIVE_INFINITY;
		}
		return this.heartbeatLagSeconds;
	}

	/** Why the replica is not fit for reads, or null when it is. */
	public String problem(double maxLagSeconds) {
		if (!this.reachable) {
			return "replica unreachable";
		}
		if (!this.status.configured()) {
			return "replication not configured";
		}
		if (!this.status.running()) {
			return "replication stopped" + (this.status.lastError().isEmpty() ? "" : ": " + this.status.lastError());
		}
		if (lagSeconds() > maxLagSeconds) {
			return String.format("replica lagging %.1fs", lagSeconds());
		}
		return null;
	}

}
