package io.biometer.ingress;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's metrics, scraped at {@code GET /metrics} of its HTTP port:
 *
 * <ul>
 *   <li>{@code biometer_ingress_accepted_total{protocol}}: readings Kafka acknowledged;
 *   <li>{@code biometer_ingress_refused_total{protocol,reason}}: refusals, by {@link Refusal};
 *   <li>{@code biometer_ingress_connections{protocol}}: open connections;
 *   <li>{@code biometer_ingress_ack_seconds{protocol}}: from a reading's arrival to its ack.
 * </ul>
 */
public final class IngressMetrics {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> connections = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  public void accepted(String protocol) {
    counters
        .computeIfAbsent(
            "a|" + protocol,
            k ->
                Counter.builder("biometer.ingress.accepted")
                    .description("Readings Kafka acknowledged")
                    .tag("protocol", protocol)
                    .register(registry))
        .increment();
  }

  public void refused(String protocol, Refusal reason) {
    counters
        .computeIfAbsent(
            "r|" + protocol + "|" + reason,
            k ->
                Counter.builder("biometer.ingress.refused")
                    .description("Refused readings, logins and messages")
                    .tag("protocol", protocol)
                    .tag("reason", reason.label())
                    .register(registry))
        .increment();
  }

  /**
   * Counts a command's response by status: {@code biometer_ingress_commands_total{status}}
   * (delivered, ok, failed, expired, forbidden, unknown_device, malformed).
   */
  public void command(String status) {
    String label = status.toLowerCase(java.util.Locale.ROOT);
    counters
        .computeIfAbsent(
            "c|" + label,
            k ->
                Counter.builder("biometer.ingress.commands")
                    .description("Command responses written, by status")
                    .tag("status", label)
                    .register(registry))
        .increment();
  }

  /** How many command responses of {@code status} were written. */
  public double commandCount(String status) {
    var c =
        registry
            .find("biometer.ingress.commands")
            .tag("status", status.toLowerCase(java.util.Locale.ROOT))
            .counter();
    return c == null ? 0 : c.count();
  }

  /** Counts connection events: {@code biometer_ingress_connection_events_total{state}}. */
  public void connectionEvent(String state) {
    counters
        .computeIfAbsent(
            "e|" + state,
            k ->
                Counter.builder("biometer.ingress.connection.events")
                    .description("Connection events written to telemetry.connections")
                    .tag("state", state.toLowerCase(java.util.Locale.ROOT))
                    .register(registry))
        .increment();
  }

  /** Counts of refusals of {@code reason} over all protocols. */
  public double refusedCount(Refusal reason) {
    return registry
        .find("biometer.ingress.refused")
        .tag("reason", reason.label())
        .counters()
        .stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  /** Accepted readings over all protocols. */
  public double acceptedCount() {
    return registry.find("biometer.ingress.accepted").counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  public void ackNanos(String protocol, long nanos) {
    timers
        .computeIfAbsent(
            protocol,
            p ->
                Timer.builder("biometer.ingress.ack")
                    .description("From a reading's arrival to its acknowledgement")
                    .tag("protocol", p)
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** The open-connection count of {@code protocol}, to increment and decrement. */
  public AtomicLong connections(String protocol) {
    return connections.computeIfAbsent(
        protocol,
        p -> {
          AtomicLong n = new AtomicLong();
          Gauge.builder("biometer.ingress.connections", n, AtomicLong::get)
              .description("Open device connections")
              .tag("protocol", p)
              .register(registry);
          return n;
        });
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }
}
