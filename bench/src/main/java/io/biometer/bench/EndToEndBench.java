package io.biometer.bench;

import io.biometer.Topics;
import io.biometer.avro.BodyReading;
import io.biometer.avro.CleanReading;
import io.biometer.avro.SensorType;
import io.biometer.catalog.SensorCatalog;
import io.biometer.devstack.EmbeddedQuestDb;
import io.biometer.devstack.LocalStack;
import io.biometer.serde.AvroDeserializer;
import io.biometer.serde.AvroSerdeConfig;
import io.biometer.simulator.SimulatorRun;
import io.biometer.simulator.SimulatorSettings;
import io.biometer.simulator.engine.GroundTruth;
import io.biometer.simulator.engine.Simulation;
import io.biometer.simulator.engine.SimulationConfig;
import io.biometer.simulator.kafka.KafkaOutput;
import io.biometer.simulator.kafka.RunStats;
import io.biometer.simulator.model.SinkBatteryConfig;
import io.biometer.simulator.spool.DiskSpool;
import io.biometer.streams.StreamsApp;
import io.biometer.streams.StreamsAppConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The whole pipeline under a sustained load, on one stack: the simulator's virtual sensors at their
 * catalogue cadence, every reading relayed by both of its patient's sinks (so two records in per
 * reading), through the streams app (validation, dedup, alerts, daily aggregation) and the QuestDB
 * sink into tables of the bench's own. It measures the readings/s that land while the load runs,
 * and then checks that nothing was lost or duplicated, from the ground truth rather than from the
 * pipeline: the simulator's counts and the raw input topic give the readings and their channels;
 * the distinct (device, sequence) pairs in {@code telemetry.readings.clean}, and the rows (count
 * and count distinct) in QuestDB, must match them exactly.
 */
public final class EndToEndBench {

  private static final long SEED = 20_260_512L;

  private EndToEndBench() {}

