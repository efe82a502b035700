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
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.tools.ProducerPerformance;

/**
 * The simulator benchmark: on one embedded broker, in one run, the simulator's records/s next to
 * Kafka's own {@code ProducerPerformance} with the same record size and producer settings (rounds
 * interleaved, the broker warmed up first); the heap per virtual sensor at 100,000 sensors; and
 * 100,000 sensors running at their catalogue cadence.
 */
public final class SimulatorBench {

  private static final String PP_TOPIC = "bench.producer-performance";

  private static final Pattern PP_SUMMARY =
      Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\)");

  private SimulatorBench() {}

  /** What the command line asked for. */
  record Options(boolean quick, int rounds, Duration round, Duration warmUp) {

    /**
     * Parses {@code --quick} and {@code --rounds=N} (paired rounds, default 5).
     *
     * @throws IllegalArgumentException naming the argument that is wrong
     */
    static Options parse(String[] args) {
      boolean quick = false;
      int rounds = PairedRounds.MIN_PAIRS;
      for (String a : args) {
        if (a.equals("--quick")) {
          quick = true;
        } else if (a.startsWith("--rounds=")) {
          rounds = Args.positive(a);
        } else {
          throw new IllegalArgumentException("unknown argument '" + a + "'");
        }
      }
      return new Options(
          quick, rounds, Duration.ofSeconds(quick ? 3 : 10), Duration.ofSeconds(quick ? 1 : 3));
    }

    /** The smallest run through every path (for tests; its figures mean nothing). */
    static Options tiny() {
      return new Options(true, 1, Duration.ofSeconds(1), Duration.ofSeconds(1));
    }
  }

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
        Options::parse,
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
    double heapPerSensor = heapPerSensor(10_000);
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
   * Measures on {@code bench}: the simulator flat out against {@code ProducerPerformance} in paired
   * rounds, then 100,000 sensors at catalogue cadence; adds the rows to {@code report}. It writes
   * the telemetry topics and deletes what it wrote afterwards.
   */
  static void measure(BenchStack bench, Options o, BenchReport.Builder report, PrintStream err)
      throws Exception {
    LocalStack stack = bench.stack;
    Path dir = bench.dir;
    int partitions = stack.config().topicPartitions();
    bench.emptyPipelineTopics();
    bench.createTopic(PP_TOPIC);
    Map<String, Object> producer = KafkaOutput.defaults();
    err.println("biometer bench simulator: warming up the broker with ProducerPerformance ...");
    producerPerformance(stack, producer, 120, o.quick() ? 300_000 : 1_000_000);
    err.println("biometer bench simulator: warm-up, simulator flat out (not counted) ...");
    double[] warm = simulatorFlatOut(stack, dir.resolve("spool-warm"), o.warmUp(), o.round());
    empty(bench);
    // Both sides send about as many records, of the simulator's mean size: ProducerPerformance
    // is given a record count, the simulator a time.
    int size = (int) Math.round(warm[1]);
    long records = Math.max(200_000, (long) (warm[0] * o.round().toSeconds()));

    PairedRounds rounds = new PairedRounds();
    for (int r = 0; r < o.rounds(); r++) {
      double sim = Double.NaN;
      double pp = Double.NaN;
      for (int k = 0; k < 2; k++) {
        if ((k == 0) == PairedRounds.figureFirst(r)) {
          err.printf(
              "biometer bench simulator: round %d of %d, simulator flat out for %d s ...%n",
              r + 1, o.rounds(), o.round().toSeconds());
          sim = simulatorFlatOut(stack, dir.resolve("spool-" + r), o.warmUp(), o.round())[0];
        } else {
          err.printf(
              "biometer bench simulator: round %d of %d, ProducerPerformance, %,d records of %d B"
                  + " ...%n",
              r + 1, o.rounds(), records, size);
          pp = producerPerformance(stack, producer, size, records);
        }
        // Each run starts on an empty topic, as the first did.
        empty(bench);
      }
      err.printf(
          Locale.ROOT,
          "biometer bench simulator: round %d: %,.0f against %,.0f records/s, %.2fx%n",
          r + 1,
          sim,
          pp,
          sim / pp);
      rounds.add(sim, pp);
    }
    err.printf(
        "biometer bench simulator: 100,000 sensors at catalogue cadence for %d s ...%n",
        o.round().toSeconds());
    double[] live = hundredThousandLive(stack, dir.resolve("spool-live"), o.warmUp(), o.round());
    empty(bench);

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

  /** Deletes what a run wrote, so the next starts on empty topics and the disk stays free. */
  private static void empty(BenchStack bench) throws Exception {
    bench.emptyPipelineTopics();
    bench.emptyTopics(List.of(PP_TOPIC));
  }

  /** Simulator flat out: returns {records/s over the round, mean record bytes}. */
  private static double[] simulatorFlatOut(
      LocalStack stack, Path spool, Duration warm, Duration round) {
    SimulationConfig sim =
        new SimulationConfig(
            7,
            System.currentTimeMillis() - Duration.ofDays(1).toMillis(),
            1000,
            0,
            SimulationConfig.allBodyTypes(),
            Duration.ofMillis(1),
            true,
            0.5,
            0,
            0,
            Duration.ofMinutes(15),
            SinkBatteryConfig.everlasting(),
            0.0012);
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
        new SimulationConfig(
            9,
            System.currentTimeMillis(),
            10_000,
            0,
            SimulationConfig.allBodyTypes(),
            null,
            true,
            0.5,
            0,
            0,
            Duration.ofMinutes(15),
            SinkBatteryConfig.defaults(),
            0.0012);
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

  /** Runs Kafka's ProducerPerformance in this JVM and returns its records/s. */
  private static double producerPerformance(
      LocalStack stack, Map<String, Object> producer, int recordSize, long records)
      throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--topic",
                PP_TOPIC,
                "--num-records",
                Long.toString(records),
                "--record-size",
                Integer.toString(recordSize),
                "--throughput",
                "-1",
                "--producer-props",
                "bootstrap.servers=" + stack.bootstrapServers()));
    producer.entrySet().stream()
        .filter(e -> !e.getKey().equals("client.id"))
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> args.add(e.getKey() + "=" + e.getValue()));
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      ProducerPerformance.main(args.toArray(String[]::new));
    } finally {
      System.setOut(original);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    Matcher m = PP_SUMMARY.matcher(text);
    double last = -1;
    while (m.find()) {
      if (Long.parseLong(m.group(1)) == records) {
        last = Double.parseDouble(m.group(2));
      }
    }
    if (last < 0) {
      throw new IllegalStateException("ProducerPerformance printed no summary:\n" + text);
    }
    return last;
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
            new SimulationConfig(
                1,
                0,
                patients,
                0,
                SimulationConfig.allBodyTypes(),
                null,
                true,
                0.5,
                0,
                0,
                Duration.ofMinutes(15),
                SinkBatteryConfig.defaults(),
                0.0012),
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
