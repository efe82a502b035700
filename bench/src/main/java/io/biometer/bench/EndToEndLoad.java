package io.biometer.bench;

import io.biometer.Topics;
import io.biometer.avro.BodyReading;
import io.biometer.avro.CleanReading;
import io.biometer.devstack.EmbeddedQuestDb;
import io.biometer.devstack.LocalStack;
import io.biometer.simulator.SimulatorRun;
import io.biometer.simulator.SimulatorSettings;
import io.biometer.simulator.engine.SimulationConfig;
import io.biometer.streams.StreamsApp;
import io.biometer.streams.StreamsAppConfig;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The end-to-end run itself: the streams app and a landing connector started, the simulator's load
 * for the run's length, sampled every 200 ms (readings produced, clean records out, rows landed),
 * then the drain, the ground truth read from the raw input, and the output read back.
 */
final class EndToEndLoad {

  private EndToEndLoad() {}

  /**
   * Starts the streams app and a landing connector, runs the load for {@code o.run()}, waits for
   * the rows to land, and reads the ground truth and the pipeline's output. {@code population}
   * gives the simulated population starting at a wall-clock instant (simulated time = wall time).
   */
  static EndToEndRun run(
      BenchStack bench,
      EndToEndOptions o,
      int patients,
      double offered,
      LongFunction<SimulationConfig> population,
      PrintStream err)
      throws Exception {
    LocalStack stack = bench.stack;
    Map<String, Object> v = new HashMap<>();
    String appId = "bench-e2e-" + UUID.randomUUID();
    v.put(StreamsAppConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    v.put(StreamsAppConfig.SCHEMA_REGISTRY_URL_CONFIG, stack.registryUrl());
    v.put(StreamsAppConfig.APPLICATION_ID_CONFIG, appId);
    v.put(StreamsAppConfig.STATE_DIR_CONFIG, bench.dir.resolve("state-" + appId).toString());
    v.put(StreamsAppConfig.PROCESSING_GUARANTEE_CONFIG, o.guarantee());
    v.put(StreamsAppConfig.METRICS_PORT_CONFIG, 0);
    v.put(StreamsAppConfig.METRICS_HOST_CONFIG, "127.0.0.1");
    // One duplicates counter per sink would be tens of thousands of series here.
    v.put(StreamsAppConfig.METRICS_PER_RELAY_CONFIG, false);
    v.putAll(o.overrides());
    v.put("kafka.consumer.auto.offset.reset", "earliest");

    Map<TopicPartition, Long> dlqBefore;
    try (Admin admin = bench.admin()) {
      dlqBefore = BenchStack.endOffsets(admin, List.of(Topics.DLQ));
    }
    EndToEndRun run;
    try (Landing landing = Landing.start(bench, "e2e");
        StreamsApp app = StreamsApp.start(new StreamsAppConfig(v))) {
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (app.state() != KafkaStreams.State.RUNNING) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the streams app is not RUNNING after 2 minutes");
        }
        LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
      }
      err.printf(
          Locale.ROOT,
          "biometer bench e2e: %,d virtual sensors at catalogue cadence, %,.0f readings/s, both"
              + " sinks relaying (%,.0f records/s in), %s, for %d s ...%n",
          patients * 10L,
          offered,
          offered * 2,
          o.guarantee(),
          o.run().toSeconds());
      run = load(bench, landing, population, o, err);
      run.dlq = PipelineCounts.dlqRecords(bench, dlqBefore);
      run.alertsLanded = PipelineCounts.count(stack, landing.alerts());
      run.alertsByRule = PipelineCounts.alertsByRule(stack, landing.alerts());
      run.aggregatesLanded = PipelineCounts.count(stack, landing.aggregates());
    }
    return run;
  }

  private static EndToEndRun load(
      BenchStack bench,
      Landing landing,
      LongFunction<SimulationConfig> population,
      EndToEndOptions o,
      PrintStream err)
      throws Exception {
    LocalStack stack = bench.stack;
    EndToEndRun run = new EndToEndRun();
    try (Admin admin = bench.admin();
        Connection sql = DriverManager.getConnection(stack.questdb().jdbcUrl(), "admin", "quest")) {
      long cleanBase =
          PipelineCounts.sum(BenchStack.endOffsets(admin, List.of(Topics.READINGS_CLEAN)));
      SimulatorSettings settings =
          new SimulatorSettings(
              stack.bootstrapServers(),
              stack.registryUrl(),
              population.apply(System.currentTimeMillis()),
              1,
              1,
              bench.dir.resolve("e2e-spool"),
              1L << 30,
              null,
              false,
              Map.of());
      SimulatorRun sim = SimulatorRun.start(settings);
      run.t0 = System.nanoTime();
      long end = run.t0 + o.run().toNanos();
      long nextProgress = run.t0 + Duration.ofSeconds(5).toNanos();
      try {
        while (System.nanoTime() < end) {
          sample(run, sim.counters().readings.sum(), admin, cleanBase, sql, landing);
          if (sim.failure() != null) {
            throw new IllegalStateException(
                "the simulator failed: " + sim.failure(), sim.failure());
          }
          if (System.nanoTime() >= nextProgress) {
            double[] s = run.samples.get(run.samples.size() - 1);
            err.printf(
                Locale.ROOT,
                "biometer bench e2e:   t=%3.0f s: %,.0f readings produced, %,.0f clean, %,.0f rows"
                    + " landed%n",
                s[0] / 1e9,
                s[1],
                s[2],
                s[3]);
            nextProgress += Duration.ofSeconds(5).toNanos();
            landing.failIfFailed();
          }
          LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
      } finally {
        run.sendEnd = System.nanoTime();
        sim.close();
      }
      run.simReadings = sim.counters().readings.sum();
      run.simCopies = sim.counters().copies.sum();
      run.simErrors = sim.stats().errors.sum();
      run.simLost = sim.stats().lostSpoolFull.sum() + sim.stats().rejected.sum();

      err.println("biometer bench e2e: reading the raw input (the ground truth) ...");
      run.input =
          ReadingLedger.read(
              stack,
              Topics.BODY_READINGS,
              BodyReading.class,
              "read_uncommitted",
              BodyReading::getDeviceId,
              BodyReading::getSequence,
              r -> r.getValues().size());

      // Until every row landed, or nothing moved for a minute (bounded: 10 minutes at most; a
      // backlog drains at the pipeline's own rate).
      err.printf("biometer bench e2e: waiting for %,d rows to land ...%n", run.input.rows());
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      long lastMove = System.nanoTime();
      double lastRows = -1;
      while (System.nanoTime() < deadline && System.nanoTime() - lastMove < 60e9) {
        sample(run, run.simReadings, admin, cleanBase, sql, landing);
        double[] s = run.samples.get(run.samples.size() - 1);
        if (s[3] != lastRows) {
          lastRows = s[3];
          lastMove = System.nanoTime();
        }
        if (s[3] >= run.input.rows()) {
          run.drainSeconds = (s[0] - (run.sendEnd - run.t0)) / 1e9;
          break;
        }
        LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
      }
      landing.failIfFailed();
      err.println("biometer bench e2e: reading telemetry.readings.clean (read_committed) ...");
      run.clean =
          ReadingLedger.read(
              stack,
              Topics.READINGS_CLEAN,
              CleanReading.class,
              "read_committed",
              CleanReading::getDeviceId,
              CleanReading::getSequence,
              r -> r.getValues().size());
      err.println("biometer bench e2e: counting rows in QuestDB ...");
      run.rows =
          EmbeddedQuestDb.countIfExists(sql, "SELECT count() FROM \"" + landing.readings() + "\"");
      run.distinctRows =
          EmbeddedQuestDb.countIfExists(
              sql,
              "SELECT count() FROM (SELECT DISTINCT device_id, sequence, channel FROM \""
                  + landing.readings()
                  + "\")");
    }
    return run;
  }

  private static void sample(
      EndToEndRun run, long readings, Admin admin, long cleanBase, Connection sql, Landing landing)
      throws Exception {
    long clean =
        PipelineCounts.sum(BenchStack.endOffsets(admin, List.of(Topics.READINGS_CLEAN)))
            - cleanBase;
    long rows;
    try {
      rows =
          EmbeddedQuestDb.countIfExists(sql, "SELECT count() FROM \"" + landing.readings() + "\"");
    } catch (SQLException e) {
      rows = run.samples.isEmpty() ? 0 : (long) run.samples.get(run.samples.size() - 1)[3];
    }
    run.samples.add(new double[] {System.nanoTime() - run.t0, readings, clean, rows});
  }
}
