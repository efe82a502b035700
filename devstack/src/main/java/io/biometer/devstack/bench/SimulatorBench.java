package io.biometer.devstack.bench;

import io.biometer.avro.BodyReading;
import io.biometer.avro.Device;
import io.biometer.avro.MeterReading;
import io.biometer.avro.SinkStatus;
import io.biometer.devstack.LocalStack;
import io.biometer.producers.SimulatorRun;
import io.biometer.producers.SimulatorSettings;
import io.biometer.producers.engine.GroundTruth;
import io.biometer.producers.engine.Output;
import io.biometer.producers.engine.Simulation;
import io.biometer.producers.engine.SimulationConfig;
import io.biometer.producers.kafka.KafkaOutput;
import io.biometer.producers.model.SinkBatteryConfig;
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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.tools.ProducerPerformance;

/**
 * The simulator benchmark: on one embedded broker, in one run, the simulator's records/s next to
 * Kafka's own {@code ProducerPerformance} with the same record size and producer settings (rounds
 * interleaved, the broker warmed up first); the heap per virtual sensor at 100,000 sensors; and
 * 100,000 sensors running at their catalogue cadence.
 */
public final class SimulatorBench {

  private static final Pattern PP_SUMMARY =
      Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\)");

  private SimulatorBench() {}

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    Duration round = quick ? Duration.ofSeconds(5) : Duration.ofSeconds(15);
    Duration warm = quick ? Duration.ofSeconds(2) : Duration.ofSeconds(5);

    out.println(
        "biometer bench simulator: measuring heap per virtual sensor (100,000 sensors) ...");
    double heapPerSensor = heapPerSensor(10_000);

    List<String> rows = new ArrayList<>();
    try (BenchStack bench = new BenchStack("simulator")) {
      LocalStack stack = bench.stack;
      Path dir = bench.dir;
      int partitions = stack.config().topicPartitions();
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
        admin.createTopics(List.of(bench.topic("bench.producer-performance"))).all().get();
      }
      Map<String, Object> producer = KafkaOutput.defaults();
      out.println("biometer bench simulator: warming up the broker with ProducerPerformance ...");
      producerPerformance(stack, producer, 120, quick ? 300_000 : 1_000_000);

      List<double[]> sims = new ArrayList<>();
      List<Double> pps = new ArrayList<>();
      for (int r = 1; r <= 2; r++) {
        out.printf(
            "biometer bench simulator: round %d, simulator flat out for %d s ...%n",
            r, round.toSeconds());
        double[] sim = simulatorFlatOut(stack, dir.resolve("spool-" + r), warm, round);
        sims.add(sim);
        long records = Math.max(200_000, (long) (sim[0] * round.toSeconds()));
        out.printf(
            "biometer bench simulator: round %d, ProducerPerformance, %d records of %d B ...%n",
            r, records, Math.round(sim[1]));
        pps.add(producerPerformance(stack, producer, (int) Math.round(sim[1]), records));
      }
      out.printf(
          "biometer bench simulator: 100,000 sensors at catalogue cadence for %d s ...%n",
          round.toSeconds());
      double[] live = hundredThousandLive(stack, dir.resolve("spool-live"), warm, round);

      double bestSim = sims.stream().mapToDouble(s -> s[0]).max().orElse(0);
      double bestPp = pps.stream().mapToDouble(Double::doubleValue).max().orElse(0);
      double size = sims.get(0)[1];
      rows.add(row("measure", "biometer", "baseline (same run, same broker)", "ratio", "target"));
      rows.add(row("---", "---", "---", "---", "---"));
      for (int i = 0; i < sims.size(); i++) {
        rows.add(
            row(
                "records/s, round " + (i + 1),
                fmt(sims.get(i)[0]),
                "ProducerPerformance " + fmt(pps.get(i)),
                ratio(sims.get(i)[0], pps.get(i)),
                ""));
      }
      rows.add(
          row(
              "records/s, best of 2",
              fmt(bestSim),
              "ProducerPerformance " + fmt(bestPp),
              ratio(bestSim, bestPp),
              ">= 0.80x"));
      rows.add(
          row(
              "heap per virtual sensor",
              String.format(Locale.ROOT, "%.0f B", heapPerSensor),
              "-",
              "-",
              "<= 2048 B"));
      rows.add(
          row(
              "100,000 sensors, readings/s",
              fmt(live[0]),
              fmt(live[1]) + " expected at catalogue cadence",
              ratio(live[0], live[1]),
              "~1.00x"));
      out.println();
      out.printf(
          "biometer bench simulator: embedded KRaft broker, %d partitions; producer acks=all, idempotent, lz4,"
              + " linger 10 ms, 128 KiB batches; mean record %.0f B (key + Avro value); %s rounds%n",
          partitions, size, round.toSeconds() + " s");
      rows.forEach(out::println);
    }
    return 0;
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
                "bench.producer-performance",
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

  private static String row(String... cells) {
    return "| " + String.join(" | ", cells) + " |";
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String ratio(double a, double b) {
    return b <= 0 ? "-" : String.format(Locale.ROOT, "%.2fx", a / b);
  }
}
