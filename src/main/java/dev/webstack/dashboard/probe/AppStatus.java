package dev.webstack.dashboard.probe;

/**
 * An app server as its management port describes it.
 *
 * @param health the overall health status (UP, DEGRADED, DOWN)
 * @param uptimeSeconds seconds since the JVM started
 * @param heapUsedBytes heap in use
 * @param requests HTTP requests served so far
 * @param requestsPerSecond requests per second since the previous probe, or -1 when unknown
 */
public record AppStatus(String health, double uptimeSeconds, double heapUsedBytes, double requests,
		double requestsPerSecond) {
}
