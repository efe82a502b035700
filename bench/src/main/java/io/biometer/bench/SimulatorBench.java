package io.biometer.bench;

import io.biometer.avro.BodyReading;
import io.biometer.avro.Device;
import io.biometer.avro.MeterReading;
import io.biometer.avro.SinkStatus;
import io.biometer.devstack.LocalStack;
import io.biometer.simulator.SimulatorRun;
import io.biometer.simulator.SimulatorSettings;
import io.biometer.simulator.engine.GroundTruth;
import io.biometer.simulator.engine.Output;
import io.biometer.simulator.engine.Simulation;
import io.biometer.simulator.engine.SimulationConfig;
import io.biometer.simulator.kafka.KafkaOutput;
import io.biometer.simulator.model.SinkBatteryConfig;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The simulator benchmark: on one embedded broker, in one run, the simulator's records/s next to
 * Kafka's own {@code ProducerPerformance} with the same record size and producer settings (rounds
 * interleaved, the broker warmed up first); the heap per virtual sensor at 100,000 sensors; and
 * 100,000 sensors running at their catalogue cadence.
 */
public final class SimulatorBench {

  private SimulatorBench() {}

  /**
   * {@code ./biometer bench simulator}: a stack of its own, the table, the files in {@code out}.
   */
  static int run(String[] args, Path outDir, PrintStream out, PrintStream err) {
    return BenchRun.cli(
        "simulator",
        args,
        outDir,
        out,
        err,
        SimulatorOptions::parse,
        (o, report) -> {
          heap(report, err);
          try (BenchStack bench = new BenchStack("simulator")) {
            measure(bench, o, report, err);
          }
        });
  }

  /**
   * Measures the heap per virtual sensor (100,000 sensors) in this JVM and adds its row. Run it
   * before a stack starts, so that little else allocates meanwhile.
   */
  static void heap(BenchReport.Builder report, PrintStream err) {
    err.println(
        "biometer bench simulator: measuring heap per virtual sensor (100,000 sensors) ...");
    SimulatorRows.heap(report, heapPerSensor(10_000));
  }

  /**
   * Measures on {@code bench}: the simulator flat out against {@code ProducerPerformance} in paired
   * rounds, then 100,000 sensors at catalogue cadence; adds the rows to {@code report}. It writes
   * the telemetry topics and deletes what it wrote afterwards.
   */
  static void measure(
      BenchStack bench, SimulatorOptions o, BenchReport.Builder report, PrintStream err)
      throws Exception {
    LocalStack stack = bench.stack;
    Path dir = bench.dir;
    int partitions = stack.config().topicPartitions();
    bench.emptyPipelineTopics();
    bench.createTopic(ProducerPerformanceRun.TOPIC);
    Map<String, Object> producer = KafkaOutput.defaults();
    err.println("biometer bench simulator: warming up the broker with ProducerPerformance ...");
    ProducerPerformanceRun.measure(stack, producer, 120, o.quick() ? 300_000 : 1_000_000);
    err.println("biometer bench simulator: warm-up, simulator flat out (not counted) ...");
    double[] warm = simulatorFlatOut(stack, dir.resolve("spool-warm"), o.warmUp(), o.round());
    empty(bench);
    // Both sides send about as many records, of the simulator's mean size: ProducerPerformance
    // is given a record count, the simulator a time.
    int size = (int) Math.round(warm[1]);
    long records = Math.max(200_000, (long) (warm[0] * o.round().toSeconds()));

    PairedRounds rounds =
        PairedRounds.interleave(
            o.rounds(),
            r -> {
              err.printf(
                  "biometer bench simulator: round %d of %d, simulator flat out for %d s ...%n",
                  r + 1, o.rounds(), o.round().toSeconds());
              double sim =
                  simulatorFlatOut(stack, dir.resolve("spool-" + r), o.warmUp(), o.round())[0];
              // Each run starts on an empty topic, as the first did.
              empty(bench);
              return sim;
            },
            r -> {
              err.printf(
                  "biometer bench simulator: round %d of %d, ProducerPerformance, %,d records of"
                      + " %d B ...%n",
                  r + 1, o.rounds(), records, size);
              double pp = ProducerPerformanceRun.measure(stack, producer, size, records);
              empty(bench);
              return pp;
            },
            (r, sim, pp) ->
                err.printf(
                    Locale.ROOT,
                    "biometer bench simulator: round %d: %,.0f against %,.0f records/s, %.2fx%n",
                    r + 1,
                    sim,
                    pp,
                    sim / pp));
    err.printf(
        "biometer bench simulator: 100,000 sensors at catalogue cadence for %d s ...%n",
        o.round().toSeconds());
    double[] live = hundredThousandLive(stack, dir.resolve("spool-live"), o.warmUp(), o.round());
    empty(bench);
    SimulatorRows.add(report, o, partitions, rounds, live, size, records);
  }

