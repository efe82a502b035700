package io.biometer.streams;

import io.biometer.avro.AlertKind;
import io.biometer.avro.AlertState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * biometer's own metrics of the topology, in Micrometer (exported as Prometheus): records in and
 * out per step, duplicates dropped per relay, DLQ records per reason, alerts per kind and state,
 * commands issued (and alerts not acted on) per command rule, late readings, readings waiting for
 * their device, and the latency from a reading's event time to each output.
 */
public final class PipelineMetrics {

  /** Key under which the handlers find this object in the Streams configuration. */
  public static final String CONFIG_KEY = "biometer.metrics";

  /**
   * The reasons a record goes to the DLQ (docs/streams-app.md, DLQ). Each one's counter exists from
   * the start at zero, so a dashboard's "DLQ records by reason" has its series (and Prometheus'
   * increase() counts the first record) before anything was dead-lettered.
   */
  public static final List<String> DLQ_REASONS =
      List.of(
          "undecodable",
          "empty-value",
          "unknown-device",
          "sensor-type-mismatch",
          "unknown-sensor-type",
          "unknown-channel",
          "impossible-value",
          "future-event-time",
          "too-late",
          "processing-error",
          "unwritable-output",
          "unserializable-output");

  private final MeterRegistry registry;
  private final boolean perRelay;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final AtomicLong waiting = new AtomicLong();

  public PipelineMetrics(MeterRegistry registry, boolean perRelay) {
    this.registry = registry;
    this.perRelay = perRelay;
    Gauge.builder("biometer.validation.waiting.readings", waiting, AtomicLong::get)
        .description("readings of this instance waiting for their device to be registered")
        .register(registry);
    DLQ_REASONS.forEach(reason -> counter("biometer.dlq.records", "reason", reason));
  }

  /** Readings that started ({@code delta > 0}) or ended waiting for their device. */
  public void waiting(long delta) {
    waiting.addAndGet(delta);
  }

  /** Readings of this instance waiting for their device now. */
  public long waiting() {
    return waiting.get();
  }

  /** A reading that waited for its device was validated and passed on. */
  public void released() {
    counter("biometer.validation.released").increment();
  }

  /** Metrics that go nowhere, for tests that do not look at them. */
  public static PipelineMetrics noop() {
    return new PipelineMetrics(new SimpleMeterRegistry(), true);
  }

  public MeterRegistry registry() {
    return registry;
  }

  private Counter counter(String name, String... tags) {
    return counters.computeIfAbsent(
        name + String.join(",", tags), k -> Counter.builder(name).tags(tags).register(registry));
  }

  // Duplicates are counted per record: looked up by kind and relay without building a string.
  private final Map<String, Map<String, Counter>> duplicatesByRelay = new ConcurrentHashMap<>();

  public void duplicate(String relayKind, String relayId) {
    String relay = perRelay ? relayId : "all";
    duplicatesByRelay
        .computeIfAbsent(relayKind, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(
            relay,
            r -> counter("biometer.duplicates.dropped", "relay_kind", relayKind, "relay", relay))
        .increment();
  }

  /** A rejected reading of a day the loss ledger no longer keeps (older than its retention). */
  public void ledgerExpired() {
    counter("biometer.completeness.expired").increment();
  }

  public void dlq(String reason) {
    counter("biometer.dlq.records", "reason", reason).increment();
  }

  public void alert(AlertKind kind, AlertState state, boolean late) {
    counter(
            "biometer.alerts",
            "kind",
            kind.name(),
            "state",
            state.name(),
            "late",
            Boolean.toString(late))
        .increment();
  }

  /** A command rule issued a command for an alert transition of {@code state}. */
  public void commandIssued(String rule, AlertState state) {
    counter("biometer.commands.issued", "rule", rule, "state", state.name()).increment();
  }

  /** A command rule did not act on an alert it watches, e.g. because the alert is late. */
  public void commandSkipped(String rule, String reason) {
    counter("biometer.commands.skipped", "rule", rule, "reason", reason).increment();
  }

  private Timer timer(String output) {
    return timers.computeIfAbsent(
        output,
        o ->
            Timer.builder("biometer.event.to.output.latency")
                .tag("output", o)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofDays(2))
                .register(registry));
  }

  /** The meters of one step, looked up once instead of per record. */
  public StepMeters step(String name) {
    return new StepMeters(
        counter("biometer.records.in", "step", name),
        counter("biometer.records.out", "step", name),
        counter("biometer.late.records", "step", name));
  }

  /** Records in, out and late of one step. */
  public static final class StepMeters {
    private final Counter in;
    private final Counter out;
    private final Counter late;

    private StepMeters(Counter in, Counter out, Counter late) {
      this.in = in;
      this.out = out;
      this.late = late;
    }

    public void in() {
      in.increment();
    }

    public void out() {
      out.increment();
    }

    public void late() {
      late.increment();
    }
  }

  /** The event-to-output latency histogram of {@code output}, looked up once. */
  public Latency latency(String output) {
    Timer timer = timer(output);
    return millis -> timer.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
  }

  /** Records the time from an event to one output. */
  @FunctionalInterface
  public interface Latency {
    void record(long millis);
  }

  /** Counter value, for tests. */
  public double count(String name, String... tags) {
    Counter c = registry.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }
}
