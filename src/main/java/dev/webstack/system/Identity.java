package dev.webstack.system;

import dev.webstack.routing.Route;
import dev.webstack.routing.ReplicationMonitor;
import dev.webstack.routing.RouteRecorder;

import org.springframework.stereotype.Component;

/**
 * What the layout's footer says on every page, error pages included (templates reach it
 * as {@code @identity}): which app server rendered the page and where its reads went.
 */
@Component("identity")
public class Identity {

	private final WebstackProperties properties;

	private final RouteRecorder routes;

	private final ReplicationMonitor replication;

	Identity(WebstackProperties properties, RouteRecorder routes, ReplicationMonitor replication) {
		this.properties = properties;
		this.routes = routes;
		this.replication = replication;
	}

	/** Whether the primary is unreachable, so that pages can say posting is paused. */
	public boolean readOnlyMode() {
		return this.replication.primaryUnreachable();
	}

	public boolean exposed() {
		return this.properties.exposeIdentity();
	}

	public String instanceName() {
		return this.properties.instanceName();
	}

	/** For example "replica (read-only transaction)", or "no database reads". */
	public String reads() {
		Route route = this.routes.current();
		return (route != null) ? route.toString() : "no database reads";
	}

}
