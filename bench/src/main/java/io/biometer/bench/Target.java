package io.biometer.bench;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The targets of the bench table, in one place: for each, the section and figure it applies to, how
 * the figure is compared, the threshold and its unit, and why the target is what it is. Every row
 * with a target is built from an entry ({@link #judge}), which gives the row its target cell and
 * its verdict; {@link #find} maps a row of a written table back to its entry, so that the table in
 * docs/benchmarks.md is checked against this one when it is generated.
 */
public enum Target {
  /** Heap per virtual sensor. */
  SIMULATOR_HEAP(
      "simulator",
      "heap per virtual sensor",
      "",
      Comparison.AT_MOST,
      2048,
      Unit.BYTES,
      "",
      "100,000 virtual sensors with their sinks fit in 200 MiB of heap, so that one JVM simulates a"
          + " whole ward of patients"),
  /** The simulator flat out against {@code ProducerPerformance}. */
  SIMULATOR_THROUGHPUT(
      "simulator",
      "records/s flat out against Kafka's ProducerPerformance",
      "",
      Comparison.AT_LEAST,
      0.90,
      Unit.RATIO,
      "",
      "building and encoding readings costs at most a tenth of what Kafka's own producer sends with"
          + " the same settings: the simulator is not what limits a load test"),
  /** The full topology against a pass-through topology. */
  STREAMS_THROUGHPUT(
      "streams",
      "records/s of the full topology against a pass-through, at-least-once",
      "",
      Comparison.AT_LEAST,
      0.70,
      Unit.RATIO,
      "",
      "validation, dedup, alerts and daily aggregation together cost at most 30% over reading,"
          + " decoding, encoding and writing the same records"),
  /** The sink through Connect against a consumer and the ILP client. */
  CONNECTOR_THROUGHPUT(
      "connector",
      "rows/s through Connect against a plain consumer with the ILP client",
      "",
      Comparison.AT_LEAST,
      0.70,
      Unit.RATIO,
      "",
      "Connect, the converter and the sink cost at most 30% over the same work done without"
          + " Connect"),
  /** Event to queryable row, clean readings straight to the sink. */
  CONNECTOR_LATENCY(
      "connector",
      "event-to-queryable-row p99",
      "p99",
      Comparison.AT_MOST,
      1000,
      Unit.MS,
      "",
      "a reading is on a dashboard within a second; the sink's allowed.lag (250 ms) is the floor"),
  /** Readings/s landed end to end. */
  END_TO_END_THROUGHPUT(
      "end-to-end",
      "readings/s landed in QuestDB while the load runs",
      "",
      Comparison.AT_LEAST,
      50_000,
      Unit.READINGS_PER_S,
      " (100,000 records/s in), kept up",
      "one instance carries 50,000 readings/s, each relayed twice, and keeps up: the last row lands"
          + " within 5 s of the last send; 2% is allowed for the landed count's flush steps",
      0.02,
      null,
      Verdict.MISSES,
      null),
  /** No reading lost or duplicated end to end. */
  END_TO_END_LOSS(
      "end-to-end",
      "loss and duplicates",
      "",
      Comparison.AT_MOST,
      0,
      Unit.PROBLEMS,
      "",
      "every reading made lands exactly once: a loss or a duplicate fails the run, it is not a"
          + " missed target",
      0,
      null,
      Verdict.FAILS,
      "zero loss, zero duplicates"),
  /** Event to alert, at-least-once. */
  ALERT_LATENCY_AT_LEAST_ONCE(
      "latency",
      "event-to-alert p99, at-least-once",
      "p99",
      Comparison.AT_MOST,
      50,
      Unit.MS,
      "",
      "an alert reaches its consumer within 50 ms of the reading that raised it"),
  /** Event to alert, exactly-once, over the transactional producer's floor. */
  ALERT_LATENCY_EXACTLY_ONCE(
      "latency",
      "event-to-alert p99, exactly-once, over the transactional floor",
      "p99",
      Comparison.AT_MOST,
      30,
      Unit.MS,
      "",
      "exactly-once costs what Kafka's transactions cost (a plain transactional producer"
          + " committing every 100 ms, measured in the same run) plus at most 30 ms",
      0,
      "floor",
      Verdict.MISSES,
      null),
  /** Event to queryable row through the whole pipeline. */
  ROW_LATENCY(
      "latency",
      "event-to-row p99 through the streams app and Connect",
      "p99",
      Comparison.AT_MOST,
      1000,
      Unit.MS,
      "",
      "a reading is on a dashboard within a second of its event time, through the whole pipeline"),
  /** MQTT readings/s at QoS 1 with 10,000 connections. */
  INGRESS_MQTT_THROUGHPUT(
      "ingress",
      "MQTT readings/s acknowledged at QoS 1, flat out, 10,000 connections",
      "",
      Comparison.AT_LEAST,
      30_000,
      Unit.MESSAGES_PER_S,
      "",
      "ThingsBoard reports 30,000 MQTT msg/s on one (larger) node, and 5,000 msg/s at 95% CPU on"
          + " 2 vCPUs with its whole stack; the gateway, on 2 cores shared with the broker and the"
          + " clients, acknowledging only what Kafka has, should carry the first"),
  /** Publish to PUBACK at 10,000 msg/s. */
  INGRESS_MQTT_LATENCY(
      "ingress",
      "MQTT publish-to-PUBACK p99 at 10,000 msg/s, 10,000 connections",
      "p99",
      Comparison.AT_MOST,
      50,
      Unit.MS,
      "",
      "at a third of the throughput target a device hears within 50 ms that Kafka has its reading,"
          + " so it can free its buffer and sleep"),
  /** Heap per idle MQTT connection. */
  INGRESS_HEAP(
      "ingress",
      "gateway heap per idle MQTT connection, 10,000 connections",
      "",
      Comparison.AT_MOST,
      20_480,
      Unit.BYTES,
      "",
      "10,000 idle devices cost the gateway at most 200 MiB of heap, so one gateway holds a"
          + " hospital's devices"),
  /** Acknowledged readings missing from Kafka. */
  INGRESS_LOSS(
      "ingress",
      "acknowledged readings missing from Kafka",
      "",
      Comparison.AT_MOST,
      0,
      Unit.PROBLEMS,
      "",
      "a PUBACK or a 200 means Kafka has the reading: one missing fails the run, it is not a"
          + " missed target",
      0,
      null,
      Verdict.FAILS,
      "none missing"),
  /** Command to device at 1,000 commands/s, over the same records' produce-to-consume. */
  COMMANDS_LATENCY(
      "commands",
      "command-to-device p99 at 1,000 commands/s, 10,000 connected devices, over the same"
          + " records' produce-to-consume p99",
      "p99",
      Comparison.AT_MOST,
      50,
      Unit.MS,
      "",
      "the gateway reads a command, writes its DELIVERED response and waits for Kafka's"
          + " acknowledgement before it writes to the device: that and the MQTT hop cost at most"
          + " 50 ms over what a plain consumer of the same records sees",
      0,
      "baseline p99",
      Verdict.MISSES,
      null),
  /** Commands never delivered, or delivered twice. */
  COMMANDS_LOSS(
      "commands",
      "commands sent and not delivered, or delivered twice",
      "",
      Comparison.AT_MOST,
      0,
      Unit.PROBLEMS,
      "",
      "a connected, subscribed device granted to its issuer gets each unexpired command exactly"
          + " once: one lost or twice fails the run, it is not a missed target",
      0,
      null,
      Verdict.FAILS,
      "none lost, none twice");

  /** How a figure is held against a threshold. */
  public enum Comparison {
    /** The figure must be at least the threshold. */
    AT_LEAST(">="),
    /** The figure must be at most the threshold. */
    AT_MOST("<=");

    private final String symbol;

    Comparison(String symbol) {
      this.symbol = symbol;
    }

    /** {@code >=} or {@code <=}. */
    public String symbol() {
      return symbol;
    }

    boolean holds(double figure, double threshold) {
      return this == AT_LEAST ? figure >= threshold : figure <= threshold;
    }
  }

  /** The unit of a threshold, and how the table writes it. */
  public enum Unit {
    /** A ratio to a baseline: {@code 0.70x}. */
    RATIO("%.2fx"),
    /** Bytes: {@code 2,048 B}. */
    BYTES("%,.0f B"),
    /** Milliseconds: {@code 1,000 ms}. */
    MS("%,.0f ms"),
    /** Readings a second: {@code 50,000 readings/s}. */
    READINGS_PER_S("%,.0f readings/s"),
    /** Messages a second: {@code 30,000 msg/s}. */
    MESSAGES_PER_S("%,.0f msg/s"),
    /** Readings lost or duplicated. */
    PROBLEMS("%,.0f readings lost or duplicated");

    private final String format;

    Unit(String format) {
      this.format = format;
    }

    /** What follows the number: {@code x}, {@code ms}. */
    String suffix() {
      return format.replaceFirst("%[^a-z]*f", "");
    }

    /** {@code value} in this unit, as the table writes it. */
    public String format(double value) {
      return String.format(Locale.ROOT, format, value);
    }
  }

  /**
   * A figure held against a target: the row's target cell and verdict.
   *
   * @param target the entry
   * @param cell the target as the row states it
   * @param verdict what the figure says about it
   */
  public record Judgement(Target target, String cell, Verdict verdict) {}

  private final String section;
  private final String figure;
  private final String statistic;
  private final Comparison comparison;
  private final double threshold;
  private final Unit unit;
  private final String qualifier;
  private final String reason;
  private final double slack;
  private final String reference;
  private final Verdict onMiss;
  private final String label;

  Target(
      String section,
      String figure,
      String statistic,
      Comparison comparison,
      double threshold,
      Unit unit,
      String qualifier,
      String reason) {
    this(
        section,
        figure,
        statistic,
        comparison,
        threshold,
        unit,
        qualifier,
        reason,
        0,
        null,
        Verdict.MISSES,
        null);
  }

  /**
   * @param slack the fraction by which the figure may fall short and still meet the target
   * @param reference what a relative threshold is added to (measured in the same run), or null
   * @param onMiss what a miss means: {@link Verdict#MISSES}, or {@link Verdict#FAILS} for a check
   * @param label the target cell as written, or null to write it from the threshold
   */
  Target(
      String section,
      String figure,
      String statistic,
      Comparison comparison,
      double threshold,
      Unit unit,
      String qualifier,
      String reason,
      double slack,
      String reference,
      Verdict onMiss,
      String label) {
    this.section = section;
    this.figure = figure;
    this.statistic = statistic;
    this.comparison = comparison;
    this.threshold = threshold;
    this.unit = unit;
    this.qualifier = qualifier;
    this.reason = reason;
    this.slack = slack;
    this.reference = reference;
    this.onMiss = onMiss;
    this.label = label;
  }

  /** The table section of the rows this target applies to. */
  public String section() {
    return section;
  }

  /** The figure it applies to, in brief. */
  public String figure() {
    return figure;
  }

  /** How the figure is compared with the threshold. */
  public Comparison comparison() {
    return comparison;
  }

  /** The threshold, in {@link #unit()}. */
  public double threshold() {
    return threshold;
  }

  /** The threshold's unit. */
  public Unit unit() {
    return unit;
  }

  /** Why the target is what it is. */
  public String reason() {
    return reason;
  }

  /** True if the threshold is added to a reference measured in the same run (a floor). */
  public boolean relative() {
    return reference != null;
  }

  /** What a miss means: a missed target, or, for a correctness check, a failed run. */
  public Verdict onMiss() {
    return onMiss;
  }

  /**
   * The target cell of a row: {@code >= 0.70x}, {@code p99 <= 1,000 ms}, {@code zero loss, zero
   * duplicates}. For a {@link #relative()} target, use {@link #cell(double)}.
   */
  public String cell() {
    if (label != null) {
      return label;
    }
    return prefix() + unit.format(threshold) + qualifier;
  }

  /**
   * The target cell of a relative target over {@code reference}: {@code p99 <= floor + 30 ms = 132
   * ms}.
   */
  public String cell(double reference) {
    return prefix()
        + this.reference
        + " + "
        + unit.format(threshold)
        + " = "
        + unit.format(reference + threshold)
        + qualifier;
  }

  private String prefix() {
    return (statistic.isEmpty() ? "" : statistic + " ") + comparison.symbol() + " ";
  }

  /** {@code figure} held against the threshold: no verdict if it is NaN. */
  public Judgement judge(double figure) {
    return judge(figure, true);
  }

  /**
   * {@code figure} held against the threshold, met only if {@code alsoHolds} too (e.g. every
   * reading was seen, the pipeline kept up); no verdict if the figure is NaN.
   */
  public Judgement judge(double figure, boolean alsoHolds) {
    return new Judgement(this, cell(), verdict(figure, alsoHolds));
  }

  /**
   * A ratio of paired rounds held against the threshold: no verdict with fewer than {@link
   * PairedRounds#MIN_PAIRS} pairs.
   */
  public Judgement judge(PairedRounds.Summary rounds) {
    return judge(rounds.enough() ? rounds.median() : Double.NaN);
  }

  /**
   * A relative target: {@code figure} held against {@code reference} plus the threshold; no verdict
   * if either is NaN or the reference is negative (not measured).
   */
  public Judgement judge(double figure, double reference) {
    Verdict v =
        Double.isNaN(reference) || reference < 0
            ? Verdict.NO_VERDICT
            : verdict(figure - reference, true);
    return new Judgement(this, cell(reference), v);
  }

  private Verdict verdict(double figure, boolean alsoHolds) {
    if (Double.isNaN(figure)) {
      return Verdict.NO_VERDICT;
    }
    double bar =
        comparison == Comparison.AT_LEAST ? threshold * (1 - slack) : threshold * (1 + slack);
    return comparison.holds(figure, bar) && alsoHolds ? Verdict.MEETS : onMiss;
  }

  /** A relative target's cell over any reference. */
  private Pattern relativeCell() {
    return Pattern.compile(
        Pattern.quote(prefix() + reference + " + " + unit.format(threshold) + " = ")
            + "-?[\\d,.]+"
            + Pattern.quote(unit.suffix() + qualifier));
  }

  /** The entry a row of {@code section} with target cell {@code cell} was built from, if any. */
  public static Optional<Target> find(String section, String cell) {
    for (Target t : values()) {
      if (!t.section.equals(section)) {
        continue;
      }
      if (t.relative() ? t.relativeCell().matcher(cell).matches() : t.cell().equals(cell)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
