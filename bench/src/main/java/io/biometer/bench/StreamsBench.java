package io.biometer.bench;

import io.biometer.Topics;
import io.biometer.avro.Alert;
import io.biometer.avro.BodyReading;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.Provenance;
import io.biometer.avro.RelayKind;
import io.biometer.avro.SensorType;
import io.biometer.devstack.LocalStack;
import io.biometer.serde.AvroDeserializer;
import io.biometer.serde.AvroSerdeConfig;
import io.biometer.serde.AvroSerializer;
import io.biometer.streams.Dedup;
import io.biometer.streams.StreamsApp;
import io.biometer.streams.StreamsAppConfig;
import io.biometer.streams.TelemetrySerdes;
import io.biometer.streams.internal.PipelineMetrics;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The streams benchmark, on one embedded broker in one run: the full topology's records/s next to a
 * pass-through topology (read, deserialize, serialize, write) over the same input, both
 * at-least-once; then event-to-alert latency p50/p99/p99.9 at 10,000 readings/s after a warm-up at
 * the same rate, at-least-once and exactly-once (with and without Kafka Streams' record cache),
 * next to a plain transactional producer's send-to-visible latency. Arguments {@code key=value} set
 * the app's config (as in its properties file) for every run.
 */
public final class StreamsBench {

  private static final int DEVICES = 1000;
  private static final String PASS_THROUGH = "bench.pass-through";
  private static final String CACHE_KEY = "kafka.statestore.cache.max.bytes";

  private StreamsBench() {}

  /**
   * What the command line asked for.
   *
   * @param quick shorter runs, fewer readings, no exactly-once throughput runs
   * @param latencyOnly skip the throughput rounds
   * @param rounds paired rounds of full topology and pass-through
   * @param eosThroughput also measure the full topology's exactly-once throughput in each round
   * @param cacheOn also measure exactly-once latency with Kafka Streams' default record cache
   * @param overrides app config for every run, as in the app's properties file
   */
  record Options(
      boolean quick,
      boolean latencyOnly,
      int rounds,
      boolean eosThroughput,
      boolean cacheOn,
      Map<String, Object> overrides,
      int readings,
      Duration latencyRun,
      Duration warmUp) {

    /**
     * Parses {@code --quick}, {@code --latency-only}, {@code --rounds=N} (default 5) and {@code
     * key=value} (app config, checked now so a wrong key fails before minutes of runs).
     *
     * @throws IllegalArgumentException naming the argument that is wrong
     */
    static Options parse(String[] args) {
      boolean quick = false;
      boolean latencyOnly = false;
      int rounds = PairedRounds.MIN_PAIRS;
      Map<String, Object> overrides = new HashMap<>();
      for (String a : args) {
        int eq = a.indexOf('=');
        if (a.equals("--quick")) {
          quick = true;
        } else if (a.equals("--latency-only")) {
          latencyOnly = true;
        } else if (a.startsWith("--rounds=")) {
          rounds = Args.positive(a);
        } else if (eq > 0 && !a.startsWith("-")) {
          overrides.put(a.substring(0, eq), a.substring(eq + 1));
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
          quick,
          latencyOnly,
          rounds,
          !quick,
          !overrides.containsKey(CACHE_KEY),
          overrides,
          quick ? 60_000 : 300_000,
          Duration.ofSeconds(quick ? 8 : 20),
          Duration.ofSeconds(quick ? 3 : 5));
    }

    /** The smallest run through every path (for tests; its figures mean nothing). */
    static Options tiny() {
      return new Options(
          true,
          false,
          1,
          false,
          false,
          Map.of(),
          10_000,
          Duration.ofSeconds(2),
          Duration.ofSeconds(1));
    }

    /** The same options without the record-cache latency run (the whole-pipeline bench's). */
    Options withoutCacheRun() {
      return new Options(
          quick,
          latencyOnly,
          rounds,
          eosThroughput,
          false,
          overrides,
          readings,
          latencyRun,
          warmUp);
    }
  }

  /**
   * {@code ./biometer bench streams}: a stack of its own (with QuestDB and Connect, so that the
   * latency runs land their output as the pipeline does), the table, the files in {@code out}.
   */
  static int run(String[] args, Path outDir, PrintStream out, PrintStream err) {
    return BenchRun.cli(
        "streams",
        args,
        outDir,
        out,
        err,
        Options::parse,
        (o, report) -> {
          err.println(
              "biometer bench streams: starting a private stack (Kafka, registry, QuestDB,"
                  + " Connect worker) ...");
          try (BenchStack bench = new BenchStack("streams", true)) {
            measure(bench, o, report, err);
          }
        });
  }

  /**
   * Measures on {@code bench} and adds the rows to {@code report}: full topology against
   * pass-through in paired rounds, then event-to-alert latency (and, where the stack has Connect,
   * event-to-row latency through a landing connector that runs meanwhile). Starts by emptying the
   * pipeline's topics.
   */
  static void measure(BenchStack bench, Options o, BenchReport.Builder report, PrintStream err)
      throws Exception {
    LocalStack stack = bench.stack;
    Path dir = bench.dir;
    Map<String, Object> overrides = o.overrides();
    int threads =
        new StreamsAppConfig(overrides).getInt(StreamsAppConfig.NUM_STREAM_THREADS_CONFIG);
    int readings = o.readings();
    bench.emptyPipelineTopics();
    bench.createTopic(PASS_THROUGH);
    register(stack);
    err.printf(
        "biometer bench streams: producing %,d readings, each relayed by two sinks (%,d records) ...%n",
        readings, readings * 2L);
    Instant base = Instant.now().minus(Duration.ofMinutes(50));
    try (KafkaProducer<String, SpecificRecord> p = producer(stack)) {
      for (int i = 0; i < readings; i++) {
        int device = i % DEVICES;
        long seq = i / DEVICES;
        Instant t = base.plusMillis(i * 2_400_000L / readings);
        double v = (seq / 20) % 2 == 0 ? 36.8 : 39.2;
        for (String sink : List.of("sink-a", "sink-b")) {
          p.send(
              new ProducerRecord<>(
                  Topics.BODY_READINGS,
                  null,
                  t.toEpochMilli(),
                  id(device),
                  reading(device, seq, t, v, sink)));
        }
      }
    }
    long input = readings * 2L;

    PairedRounds alos = new PairedRounds();
    PairedRounds eos = new PairedRounds();
    if (!o.latencyOnly()) {
      // The first run through a cold JVM and broker reads low whatever it is: warm up first.
      err.println("biometer bench streams: warm-up (full topology, not counted) ...");
      fullTopology(stack, dir, overrides, input, readings, StreamsConfig.AT_LEAST_ONCE);
      for (int r = 0; r < o.rounds(); r++) {
        double pass = Double.NaN;
        double full = Double.NaN;
        double fullEos = Double.NaN;
        // A run reads faster or slower by what ran just before it on the broker and in the JVM:
        // the pass-through runs second in every other round.
        for (int k = 0; k < 2; k++) {
          if ((k == 0) == PairedRounds.figureFirst(r)) {
            err.printf(
                "biometer bench streams: round %d of %d: full topology, at-least-once ...%n",
                r + 1, o.rounds());
            full =
                fullTopology(stack, dir, overrides, input, readings, StreamsConfig.AT_LEAST_ONCE);
            if (o.eosThroughput()) {
              err.printf(
                  "biometer bench streams: round %d of %d: full topology, exactly-once ...%n",
                  r + 1, o.rounds());
              fullEos =
                  fullTopology(
                      stack, dir, overrides, input, readings, StreamsConfig.EXACTLY_ONCE_V2);
            }
          } else {
            err.printf(
                "biometer bench streams: round %d of %d: pass-through ...%n", r + 1, o.rounds());
            pass = passThrough(stack, dir, overrides, input);
          }
        }
        err.printf(
            Locale.ROOT,
            "biometer bench streams: round %d: full %,.0f, pass-through %,.0f records/s, %.2fx%n",
            r + 1,
            full,
            pass,
            full / pass);
        alos.add(full, pass);
        eos.add(fullEos, pass);
      }
    }
    Landing.Factory landing = bench.hasConnect() ? prefix -> Landing.start(bench, prefix) : null;
    err.println(
        "biometer bench streams: event-to-alert latency at 10,000 readings/s, at-least-once"
            + (landing == null ? "" : ", landing in QuestDB")
            + " ...");
    Latency alosLat =
        latency(
            stack,
            dir,
            overrides,
            StreamsConfig.AT_LEAST_ONCE,
            o.warmUp(),
            o.latencyRun(),
            landing);
    err.println(
        "biometer bench streams: event-to-alert latency at 10,000 readings/s, exactly-once"
            + (landing == null ? "" : ", landing in QuestDB")
            + " ...");
    Latency eosLat =
        latency(
            stack,
            dir,
            overrides,
            StreamsConfig.EXACTLY_ONCE_V2,
            o.warmUp(),
            o.latencyRun(),
            landing);
    // The app turns Kafka Streams' record cache off under exactly-once; measure the default too,
    // unless the command line set the cache itself.
    Latency eosCached = null;
    if (o.cacheOn()) {
      Map<String, Object> cacheOn = new HashMap<>(overrides);
      cacheOn.put(CACHE_KEY, "10485760");
      err.println(
          "biometer bench streams: the same, exactly-once with Kafka Streams' default record"
              + " cache ...");
      eosCached =
          latency(
              stack,
              dir,
              cacheOn,
              StreamsConfig.EXACTLY_ONCE_V2,
              o.warmUp(),
              o.latencyRun(),
              landing);
    }
    err.println(
        "biometer bench streams: baseline, a transactional producer committing every 100 ms ...");
    Histogram txn = transactionalBaseline(bench, o.warmUp(), o.latencyRun());

    rows(report, stack, o, threads, input, alos, eos, alosLat, eosLat, eosCached, txn);
  }

  private static void rows(
      BenchReport.Builder report,
      LocalStack stack,
      Options o,
      int threads,
      long input,
      PairedRounds alos,
      PairedRounds eos,
      Latency alosLat,
      Latency eosLat,
      Latency eosCached,
      Histogram txn) {
    if (o.latencyOnly()) {
      report.row(
          "streams",
          "records/s, full topology (skipped: --latency-only)",
          "-",
          "-",
          "",
          "",
          Target.STREAMS_THROUGHPUT.cell(),
          Verdict.NO_VERDICT,
          Map.of());
    } else {
      PairedRounds.Summary s = alos.summary();
      report.row(
          String.format(
              "records/s, full topology, at-least-once (%,d records in: every reading twice)",
              input),
          Fmt.num(s.figure()),
          "pass-through (read, deserialize, serialize, write), same input and settings: "
              + Fmt.num(s.baseline()),
          Fmt.ratio(s.median()),
          s.spread(),
          Target.STREAMS_THROUGHPUT.judge(s),
          Fmt.rounds(alos));
      if (o.eosThroughput()) {
        PairedRounds.Summary e = eos.summary();
        report.row(
            "streams",
            "records/s, full topology, exactly-once",
            Fmt.num(e.figure()),
            "pass-through, at-least-once: " + Fmt.num(e.baseline()),
            Fmt.ratio(e.median()),
            e.spread(),
            "",
            Verdict.NONE,
            Fmt.rounds(eos));
      }
    }
    boolean landing = alosLat.toRow() != null;
    String load = "10,000 readings/s" + (landing ? ", landing in QuestDB meanwhile" : "");
    Histogram a = alosLat.eventToAlert();
    report.row(
        "event-to-alert p50 / p99 / p99.9, at-least-once, " + load,
        Fmt.percentiles(a),
        "alert produced-to-visible p50 / p99: " + pct2(alosLat.producedToVisible()),
        "",
        "",
        Target.ALERT_LATENCY_AT_LEAST_ONCE.judge(Fmt.p99(a)),
        alosLat.values());
    Histogram e = eosLat.eventToAlert();
    long floor = txn.getTotalCount() == 0 ? -1 : txn.getValueAtPercentile(99);
    report.row(
        "event-to-alert p50 / p99 / p99.9, exactly-once, " + load,
        Fmt.percentiles(e),
        "transactional producer floor p99 " + floor + " ms (next row)",
        "",
        "",
        Target.ALERT_LATENCY_EXACTLY_ONCE.judge(Fmt.p99(e), floor),
        eosLat.values());
    report.row(
        "latency",
        "send-to-visible p50 / p99 / p99.9, transactional producer committing every 100 ms,"
            + " 10,000 records/s, read_committed (no Streams): the exactly-once floor",
        Fmt.percentiles(txn),
        "-",
        "",
        "",
        "",
        Verdict.NONE,
        Fmt.latency(txn));
    if (eosCached != null) {
      report.row(
          "latency",
          "event-to-alert p50 / p99 / p99.9, exactly-once, Kafka Streams' default record cache"
              + " (10 MiB) on, "
              + load,
          Fmt.percentiles(eosCached.eventToAlert()),
          "the app's default (cache off): " + Fmt.percentiles(e),
          "",
          "",
          "",
          Verdict.NONE,
          eosCached.values());
    }
    if (landing) {
      for (Latency l : List.of(alosLat, eosLat)) {
        boolean atLeastOnce = l == alosLat;
        Histogram h = l.toRow();
        report.row(
            "event-to-row p50 / p99 / p99.9, body reading to queryable QuestDB row through"
                + " streams app and Connect, "
                + (atLeastOnce ? "at-least-once" : "exactly-once")
                + ", 10,000 readings/s",
            Fmt.percentiles(h) + Fmt.notYet(l.unseenRows()),
            "sink's allowed.lag 250 ms; rows polled over PG wire every 20 ms",
            "",
            "",
            Target.ROW_LATENCY.judge(Fmt.p99(h), l.unseenRows() == 0),
            Fmt.latency(h));
      }
    }
    report.note(
        String.format(
            Locale.ROOT,
            "streams: embedded KRaft broker, %d partitions, %d stream thread(s), %d devices, %,d"
                + " input records (every reading twice); records/s: steady rate, from 10%% to 90%%"
                + " of the output; %s; latency: %d s at 10,000 readings/s after a %d s warm-up at"
                + " the same rate (warm-up maxima %d / %d ms at-least-once / exactly-once, not"
                + " counted); alerts measured %,d / %,d; stream thread under exactly-once: commit"
                + " latency avg / max; mean time between commits %s%s%s.",
            stack.config().topicPartitions(),
            threads,
            DEVICES,
            input,
            o.latencyOnly()
                ? "throughput skipped"
                : o.rounds()
                    + " paired rounds after a warm-up run, full topology first in every other"
                    + " round",
            o.latencyRun().toSeconds(),
            o.warmUp().toSeconds(),
            alosLat.warmUp().getMaxValue(),
            eosLat.warmUp().getMaxValue(),
            alosLat.eventToAlert().getTotalCount(),
            eosLat.eventToAlert().getTotalCount(),
            eosLat.commits(),
            landing
                ? "; each latency run lands clean readings, alerts and aggregates in QuestDB"
                    + " through a connector of its own"
                : "",
            o.overrides().isEmpty() ? "" : "; app config " + o.overrides()));
  }

  private static String pct2(Histogram h) {
    return h == null || h.getTotalCount() == 0
        ? "-"
        : h.getValueAtPercentile(50) + " / " + h.getValueAtPercentile(99) + " ms";
  }

  private static double passThrough(
      LocalStack stack, Path dir, Map<String, Object> overrides, long input) throws Exception {
    TelemetrySerdes serdes = new TelemetrySerdes(stack.registryUrl());
    StreamsBuilder b = new StreamsBuilder();
    b.stream(
            Topics.BODY_READINGS,
            Consumed.with(Serdes.String(), serdes.body).withName("pass-source"))
        .to(PASS_THROUGH, Produced.with(Serdes.String(), serdes.body).withName("pass-sink"));
    // Exactly the Kafka Streams settings of the app at-least-once (clients, handlers, timestamp
    // extractor), so that the two differ by their topologies only.
    Map<String, Object> v =
        appValues(stack, dir, overrides, "bench-pass", StreamsConfig.AT_LEAST_ONCE, "earliest");
    Properties p = StreamsApp.properties(new StreamsAppConfig(v), PipelineMetrics.noop());
    try (KafkaStreams streams = new KafkaStreams(b.build(), p)) {
      return steadyRate(stack, streams::start, PASS_THROUGH, input, input);
    }
  }

  private static double fullTopology(
      LocalStack stack,
      Path dir,
      Map<String, Object> overrides,
      long input,
      long readings,
      String guarantee)
      throws Exception {
    Map<String, Object> v = appValues(stack, dir, overrides, "bench-full", guarantee, "earliest");
    StreamsApp[] app = new StreamsApp[1];
    try {
      double rate =
          steadyRate(
              stack,
              () -> app[0] = StreamsApp.start(new StreamsAppConfig(v)),
              Topics.READINGS_CLEAN,
              readings,
              input);
      checkDedup(app[0].metrics(), input, readings);
      return rate;
    } finally {
      if (app[0] != null) {
        app[0].close();
      }
    }
  }

  /**
   * The rate counts clean readings, so a dedup that let copies through would look fast: once every
   * input record went through dedup, exactly one copy of each reading must have passed and the
   * other dropped, or the run is void.
   */
  private static void checkDedup(PipelineMetrics metrics, long input, long readings) {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (metrics.count("biometer.records.in", "step", Dedup.STEP) < input
        && System.nanoTime() < deadline) {
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    }
    double in = metrics.count("biometer.records.in", "step", Dedup.STEP);
    double out = metrics.count("biometer.records.out", "step", Dedup.STEP);
    double dropped =
        metrics.registry().find("biometer.duplicates.dropped").counters().stream()
            .mapToDouble(c -> c.count())
            .sum();
    if (in != input || out != readings || dropped != input - readings) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "full topology: dedup took %.0f of %d records, passed %.0f (expected %d) and dropped"
                  + " %.0f (expected %d); this run's figure is void",
              in,
              input,
              out,
              readings,
              dropped,
              input - readings));
    }
  }

  /**
   * The app's config for one bench run, under a new application id starting {@code kind}: {@code
   * overrides} (the command line's) win, except the input's {@code offsetReset}.
   */
  private static Map<String, Object> appValues(
      LocalStack stack,
      Path dir,
      Map<String, Object> overrides,
      String kind,
      String guarantee,
      String offsetReset) {
    String appId = kind + "-" + UUID.randomUUID();
    Map<String, Object> v = new HashMap<>();
    v.put(StreamsAppConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    v.put(StreamsAppConfig.SCHEMA_REGISTRY_URL_CONFIG, stack.registryUrl());
    v.put(StreamsAppConfig.APPLICATION_ID_CONFIG, appId);
    v.put(StreamsAppConfig.STATE_DIR_CONFIG, dir.resolve("state-" + appId).toString());
    v.put(StreamsAppConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
    v.put(StreamsAppConfig.METRICS_PORT_CONFIG, 0);
    v.put(StreamsAppConfig.METRICS_HOST_CONFIG, "127.0.0.1");
    v.put(StreamsAppConfig.METRICS_PER_RELAY_CONFIG, false);
    v.put(StreamsAppConfig.AGGREGATION_UPDATE_INTERVAL_MS_CONFIG, 0L);
    v.putAll(overrides);
    v.put("kafka.consumer.auto.offset.reset", offsetReset);
    return v;
  }

  /**
   * Starts an app and returns its steady rate in input records/s: the time its {@code output} takes
   * from 10% to 90% of {@code outputs} new records, interpolated between samples taken every 10 ms,
   * scaled to the {@code input} records those outputs stand for. Start-up, rebalances (a second
   * stream thread joins while the first one already works) and the last partition's straggling tail
   * fall outside the window, for every topology alike.
   */
  private static double steadyRate(
      LocalStack stack, Runnable start, String output, long outputs, long input) throws Exception {
    try (EndOffsets ends = new EndOffsets(stack, output)) {
      long before = ends.sum();
      List<long[]> samples = new ArrayList<>(); // {nanoTime, new records}
      start.run();
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      long done = 0;
      samples.add(new long[] {System.nanoTime(), 0});
      while (done < outputs) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              String.format(
                  "benchmark reached %,d of %,d records on %s within 3 minutes",
                  done, outputs, output));
        }
        LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        done = ends.sum() - before;
        samples.add(new long[] {System.nanoTime(), done});
      }
      double seconds = (crossing(samples, outputs * 0.9) - crossing(samples, outputs * 0.1)) / 1e9;
      return input * 0.8 / seconds;
    }
  }

  /** When the samples' count first reached {@code level}, interpolated between two samples. */
  static double crossing(List<long[]> samples, double level) {
    for (int i = 1; i < samples.size(); i++) {
      long[] a = samples.get(i - 1);
      long[] b = samples.get(i);
      if (b[1] >= level) {
        double f = b[1] == a[1] ? 1 : (level - a[1]) / (double) (b[1] - a[1]);
        return a[0] + f * (b[0] - a[0]);
      }
    }
    throw new IllegalArgumentException("the samples never reach " + level);
  }

  /** The summed end offsets of one topic, through one admin client for a whole measurement. */
  private static final class EndOffsets implements AutoCloseable {
    private final Admin admin;
    private final Map<TopicPartition, OffsetSpec> query = new HashMap<>();

    EndOffsets(LocalStack stack, String topic) throws Exception {
      admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()));
      int partitions =
          admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      for (int i = 0; i < partitions; i++) {
        query.put(new TopicPartition(topic, i), OffsetSpec.latest());
      }
    }

    long sum() throws Exception {
      return admin.listOffsets(query).all().get().values().stream()
          .mapToLong(r -> r.offset())
          .sum();
    }

    @Override
    public void close() {
      admin.close();
    }
  }

  /** What one latency run measured. */
  /**
   * What one latency run measured: event-to-alert of the measured readings' alerts, their
   * produced-to-visible time, the warm-up's event-to-alert; the stream thread's commits; with a
   * landing connector, event-to-row of the measured readings and how many never became rows (null
   * and 0 without one).
   */
  private record Latency(
      Histogram eventToAlert,
      Histogram producedToVisible,
      Histogram warmUp,
      double commitAvgMs,
      double commitMaxMs,
      double commitPeriodMs,
      Histogram toRow,
      long unseenRows) {

    String commits() {
      return String.format(
          Locale.ROOT, "%.0f / %.0f ms; %.0f ms", commitAvgMs, commitMaxMs, commitPeriodMs);
    }

    Map<String, Object> values() {
      Map<String, Object> m = new java.util.LinkedHashMap<>(Fmt.latency(eventToAlert));
      m.put("producedToVisible", Fmt.latency(producedToVisible));
      m.put("warmUp", Fmt.latency(warmUp));
      m.put("commitAvgMs", commitAvgMs);
      m.put("commitMaxMs", commitMaxMs);
      m.put("commitPeriodMs", commitPeriodMs);
      if (toRow != null) {
        m.put("eventToRow", Fmt.latency(toRow));
        m.put("unseenRows", unseenRows);
      }
      return m;
    }
  }

  /**
   * Live readings at 10,000/s with event time now, first for {@code warmUp} (not counted), then for
   * {@code run}: alerts' arrival at a read_committed consumer minus the reading's event time. With
   * {@code landing}, a connector of its own lands the app's output in QuestDB meanwhile, and a
   * {@link RowPoller} measures each reading's event-to-row latency.
   */
  private static Latency latency(
      LocalStack stack,
      Path dir,
      Map<String, Object> config,
      String guarantee,
      Duration warmUp,
      Duration run,
      Landing.Factory landing)
      throws Exception {
    Map<String, Object> v = appValues(stack, dir, config, "bench-latency", guarantee, "latest");
    Histogram h = new Histogram(60_000, 3);
    Histogram visible = new Histogram(60_000, 3);
    Histogram warm = new Histogram(60_000, 3);
    long seqBase = 1_000_000;
    try (Landing sink =
            landing == null
                ? null
                : landing.start(
                    guarantee.equals(StreamsConfig.AT_LEAST_ONCE) ? "lat_alos" : "lat_eos");
        StreamsApp app = StreamsApp.start(new StreamsAppConfig(v))) {
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (app.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
        LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
      }
      AtomicBoolean stop = new AtomicBoolean();
      // Alerts for readings measured before this instant belong to the warm-up.
      AtomicLong measureFrom = new AtomicLong(Long.MAX_VALUE);
      // Rows of readings numbered from this one on are measured; those before are the warm-up.
      AtomicLong measureFromReading = new AtomicLong(Long.MAX_VALUE);
      AtomicLong published = new AtomicLong();
      int capacity = (int) (10_000 * (warmUp.toSeconds() + run.toSeconds() + 5));
      long[] eventTimes = new long[capacity];
      RowPoller rows =
          sink == null
              ? null
              : new RowPoller(
                      stack.questdb().jdbcUrl(),
                      sink.readings(),
                      "body_temperature",
                      (device, sequence) -> {
                        int d = deviceNumber(device);
                        return d < 0 ? -1 : (sequence - seqBase) * DEVICES + d;
                      },
                      eventTimes,
                      published,
                      measureFromReading)
                  .start();
      Thread consumer =
          new Thread(
              () -> consumeAlerts(stack, h, visible, warm, measureFrom, stop),
              "bench-alert-consumer");
      consumer.start();
      LockSupport.parkNanos(Duration.ofSeconds(2).toNanos());
      double[] commitsBefore = new double[1];
      long[] loopStart = new long[1];
      try (KafkaProducer<String, SpecificRecord> p = producer(stack, 5)) {
        paced(
            warmUp,
            run,
            () -> {
              measureFrom.set(System.currentTimeMillis());
              measureFromReading.set(published.get());
              commitsBefore[0] = threadMetric(app, "commit-total");
              loopStart[0] = System.nanoTime();
            },
            sent -> {
              if (sent >= capacity) {
                return;
              }
              int device = (int) (sent % DEVICES);
              long seq = seqBase + sent / DEVICES;
              // Each device alternates normal and fever every 10 readings: one transition a second.
              double value = (seq / 10) % 2 == 0 ? 36.8 : 39.2;
              Instant now = Instant.now();
              eventTimes[(int) sent] = now.toEpochMilli();
              published.set(sent + 1);
              p.send(
                  new ProducerRecord<>(
                      Topics.BODY_READINGS,
                      null,
                      now.toEpochMilli(),
                      id(device),
                      reading(device, seq, now, value, "sink-a")));
            });
      }
      // The commit period over the loaded seconds only: an idle app commits nothing.
      double commits = threadMetric(app, "commit-total") - commitsBefore[0];
      double period = (System.nanoTime() - loopStart[0]) / 1e6 / Math.max(1, commits);
      // The alerts of the last readings, and with a landing connector their rows, come after the
      // last send: wait for the rows (bounded), whose alerts came before them, or a fixed 3 s.
      long unseen = rows == null ? 0 : rows.finish(Duration.ofSeconds(30));
      LockSupport.parkNanos(Duration.ofSeconds(rows == null ? 3 : 1).toNanos());
      stop.set(true);
      consumer.join();
      if (sink != null) {
        sink.failIfFailed();
      }
      return new Latency(
          h,
          visible,
          warm,
          threadMetric(app, "commit-latency-avg"),
          threadMetric(app, "commit-latency-max"),
          period,
          rows == null ? null : rows.measured(),
          unseen);
    }
  }

  /** The number of device {@code id(n)}, or -1 for another id. */
  static int deviceNumber(String deviceId) {
    if (!deviceId.startsWith("bench-") || deviceId.length() < 10) {
      return -1;
    }
    try {
      return Integer.parseInt(deviceId.substring(6, 10));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Calls {@code send} with record numbers 0, 1, 2, ... at 10,000 a second (in ticks of 100) for
   * {@code warmUp} and then {@code run}; {@code measuring} runs once, when the warm-up ends. The
   * same load first warms up the JIT, the caches and the connections: the first seconds through a
   * fresh app measure its start, not its steady state.
   */
  static void paced(
      Duration warmUp, Duration run, Runnable measuring, java.util.function.LongConsumer send) {
    long start = System.nanoTime();
    long sent = 0;
    boolean measured = false;
    while (System.nanoTime() - start < warmUp.toNanos() + run.toNanos()) {
      if (!measured && System.nanoTime() - start >= warmUp.toNanos()) {
        measured = true;
        measuring.run();
      }
      for (int i = 0; i < 100; i++, sent++) {
        send.accept(sent);
      }
      long wait = start + sent * 100_000L - System.nanoTime(); // 10,000 per second
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
    }
  }

  /** A read_committed consumer's config that fetches without waiting for more bytes. */
  private static Map<String, Object> readCommitted(LocalStack stack, String offsetReset) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, offsetReset);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    return c;
  }

  /** A metric of the app's (single) stream thread; NaN when it has none yet. */
  private static double threadMetric(StreamsApp app, String name) {
    for (var e : app.streams().metrics().entrySet()) {
      if (e.getKey().group().equals("stream-thread-metrics") && e.getKey().name().equals(name)) {
        return ((Number) e.getValue().metricValue()).doubleValue();
      }
    }
    return Double.NaN;
  }

  /**
   * The exactly-once baseline: a plain transactional producer that commits every 100 ms at 10,000
   * records/s, and a read_committed consumer; send time to visibility.
   */
  private static Histogram transactionalBaseline(BenchStack bench, Duration warmUp, Duration run)
      throws Exception {
    LocalStack stack = bench.stack;
    String topic = "bench.transactional";
    bench.createTopic(topic);
    Histogram h = new Histogram(60_000, 3);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong measureFrom = new AtomicLong(Long.MAX_VALUE);
    Thread consumer =
        new Thread(
            () -> {
              try (KafkaConsumer<byte[], byte[]> k =
                  new KafkaConsumer<>(
                      readCommitted(stack, "earliest"),
                      new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                      new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
                k.subscribe(List.of(topic));
                while (!stop.get()) {
                  for (var r : k.poll(Duration.ofMillis(50))) {
                    if (r.timestamp() < measureFrom.get()) {
                      continue; // warm-up, as for the streams app
                    }
                    h.recordValue(
                        Math.max(0, Math.min(60_000, System.currentTimeMillis() - r.timestamp())));
                  }
                }
              }
            },
            "bench-transactional-consumer");
    consumer.start();
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-" + UUID.randomUUID());
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 10);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            p,
            new org.apache.kafka.common.serialization.ByteArraySerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      producer.initTransactions();
      LockSupport.parkNanos(Duration.ofSeconds(2).toNanos());
      long[] lastCommit = {System.nanoTime()};
      producer.beginTransaction();
      byte[] value = new byte[100];
      paced(
          warmUp,
          run,
          () -> measureFrom.set(System.currentTimeMillis()),
          sent -> {
            producer.send(
                new ProducerRecord<>(topic, null, System.currentTimeMillis(), null, value));
            // At the end of a tick of 100, as the streams app commits between batches.
            if (sent % 100 == 99 && System.nanoTime() - lastCommit[0] >= 100_000_000L) {
              producer.commitTransaction();
              producer.beginTransaction();
              lastCommit[0] = System.nanoTime();
            }
          });
      producer.commitTransaction();
    }
    LockSupport.parkNanos(Duration.ofSeconds(2).toNanos());
    stop.set(true);
    consumer.join();
    return h;
  }

  private static void consumeAlerts(
      LocalStack stack,
      Histogram h,
      Histogram visible,
      Histogram warm,
      AtomicLong measureFrom,
      AtomicBoolean stop) {
    AvroDeserializer<Alert> d = new AvroDeserializer<>(Alert.class);
    d.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, stack.registryUrl()), false);
    try (KafkaConsumer<String, Alert> consumer =
        new KafkaConsumer<>(readCommitted(stack, "latest"), new StringDeserializer(), d)) {
      consumer.subscribe(List.of(Topics.ALERTS));
      while (!stop.get()) {
        for (var r : consumer.poll(Duration.ofMillis(50))) {
          long now = System.currentTimeMillis();
          long eventTime = r.value().getEventTime().toEpochMilli();
          if (eventTime < measureFrom.get()) {
            warm.recordValue(Math.max(0, Math.min(60_000, now - eventTime)));
            continue;
          }
          h.recordValue(Math.max(0, Math.min(60_000, now - eventTime)));
          visible.recordValue(
              Math.max(0, Math.min(60_000, now - r.value().getDetectedAt().toEpochMilli())));
        }
      }
    }
  }

  private static void register(LocalStack stack) throws Exception {
    try (KafkaProducer<String, SpecificRecord> p = producer(stack)) {
      for (int i = 0; i < DEVICES; i++) {
        p.send(
            new ProducerRecord<>(
                Topics.DEVICES,
                id(i),
                Device.newBuilder()
                    .setDeviceId(id(i))
                    .setKind(DeviceKind.BODY_SENSOR)
                    .setSensorType(SensorType.BODY_TEMPERATURE)
                    .setOwnerId("patient-" + i)
                    .setRegisteredAt(Instant.EPOCH)
                    .build()));
      }
    }
  }

  private static String id(int device) {
    return String.format("bench-%04d.body_temperature", device);
  }

  private static BodyReading reading(int device, long seq, Instant t, double v, String sink) {
    return BodyReading.newBuilder()
        .setDeviceId(id(device))
        .setPatientId("patient-" + device)
        .setSensorType(SensorType.BODY_TEMPERATURE)
        .setSequence(seq)
        .setEventTime(t)
        .setValues(List.of(new ChannelValue("body_temperature", v)))
        .setBatteryPercent(90f)
        .setProvenance(new Provenance(RelayKind.SINK, sink, t, false))
        .build();
  }

  private static KafkaProducer<String, SpecificRecord> producer(LocalStack stack) {
    return producer(stack, 10);
  }

  private static KafkaProducer<String, SpecificRecord> producer(LocalStack stack, int lingerMs) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, stack.registryUrl());
    AvroSerializer<SpecificRecord> v = new AvroSerializer<>();
    v.configure(p, false);
    return new KafkaProducer<>(p, new StringSerializer(), v);
  }
}
