package io.biometer.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the truth check collected: the raw input as Kafka holds it, what it injected on purpose, the
 * simulator's ground truth, and what the pipeline produced (topics, read committed) and landed
 * (QuestDB). Filled by {@link TruthCheck}, judged by {@link Verdicts}.
 */
final class Evidence {

  /** A decoded raw reading record (one copy), in partition order. */
  record Raw(
      String topic,
      int partition,
      long offset,
      String device,
      String type,
      long sequence,
      long eventTime,
      Map<String, Double> values,
      String relay,
      boolean spooled,
      long arrival) {}

  /** A poison record the check injected, and the DLQ reason it must get. */
  record Poison(String reason, String deviceId, long day) {}

  /** A ground-truth episode. */
  record Episode(String device, String kind, long start, long end, long ramp) {}

  /** A landed reading row. */
  record Row(String device, long sequence, String channel, double value, String relay) {}

  /** An alert transition, from the topic. */
  record Alert(String device, String rule, String kind, String state, long eventTime) {}

  /** A landed daily aggregate. */
  record Aggregate(
      String device,
      String channel,
      long windowStart,
      long count,
      double min,
      double max,
      double mean,
      boolean isFinal) {}

  /** A landed loss-ledger row. */
  record Ledger(
      String device,
      long windowStart,
      long expected,
      long received,
      long gaps,
      long duplicates,
      long late,
      long tooLate,
      long dlq,
      Long firstSequence,
      Long lastSequence,
      boolean isFinal) {}

  final List<Raw> raw = new ArrayList<>();
  final List<Poison> poison = new ArrayList<>();

  /** Readings injected on purpose for a day that has closed: clean, but too late to aggregate. */
  final List<String> tooLateIds = new ArrayList<>();

  final List<Episode> episodes = new ArrayList<>();

  /** Ground truth: readings no sink relayed (device|sequence). */
  final List<String> neverRelayed = new ArrayList<>();

  long spooled;

  /** Ground truth: records the simulator spooled, as topic|key|sequence, with how many times. */
  final Map<String, Long> spooledIds = new HashMap<>();

  long lost;
  long meterBatches;
  long meterSamples;

  /** Sleep periods of sinks, from the sink-status topic. */
  long sinkSleeps;

  /** How long after its event time a reading counts as late (the pipeline's setting). */
  long lateAfter = 900_000;

  /** The aggregation grace (the pipeline's setting). */
  long grace = 36 * 3_600_000L;

  /** The simulator's cadence per device (what it was told), in ms. */
  final Map<String, Long> cadence = new HashMap<>();

  /** device|sequence of every record in telemetry.readings.clean, with repeats. */
  final List<String> clean = new ArrayList<>();

  final List<Alert> alerts = new ArrayList<>();
  final long[] sinkDownRaised = new long[1];
  final Map<String, Long> dlqByReason = new HashMap<>();
  final List<Row> rows = new ArrayList<>();
  final List<Aggregate> aggregates = new ArrayList<>();
  final List<Ledger> ledger = new ArrayList<>();
}
