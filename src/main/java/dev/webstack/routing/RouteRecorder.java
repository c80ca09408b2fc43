package dev.webstack.routing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * Remembers, per thread (that is, per request), where the last connection came from, and
 * counts connections handed out per target.
 */
@Component("readRoutes")
public class RouteRecorder {

	private static final ThreadLocal<Route> CURRENT = new ThreadLocal<>();

	private static final ThreadLocal<Boolean> WROTE = new ThreadLocal<>();

	private final Counter primaryConnections;

	private final Counter replicaConnections;

	RouteRecorder(MeterRegistry registry) {
		this.primaryConnections = counter(registry, Route.Target.PRIMARY);
		this.replicaConnections = counter(registry, Route.Target.REPLICA);
	}

	private static Counter counter(MeterRegistry registry, Route.Target target) {
		return Counter.builder("webstack.datasource.connections")
			.description("Physical connections handed out, by target database")
			.tag("target", target.label())
			.register(registry);
	}

	void record(Route route) {
		CURRENT.set(route);
		(route.target() == Route.Target.PRIMARY ? this.primaryConnections : this.replicaConnections).increment();
	}

	/** The route of the last connection this thread took, or null if it took none. */
	public Route current() {
		return CURRENT.get();
	}

	/** Notes that this thread took a connection for read-write work on the primary. */
	void recordWrite() {
		WROTE.set(Boolean.TRUE);
	}

	/** Whether this thread took a read-write connection since the last clear. */
	public boolean wrote() {
		return WROTE.get() != null;
	}

	/** Forgets this thread's route; called at the start and end of every request. */
	public void clear() {
		CURRENT.remove();
		WROTE.remove();
	}

}
