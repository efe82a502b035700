package io.biometer.bench;

import java.util.Locale;
import java.util.Map;

/** The simulator bench's rows: heap per sensor, flat out against its baseline, live, the note. */
final class SimulatorRows {

  private SimulatorRows() {}

  /** The heap per virtual sensor against its target. */
  static void heap(BenchReport.Builder report, double heapPerSensor) {
    report.row(
        "heap per virtual sensor (100,000 sensors with their sinks, each fired)",
        String.format(Locale.ROOT, "%.0f B", heapPerSensor),
        "-",
        "",
        "",
        Target.SIMULATOR_HEAP.judge(heapPerSensor),
        Map.of("bytesPerSensor", Math.round(heapPerSensor)));
  }

  /**
   * The flat-out ratio against {@code ProducerPerformance}, the live run against the catalogue's
   * expectation, and the note.
   *
   * @param live {readings/s, expected readings/s} of 100,000 sensors at catalogue cadence
   * @param size the mean record size both sides sent
   * @param records the records each {@code ProducerPerformance} run sent
   */
  static void add(
      BenchReport.Builder report,
      SimulatorOptions o,
      int partitions,
      PairedRounds rounds,
      double[] live,
      int size,
      long records) {

    PairedRounds.Summary s = rounds.summary();
    report.row(
        "records/s, flat out (1,000 patients x 10 sensors, both sinks relaying)",
        Fmt.num(s.figure()),
        String.format(
            Locale.ROOT,
            "Kafka's `ProducerPerformance`, %d B records, same producer settings: %s",
            size,
            Fmt.num(s.baseline())),
        Fmt.ratio(s.median()),
        s.spread(),
        Target.SIMULATOR_THROUGHPUT.judge(s),
        Fmt.rounds(rounds));
    report.row(
        "simulator",
        "readings/s, 100,000 sensors at catalogue cadence",
        Fmt.num(live[0]),
        Fmt.num(live[1]) + " expected from the catalogue's cadences",
        Fmt.ratio(live[0] / live[1]),
        "",
        "",
        Verdict.NONE,
        Map.of("readingsPerSecond", live[0], "expected", live[1]));
    report.note(
        String.format(
            Locale.ROOT,
            "simulator: embedded KRaft broker, %d partitions; producer acks=all, idempotent, lz4,"
                + " linger 10 ms, 128 KiB batches; mean record %d B (key + Avro value;"
                + " `ProducerPerformance` sends a value of that size without a key); %d paired"
                + " rounds of %d s (the simulator after a %d s ramp; `ProducerPerformance` %,d"
                + " records), the first of each pair alternating, each run on an emptied topic,"
                + " after a `ProducerPerformance` and a simulator warm-up.",
            partitions,
            size,
            o.rounds(),
            o.round().toSeconds(),
            o.warmUp().toSeconds(),
            records));
  }
}