  /**
   * What the command line asked for.
   *
   * @param rate the readings/s offered (each relayed twice: twice as many records/s)
   * @param run how long the load runs
   * @param guarantee the streams app's processing guarantee
   * @param overrides app config for the run, as in the app's properties file
   * @param reference a run for reference beside the one with the app's defaults: no verdict
   */
  record Options(
      int rate, Duration run, String guarantee, Map<String, Object> overrides, boolean reference) {

    /** These options with {@code config} added to the app config, as a run for reference. */
    Options reference(Map<String, Object> config) {
      Map<String, Object> o = new LinkedHashMap<>(overrides);
      o.putAll(config);
      return new Options(rate, run, guarantee, Map.copyOf(o), true);
    }

    /**
     * Parses {@code --quick} (a 10 s run), {@code --seconds=N} (default 60), {@code --rate=N}
     * (readings/s, default 50,000), {@code --guarantee=exactly_once_v2|at_least_once} (default the
     * app's, exactly-once) and {@code key=value} (app config, checked now).
     *
     * @throws IllegalArgumentException naming the argument that is wrong
     */
    static Options parse(String[] args) {
      boolean quick = List.of(args).contains("--quick");
      int seconds = quick ? 10 : 60;
      int rate = 50_000;
      String guarantee = StreamsConfig.EXACTLY_ONCE_V2;
      Map<String, Object> overrides = new LinkedHashMap<>();
      for (String a : args) {
        if (a.equals("--quick")) {
          continue;
        }
        if (a.startsWith("--seconds=")) {
          seconds = Args.positive(a);
        } else if (a.startsWith("--rate=")) {
          rate = Args.positive(a);
        } else if (a.startsWith("--guarantee=")) {
          guarantee = a.substring(a.indexOf('=') + 1);
          if (!guarantee.equals(StreamsConfig.EXACTLY_ONCE_V2)
              && !guarantee.equals(StreamsConfig.AT_LEAST_ONCE)) {
            throw new IllegalArgumentException(a + ": expected exactly_once_v2 or at_least_once");
          }
        } else if (!a.startsWith("-") && a.indexOf('=') > 0) {
          overrides.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        } else {
          throw new IllegalArgumentException("unknown argument '" + a + "'");
        }
      }
      try {
        new StreamsAppConfig(overrides);
      } catch (org.apache.kafka.common.config.ConfigException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
      return new Options(
          rate, Duration.ofSeconds(seconds), guarantee, Map.copyOf(overrides), false);
    }
  }

  /** {@code ./biometer bench e2e}: a stack of its own, the table, the files in {@code out}. */
  static int run(String[] args, Path outDir, PrintStream out, PrintStream err) {
    return BenchRun.cli(
        "e2e",
        args,
        outDir,
        out,
        err,
        Options::parse,
        (o, report) -> {
          err.println(
              "biometer bench e2e: starting a private stack (Kafka, registry, QuestDB, Connect"
                  + " worker) ...");
          try (BenchStack bench = new BenchStack("e2e", true)) {
            measure(bench, o, report, err);
          }
        });
  }

  /** Readings/s of one patient's ten body sensors at the catalogue's cadences. */
  static double readingsPerPatient() {
    double r = 0;
    for (SensorType t : SimulationConfig.allBodyTypes()) {
      r += 1000.0 / SensorCatalog.standard().spec(t).cadence().toMillis();
    }
    return r;
  }

  /** Patients whose sensors, at catalogue cadence, send {@code rate} readings/s. */
  static int patients(int rate) {
    return (int) Math.max(1, Math.round(rate / readingsPerPatient()));
  }

  private static SimulationConfig population(int patients, long start) {
    return new SimulationConfig(
        SEED,
        start,
        patients,
        0,
        SimulationConfig.allBodyTypes(),
        null,
        true,
        0.5,
        0,
        0,
        Duration.ofMinutes(15),
        // Sinks never sleep: both relay every reading.
        SinkBatteryConfig.everlasting(),
        0.0012);
  }

  /**
   * Runs the load on {@code bench} (which must have QuestDB and Connect), checks the result, and
   * adds the rows to {@code report}. Starts by emptying the pipeline's topics.
   */
  static void measure(BenchStack bench, Options o, BenchReport.Builder report, PrintStream err)
      throws Exception {
    LocalStack stack = bench.stack;
    int patients = patients(o.rate());
    double offered = patients * readingsPerPatient();
    bench.emptyPipelineTopics();
    err.printf(
        "biometer bench e2e: registering %,d patients' devices (%,d virtual sensors) ...%n",
        patients, patients * 10L);
    register(bench, patients);

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
    Run run;
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
      run = load(bench, landing, app, patients, o, err);
      run.dlq = dlqRecords(bench, dlqBefore);
      run.alertsLanded = count(stack, landing.alerts());
      run.alertsByRule = alertsByRule(stack, landing.alerts());
      run.aggregatesLanded = count(stack, landing.aggregates());
    }
    rows(report, o, patients, offered, run);
  }

