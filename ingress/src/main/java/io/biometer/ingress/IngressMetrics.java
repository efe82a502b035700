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
