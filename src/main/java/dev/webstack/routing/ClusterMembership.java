package dev.webstack.routing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.webstack.mysql.ShortConnections;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * A Galera cluster as this app server sees it (the ha mode): every second, each node's own
 * view of the cluster ({@code wsrep_cluster_status}, {@code wsrep_local_state_comment},
 * {@code wsrep_incoming_addresses}), read with the monitoring account over a kept
 * connection. From it, the same way on every app server: the <em>writer</em> is the first
 * node, in the configured order (db-1, db-2, db-3), that is a member of the cluster's
 * primary component (as a node of that component lists its members) and synced; the
 * <em>readers</em> are the other synced members. A node outside the primary component (a
 * minority cut off by a partition) is neither: Galera itself refuses it writes, and what it
 * would read may be stale.
 * <p>
 * Galera elects nothing itself: its primary component (the side with a quorum) is the
 * cluster, and all of its members could take writes. One writer is chosen so that
 * concurrent transactions never conflict across nodes (a certification failure is a
 * deadlock error to the loser); the choice moves only when the writer leaves the primary
 * component or stops being synced.
 * <p>
 * Without nodes configured (a primary and a replica) it does nothing.
 */
@Component
public class ClusterMembership implements SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(ClusterMembership.class);

	/** How long a node's status may take before it counts as unreachable. */
	static final int STATUS_TIMEOUT_MILLIS = 1500;

	private static final String STATUS_QUERY = "SHOW GLOBAL STATUS WHERE Variable_name IN "
			+ "('wsrep_cluster_status', 'wsrep_local_state_comment', 'wsrep_cluster_size', 'wsrep_incoming_addresses')";

	/**
	 * One node as last read.
	 *
	 * @param name the node's name (db-1)
	 * @param address its host and port, as the cluster lists its members
	 * @param reachable whether it answered
	 * @param clusterStatus {@code Primary} when it is in the primary component
	 * @param state {@code Synced}, {@code Joining}, {@code Donor/Desynced}, ...
	 * @param clusterSize the size of its component
	 * @param members the addresses of its component's members
	 * @param error why it could not be read, or null
	 */
	public record Node(String name, String address, boolean reachable, String clusterStatus, String state,
			int clusterSize, List<String> members, String error) {

		public boolean inPrimaryComponent() {
			return this.reachable && "Primary".equals(this.clusterStatus);
		}

		public boolean synced() {
			return inPrimaryComponent() && "Synced".equals(this.state);
		}

		static Node unreachable(String name, String address, String error) {
			return new Node(name, address, false, "", "", 0, List.of(), error);
		}

	}

	/**
	 * What the last round found.
	 *
	 * @param nodes every configured node, in order
	 * @param writer the writer's name, or null while none can be chosen
	 * @param readers the readers' names
	 * @param at when
	 */
	public record View(List<Node> nodes, String writer, List<String> readers, Instant at) {

		static View unknown(Map<String, String> addresses) {
			List<Node> nodes = new ArrayList<>();
			addresses.forEach((name, address) -> nodes.add(Node.unreachable(name, address, "not read yet")));
			return new View(nodes, null, List.of(), Instant.EPOCH);
		}

		/** Why no node takes writes now, for the 503 a write gets meanwhile. */
		String noWriterReason() {
			boolean anyPrimary = this.nodes.stream().anyMatch(Node::inPrimaryComponent);
			return anyPrimary ? "the cluster is choosing a writer: no member of its primary component is synced"
					: "no database node this app server reaches is in the cluster's primary component";
		}

	}

	private final Map<String, String> urls;

	private final Map<String, String> addresses = new LinkedHashMap<>();

	private final DataSourceProperties properties;

	private final String monitorPassword;

	private final Clock clock;

	private final List<Consumer<View>> listeners = new CopyOnWriteArrayList<>();

	/** Kept status connections, by node; touched by the round's own tasks only, one per node. */
	private final Map<String, Connection> statusConnections = new HashMap<>();

	private final AtomicInteger nextReader = new AtomicInteger();

	private final ScheduledExecutorService rounds = Executors.newSingleThreadScheduledExecutor(daemon("cluster-membership"));

	private final ExecutorService reads = Executors.newCachedThreadPool(daemon("cluster-membership-read"));

	private volatile View view;

	private volatile boolean running;

	ClusterMembership(DataSourceProperties properties, Clock clock) {
		this.properties = properties;
		this.clock = clock;
		this.urls = properties.cluster().nodes();
		this.urls.forEach((name, url) -> this.addresses.put(name, address(url)));
		this.monitorPassword = properties.clustered() ? properties.monitor().resolvePassword() : null;
		this.view = View.unknown(this.addresses);
	}

	public boolean enabled() {
		return !this.urls.isEmpty();
	}

	public View view() {
		return this.view;
	}

	/** Called with each new view whose writer or readers differ from the one before. */
	void onChange(Consumer<View> listener) {
		this.listeners.add(listener);
	}

	/** The writer's JDBC URL, reading the cluster first if it was never read; null while there is none. */
	String writerUrl() {
		View current = this.view;
		if (Instant.EPOCH.equals(current.at())) {
			refresh();
			current = this.view;
		}
		return (current.writer() != null) ? this.urls.get(current.writer()) : null;
	}

	/** A reader's JDBC URL, the readers taken in turn; null while there is none. */
	String readerUrl() {
		List<String> readers = this.view.readers();
		if (readers.isEmpty()) {
			return null;
		}
		return this.urls.get(readers.get(Math.floorMod(this.nextReader.getAndIncrement(), readers.size())));
	}

	String noWriterReason() {
		return this.view.noWriterReason();
	}

	@Override
	public void start() {
		this.running = true;
		if (enabled()) {
			long interval = this.properties.heartbeatInterval().toMillis();
			this.rounds.scheduleWithFixedDelay(this::guardedRefresh, 0, interval, TimeUnit.MILLISECONDS);
		}
	}

	@Override
	public void stop() {
		this.running = false;
		this.rounds.shutdownNow();
		this.reads.shutdownNow();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	private void guardedRefresh() {
		try {
			refresh();
		}
		catch (RuntimeException ex) {
			// A scheduled task that throws is never run again.
			logger.warn("Reading the cluster's membership failed", ex);
		}
	}

	/** Reads every node at once (a dead node costs its timeout, not the others' too) and chooses. */
	synchronized void refresh() {
		Map<String, CompletableFuture<Node>> reading = new LinkedHashMap<>();
		this.urls.forEach((name, url) -> reading.put(name, CompletableFuture.supplyAsync(() -> read(name), this.reads)));
		List<Node> nodes = reading.values().stream().map(CompletableFuture::join).toList();
		View before = this.view;
		View now = choose(nodes, this.clock.instant());
		this.view = now;
		if (!Objects.equals(before.writer(), now.writer()) || !before.readers().equals(now.readers())) {
			logger.info("Database cluster: writer {}, readers {}", (now.writer() != null) ? now.writer()
					: "none (" + now.noWriterReason() + ")", now.readers());
			this.listeners.forEach((listener) -> listener.accept(now));
		}
	}

	/** The writer and readers from the nodes' own views (see the class's description). */
	static View choose(List<Node> nodes, Instant at) {
		List<String> members = nodes.stream()
			.filter(Node::inPrimaryComponent)
			.findFirst()
			.map(Node::members)
			.orElse(List.of());
		String writer = null;
		List<String> readers = new ArrayList<>();
		for (Node node : nodes) {
			if (!node.synced() || !members.contains(node.address())) {
				continue;
			}
			if (writer == null) {
				writer = node.name();
			}
			else {
				readers.add(node.name());
			}
		}
		return new View(nodes, writer, List.copyOf(readers), at);
	}

	private Node read(String name) {
		String address = this.addresses.get(name);
		Connection connection;
		synchronized (this.statusConnections) {
			connection = this.statusConnections.remove(name);
		}
		try {
			if (connection == null) {
				connection = ShortConnections.open(DataSourceProperties.serverUrl(this.urls.get(name)),
						this.properties.monitor().username(), this.monitorPassword, STATUS_TIMEOUT_MILLIS);
			}
			Map<String, String> status = new HashMap<>();
			try (Statement query = connection.createStatement(); ResultSet rows = query.executeQuery(STATUS_QUERY)) {
				while (rows.next()) {
					status.put(rows.getString(1), rows.getString(2));
				}
			}
			synchronized (this.statusConnections) {
				this.statusConnections.put(name, connection);
			}
			String incoming = status.getOrDefault("wsrep_incoming_addresses", "");
			return new Node(name, address, true, status.getOrDefault("wsrep_cluster_status", ""),
					status.getOrDefault("wsrep_local_state_comment", ""),
					Integer.parseInt(status.getOrDefault("wsrep_cluster_size", "0")),
					incoming.isBlank() ? List.of() : Arrays.stream(incoming.split(",")).map(String::strip).toList(),
					null);
		}
		catch (SQLException | RuntimeException ex) {
			close(connection);
			return Node.unreachable(name, address, ex.getMessage());
		}
	}

	private static void close(Connection connection) {
		if (connection != null) {
			try {
				connection.close();
			}
			catch (SQLException ex) {
				logger.debug("Closing a status connection failed", ex);
			}
		}
	}

	/**
	 * Whether a statement or a commit failed because its node is not (or no longer) in the
	 * cluster's primary component: error 1047 ("WSREP has not yet prepared node for
	 * application use"), or a commit that could not be replicated ("... Not connected to
	 * Primary Component"). Nothing was written; the writer moves, and the write may be sent
	 * again.
	 */
	public static boolean refusedOutsideThePrimaryComponent(SQLException ex) {
		String message = (ex.getMessage() != null) ? ex.getMessage() : "";
		return ex.getErrorCode() == 1047 || message.contains("Primary Component")
				|| message.startsWith("WSREP has not yet prepared node");
	}

	/** {@code host:port} of a {@code jdbc:mysql://host:port/...} URL, as the cluster lists its members. */
	static String address(String url) {
		String rest = url.replaceFirst("^jdbc:[a-z]+://", "");
		int end = rest.indexOf('/');
		String hostPort = (end >= 0) ? rest.substring(0, end) : rest;
		return hostPort.contains(":") ? hostPort : hostPort + ":3306";
	}

	private static java.util.concurrent.ThreadFactory daemon(String name) {
		return (task) -> {
			Thread thread = new Thread(task, name);
			thread.setDaemon(true);
			return thread;
		};
	}

}