  /** Publishes the population's devices and waits until they are sent. */
  private static void register(BenchStack bench, int patients) {
    RunStats stats = new RunStats();
    try (DiskSpool spool = new DiskSpool(bench.dir.resolve("register-spool"), 1L << 28);
        KafkaOutput out =
            new KafkaOutput(
                Map.<String, Object>of("bootstrap.servers", bench.stack.bootstrapServers()),
                Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, bench.stack.registryUrl()),
                spool,
                stats,
                GroundTruth.NONE)) {
      new Simulation(population(patients, System.currentTimeMillis()), out, GroundTruth.NONE, 1)
          .registerDevices();
    }
  }

  /** What the load and the checks found. */
  static final class Run {
    final List<double[]> samples = new ArrayList<>(); // {nanos since start, readings, clean, rows}
    long t0;
    long sendEnd;
    long simReadings;
    long simCopies;
    long simErrors;
    long simLost;
    Truth input;
    Truth clean;
    long rows;
    long distinctRows;
    double drainSeconds = Double.NaN;
    long dlq;
    long alertsLanded;
    String alertsByRule = "";
    long aggregatesLanded;
  }

  private static Run load(
      BenchStack bench, Landing landing, StreamsApp app, int patients, Options o, PrintStream err)
      throws Exception {
    LocalStack stack = bench.stack;
    Run run = new Run();
    try (Admin admin = bench.admin();
        Connection sql = DriverManager.getConnection(stack.questdb().jdbcUrl(), "admin", "quest")) {
      long cleanBase = sum(BenchStack.endOffsets(admin, List.of(Topics.READINGS_CLEAN)));
      SimulatorSettings settings =
          new SimulatorSettings(
              stack.bootstrapServers(),
              stack.registryUrl(),
              population(patients, System.currentTimeMillis()),
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
          Truth.read(
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
          Truth.read(
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
      Run run, long readings, Admin admin, long cleanBase, Connection sql, Landing landing)
      throws Exception {
    long clean = sum(BenchStack.endOffsets(admin, List.of(Topics.READINGS_CLEAN))) - cleanBase;
    long rows;
    try {
      rows =
          EmbeddedQuestDb.countIfExists(sql, "SELECT count() FROM \"" + landing.readings() + "\"");
    } catch (SQLException e) {
      rows = run.samples.isEmpty() ? 0 : (long) run.samples.get(run.samples.size() - 1)[3];
    }
    run.samples.add(new double[] {System.nanoTime() - run.t0, readings, clean, rows});
  }

  private static long sum(Map<TopicPartition, Long> offsets) {
    return offsets.values().stream().mapToLong(Long::longValue).sum();
  }

  private static long dlqRecords(BenchStack bench, Map<TopicPartition, Long> before)
      throws Exception {
    try (Admin admin = bench.admin()) {
      return sum(BenchStack.endOffsets(admin, List.of(Topics.DLQ))) - sum(before);
    }
  }

  /** The most frequent alert kinds landed: {@code rule state count, ...}. */
  private static String alertsByRule(LocalStack stack, String table) {
    try (Connection sql = DriverManager.getConnection(stack.questdb().jdbcUrl(), "admin", "quest");
        var s = sql.createStatement();
        var rs =
            s.executeQuery(
                "SELECT rule, state, count() n FROM \""
                    + table
                    + "\" GROUP BY rule, state ORDER BY n DESC LIMIT 8")) {
      List<String> kinds = new ArrayList<>();
      while (rs.next()) {
        kinds.add(String.format("%s %s %,d", rs.getString(1), rs.getString(2), rs.getLong(3)));
      }
      return String.join(", ", kinds);
    } catch (SQLException e) {
      return "";
    }
  }

  private static long count(LocalStack stack, String table) throws SQLException {
    try (Connection sql =
        DriverManager.getConnection(stack.questdb().jdbcUrl(), "admin", "quest")) {
      return EmbeddedQuestDb.countIfExists(sql, "SELECT count() FROM \"" + table + "\"");
    }
  }

  /**
   * The per-series rate between two instants of the samples: the value at each is the last sample
   * at or before it (values move in steps: a flush, a fetch).
   */
  static double rate(List<double[]> samples, int series, double fromNanos, double toNanos) {
    double a = at(samples, series, fromNanos);
    double b = at(samples, series, toNanos);
    return (b - a) / ((toNanos - fromNanos) / 1e9);
  }

  private static double at(List<double[]> samples, int series, double nanos) {
    double v = 0;
    for (double[] s : samples) {
      if (s[0] > nanos) {
        break;
      }
      v = s[series];
    }
    return v;
  }

  private static void rows(
      BenchReport.Builder report, Options o, int patients, double offered, Run run) {
    // The window: from a fifth into the run (the app's first fetches, the sink's first flushes
    // and the first aggregates' emission are behind it) to the last send.
    double from = 0.2 * (run.sendEnd - run.t0);
    double to = run.sendEnd - run.t0;
    double rowsPerReading =
        run.input.distinct() == 0 ? 1 : run.input.rows() / (double) run.input.distinct();
    double produced = rate(run.samples, 1, from, to);
    double clean = rate(run.samples, 2, from, to);
    double landed = rate(run.samples, 3, from, to) / rowsPerReading;
    boolean keptUp = !Double.isNaN(run.drainSeconds) && run.drainSeconds <= 5;
    Map<String, Object> rv = new LinkedHashMap<>();
    rv.put("landedReadingsPerSecond", landed);
    rv.put("cleanReadingsPerSecond", clean);
    rv.put("producedReadingsPerSecond", produced);
    rv.put("offeredReadingsPerSecond", offered);
    rv.put("drainSeconds", run.drainSeconds);
    rv.put("seconds", o.run().toSeconds());
    rv.put("guarantee", o.guarantee());
    report.row(
        "end-to-end",
        String.format(
            Locale.ROOT,
            "readings/s landed in QuestDB while the load runs (%s%s, every reading relayed"
                + " twice: dedup, alerts, daily aggregation, landing)%s",
            o.guarantee(),
            o.overrides().isEmpty() ? "" : ", " + config(o.overrides()),
            o.reference() ? ", for reference" : ""),
        Fmt.num(landed),
        String.format(
            Locale.ROOT,
            "offered %s readings/s = %s records/s in; produced %s, clean out of streams %s;"
                + " last row landed %s s after the last send",
            Fmt.num(offered),
            Fmt.num(offered * 2),
            Fmt.num(produced),
            Fmt.num(clean),
            Double.isNaN(run.drainSeconds)
                ? "never"
                : String.format(Locale.ROOT, "%.1f", run.drainSeconds)),
        Fmt.ratio(landed / offered),
        "",
        o.reference() ? "" : Target.END_TO_END_THROUGHPUT.cell(),
        o.reference() ? Verdict.NONE : Target.END_TO_END_THROUGHPUT.judge(landed, keptUp).verdict(),
        rv);

    List<String> broken = new ArrayList<>();
    Truth in = run.input;
    Truth out = run.clean;
    if (run.simLost > 0) {
      broken.add(
          String.format("the simulator lost %,d records (spool full or refused)", run.simLost));
    }
    if (in.distinct() != run.simReadings) {
      broken.add(
          String.format(
              "the input holds %,d distinct readings, the simulator made %,d",
              in.distinct(), run.simReadings));
    }
    if (in.records() != run.simCopies) {
      broken.add(
          String.format(
              "the input holds %,d records, the simulator relayed %,d copies",
              in.records(), run.simCopies));
    }
    long missing = in.missingFrom(out);
    long phantom = out.missingFrom(in);
    long duplicates = out.records() - out.distinct();
    if (missing > 0) {
      broken.add(String.format("%,d readings of the input are not in the clean topic", missing));
    }
    if (phantom > 0) {
      broken.add(String.format("%,d clean readings are not in the input", phantom));
    }
    if (duplicates > 0) {
      broken.add(String.format("%,d duplicate records in the clean topic", duplicates));
    }
    if (run.rows != in.rows()) {
      broken.add(
          String.format(
              "QuestDB holds %,d rows, the input's readings have %,d channel values",
              run.rows, in.rows()));
    }
    if (run.distinctRows != run.rows) {
      broken.add(
          String.format(
              "QuestDB holds %,d rows but %,d distinct (device, sequence, channel)",
              run.rows, run.distinctRows));
    }
    Map<String, Object> cv = new LinkedHashMap<>();
    cv.put("simulatorReadings", run.simReadings);
    cv.put("simulatorCopies", run.simCopies);
    cv.put("simulatorSendErrors", run.simErrors);
    cv.put("inputRecords", in.records());
    cv.put("inputDistinctReadings", in.distinct());
    cv.put("inputReadingsRelayedTwice", in.twice());
    cv.put("expectedRows", in.rows());
    cv.put("cleanRecords", out.records());
    cv.put("cleanDistinctReadings", out.distinct());
    cv.put("missing", missing);
    cv.put("duplicates", duplicates);
    cv.put("phantoms", phantom);
    cv.put("questdbRows", run.rows);
    cv.put("questdbDistinctRows", run.distinctRows);
    cv.put("dlqRecords", run.dlq);
    cv.put("alertsLanded", run.alertsLanded);
    cv.put("dailyAggregatesLanded", run.aggregatesLanded);
    report.row(
        "loss and duplicates, checked against the ground truth"
            + (o.overrides().isEmpty() ? "" : " (" + config(o.overrides()) + ")"),
        String.format(
            "%,d lost, %,d duplicated: %,d readings made (%,d relayed twice); clean topic %,d"
                + " records, %,d distinct (device, sequence); QuestDB %,d rows, %,d distinct"
                + " (device, sequence, channel)",
            missing,
            duplicates,
            in.distinct(),
            in.twice(),
            out.records(),
            out.distinct(),
            run.rows,
            run.distinctRows),
        String.format(
            "ground truth: the simulator's counts (%,d readings, %,d copies) and the raw input"
                + " topic (%,d records; %,d channel values = rows expected)",
            run.simReadings, run.simCopies, in.records(), in.rows()),
        "",
        "",
        Target.END_TO_END_LOSS.judge(broken.size()),
        cv);
    for (String b : broken) {
      report.failure("end-to-end: " + b);
    }
    report.note(
        String.format(
            Locale.ROOT,
            "end-to-end: %,d patients x 10 body sensors = %,d virtual sensors at the catalogue's"
                + " cadences (seed %d, episodes 0.5 per sensor-hour, sinks that never sleep, so"
                + " both relay every reading), simulated time = wall time, for %d s; streams app"
                + " %s with its default settings%s, 1 stream thread; one landing connector (the"
                + " local run's config) into tables of its own; readings/s over the window from"
                + " %.0f s to the last send, from samples every 200 ms (produced: the simulator's"
                + " count; clean: the end offsets of telemetry.readings.clean; landed: rows in"
                + " QuestDB over PG wire, divided by %.3f channels per reading); kept up = the"
                + " last row landed within 5 s of the last send; the verdict allows 2%% under the"
                + " target for the landed count's flush steps. Alongside: %,d alerts (%s) and %,d"
                + " daily aggregates landed, %,d records to the DLQ.",
            patients,
            patients * 10L,
            SEED,
            o.run().toSeconds(),
            o.guarantee(),
            o.overrides().isEmpty() ? "" : " but " + config(o.overrides()),
            from / 1e9,
            rowsPerReading,
            run.alertsLanded,
            run.alertsByRule,
            run.aggregatesLanded,
            run.dlq));
  }

  /** App config as people write it: {@code a=1, b=2}. */
  private static String config(Map<String, Object> c) {
    return c.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .sorted()
        .collect(java.util.stream.Collectors.joining(", "));
  }

  /**
   * The (device, sequence) pairs of a topic, read from its start to its end: records, distinct
   * readings, readings seen twice, and the channel values of the distinct readings (the rows they
   * land as).
   */
  static final class Truth {
    private final Map<String, BitSet[]> seen = new HashMap<>(); // {once, twice}
    private long records;
    private long distinct;
    private long twice;
    private long rows;

    /** Adds one record of reading {@code sequence} of {@code device} with {@code channels}. */
    void add(String device, long sequence, int channels) {
      if (sequence < 0 || sequence > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "sequence " + sequence + " of " + device + " is outside what the check can hold");
      }
      BitSet[] b = seen.computeIfAbsent(device, d -> new BitSet[] {new BitSet(), new BitSet()});
      int s = (int) sequence;
      records++;
      if (!b[0].get(s)) {
        b[0].set(s);
        distinct++;
        rows += channels;
      } else if (!b[1].get(s)) {
        b[1].set(s);
        twice++;
      }
    }

    long records() {
      return records;
    }

    long distinct() {
      return distinct;
    }

    long twice() {
      return twice;
    }

    long rows() {
      return rows;
    }

    /** The distinct readings of this that {@code other} lacks. */
    long missingFrom(Truth other) {
      long n = 0;
      for (var e : seen.entrySet()) {
        BitSet[] o = other.seen.get(e.getKey());
        BitSet mine = (BitSet) e.getValue()[0].clone();
        if (o != null) {
          mine.andNot(o[0]);
        }
        n += mine.cardinality();
      }
      return n;
    }

    /** Reads {@code topic} from its start to its current end. */
    static <T extends org.apache.avro.specific.SpecificRecord> Truth read(
        LocalStack stack,
        String topic,
        Class<T> type,
        String isolation,
        Function<T, String> device,
        ToLongFunction<T> sequence,
        ToIntFunction<T> channels)
        throws Exception {
      AvroDeserializer<T> d = new AvroDeserializer<>(type);
      d.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, stack.registryUrl()), false);
      Map<String, Object> c = new HashMap<>();
      c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
      c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
      c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
      Truth t = new Truth();
      Deserializer<String> keys = new StringDeserializer();
      try (KafkaConsumer<String, T> k = new KafkaConsumer<>(c, keys, d)) {
        List<TopicPartition> parts =
            k.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
        k.assign(parts);
        k.seekToBeginning(parts);
        // read_committed: the end is the last stable offset, where the app's open transaction
        // (if any) begins; it moves on with each commit.
        Map<TopicPartition, Long> ends = k.endOffsets(parts);
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (parts.stream().anyMatch(p -> k.position(p) < ends.get(p))) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("reading " + topic + " took over 5 minutes");
          }
          for (var r : k.poll(Duration.ofMillis(200))) {
            T v = r.value();
            t.add(device.apply(v), sequence.applyAsLong(v), channels.applyAsInt(v));
          }
        }
      }
      return t;
    }
  }
}
