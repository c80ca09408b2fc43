package dev.webstack.dashboard;

import java.util.List;

/**
 * A single point of failure: a tier that one failure takes out.
 *
 * @param tier the tier (load balancer, web server, app servers, primary database)
 * @param components the components of that tier still standing (or that stood)
 * @param kind "single" (the design has one), "redundancy lost" (a peer is down), or
 * "outage" (none is up)
 * @param consequence what its failure does to users
 * @param remedy how to remove it
 */
public record Spof(String tier, List<String> components, String kind, String consequence, String remedy) {
}