  /** Deletes what a run wrote, so the next starts on empty topics and the disk stays free. */
  private static void empty(BenchStack bench) throws Exception {
    bench.emptyPipelineTopics();
    bench.emptyTopics(List.of(ProducerPerformanceRun.TOPIC));
  }

  /** Simulator flat out: returns {records/s over the round, mean record bytes}. */
  private static double[] simulatorFlatOut(
      LocalStack stack, Path spool, Duration warm, Duration round) {
    SimulationConfig sim =
        SimulationConfig.builder(7, System.currentTimeMillis() - Duration.ofDays(1).toMillis())
            .patients(1000)
            .cadence(Duration.ofMillis(1))
            .sinkBattery(SinkBatteryConfig.everlasting())
            .build();
    SimulatorSettings settings =
        new SimulatorSettings(
            stack.bootstrapServers(),
            stack.registryUrl(),
            sim,
            1,
            2,
            spool,
            1L << 30,
            null,
            false,
            Map.of());
    SimulatorRun run = SimulatorRun.start(settings);
    try {
      park(warm);
      long a0 = run.stats().acked.sum();
      long b0 = run.stats().bytes.sum();
      long t0 = System.nanoTime();
      park(round);
      long a1 = run.stats().acked.sum();
      long b1 = run.stats().bytes.sum();
      double secs = (System.nanoTime() - t0) / 1e9;
      return new double[] {(a1 - a0) / secs, (b1 - b0) / (double) Math.max(1, a1 - a0)};
    } finally {
      run.close();
    }
  }

  /** 10,000 patients x 10 sensors at catalogue cadence, speed 1: {readings/s, expected/s}. */
  private static double[] hundredThousandLive(
      LocalStack stack, Path spool, Duration warm, Duration round) {
    SimulationConfig sim =
        SimulationConfig.builder(9, System.currentTimeMillis())
            .patients(10_000)
            .sinkBattery(SinkBatteryConfig.defaults())
            .build();
    double expected = 0;
    for (var type : sim.sensorTypes()) {
      expected +=
          sim.patients()
              * 1000.0
              / io.biometer.catalog.SensorCatalog.standard().spec(type).cadence().toMillis();
    }
    SimulatorRun run =
        SimulatorRun.start(
            new SimulatorSettings(
                stack.bootstrapServers(),
                stack.registryUrl(),
                sim,
                1,
                2,
                spool,
                1L << 30,
                null,
                false,
                Map.of()));
    try {
      park(warm);
      long r0 = run.counters().readings.sum();
      long t0 = System.nanoTime();
      park(round);
      long r1 = run.counters().readings.sum();
      return new double[] {(r1 - r0) / ((System.nanoTime() - t0) / 1e9), expected};
    } finally {
      run.close();
    }
  }

  /** Heap held per virtual sensor, building {@code patients} x 10 sensors with their sinks. */
  static double heapPerSensor(int patients) {
    Output none =
        new Output() {
          @Override
          public void body(BodyReading copy) {}

          @Override
          public void meter(MeterReading sample) {}

          @Override
          public void sinkStatus(SinkStatus status) {}

          @Override
          public void device(Device device) {}
        };
    long before = usedAfterGc();
    Simulation sim =
        new Simulation(
            SimulationConfig.builder(1, 0)
                .patients(patients)
                .sinkBattery(SinkBatteryConfig.defaults())
                .build(),
            none,
            GroundTruth.NONE,
            2);
    // Fire every sensor a few times, so what a running sensor holds is counted too.
    sim.runUntil(300_000);
    long after = usedAfterGc();
    Reference.reachabilityFence(sim);
    return (after - before) / (patients * 10.0);
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static void park(Duration d) {
    long end = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < end) {
      LockSupport.parkNanos(end - System.nanoTime());
    }
  }
}
