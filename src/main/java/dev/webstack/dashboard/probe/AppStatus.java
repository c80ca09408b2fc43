package dev.webstack.dashboard.probe;

/**
 * An app server: its health from its management port, its figures from Prometheus.
 *
 * @param health the overall health status (UP, DEGRADED, DOWN)
 * @param figures uptime, heap and request rate, {@link AppFigures#UNKNOWN} when Prometheus
 * has none (not scraped yet, or Prometheus itself down)
 */
public record AppStatus(String health, AppFigures figures) {
}
