package dev.webstack.dashboard.probe;

import dev.webstack.mysql.ReplicaStatus;

/**
 * A database server as the monitoring account sees it.
 *
 * @param version the server's {@code VERSION()}
 * @param serverId {@code @@server_id}
 * @param readOnly whether ordinary clients' writes are refused
 * @param bindAddress the address it listens on ({@code @@bind_address})
 * @param uptimeSeconds seconds since it started
 * @param connections client connections now
 * @param replica its replication status, if it replicates from a source
 */
public record DatabaseStatus(String version, long serverId, boolean readOnly, String bindAddress, long uptimeSeconds,
		long connections, ReplicaStatus replica) {
}
