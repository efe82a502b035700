package io.biometer.bench;

import io.biometer.Topics;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.CleanReading;
import io.biometer.avro.Provenance;
import io.biometer.avro.RelayKind;
import io.biometer.avro.SensorType;
import io.biometer.devstack.ConnectWorker;
import io.biometer.devstack.LocalStack;
import io.biometer.serde.AvroDeserializer;
import io.biometer.serde.AvroSerdeConfig;
import io.biometer.serde.AvroSerializer;
import io.questdb.client.Sender;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The QuestDB sink benchmark, on a stack with QuestDB and the Connect worker (no simulator, no
 * streams app running): the rows/s the sink lands through the real Connect worker (our converter
 * and sink) from a backlog of clean readings, next to (a) QuestDB's own ILP client writing the same
 * rows pre-built in memory, QuestDB's ingest limit here, and (b) a plain consumer with biometer's
 * deserializer and the ILP client writing the same rows, the same work without Connect, in paired
 * rounds whose order alternates; then event-to-queryable-row latency at 10,000 readings/s, seen
 * over QuestDB's PG wire. Arguments {@code key=value} set connector config for every connector run.
 */
public final class ConnectorBench {

  private static final int DEVICES = 1000;
  private static final String TOPIC = Topics.READINGS_CLEAN;
  private static final String TABLE_KEY = Landing.table(TOPIC);
  private static final String LAG_KEY = "allowed.lag";

  /**
   * The baselines flush every this many rows (or an eighth of a run's rows, if that is fewer: at
   * least 8 steps to see a rate in).
   */
  private static final int FLUSH_ROWS = 50_000;

  /** The latency run's readings numbers start here, above any backlog reading's sequence. */
  private static final long LATENCY_SEQUENCE_BASE = 1_000_000_000L;

  /**
   * The table the sink creates for the readings (sink-connectors/README.md), for the baselines'
   * tables; every run compares its tables' columns with the sink's own table of the same round.
   */
  static final String DDL =
      "CREATE TABLE \"%s\" (\"ts\" TIMESTAMP, \"device_id\" SYMBOL, \"owner_id\" SYMBOL,"
          + " \"sensor_type\" SYMBOL, \"sequence\" LONG, \"battery_percent\" DOUBLE,"
          + " \"relay_kind\" SYMBOL, \"relay_id\" VARCHAR, \"relayed_at\" TIMESTAMP,"
          + " \"spooled\" BOOLEAN, \"validated_at\" TIMESTAMP, \"channel\" SYMBOL,"
          + " \"value\" DOUBLE) TIMESTAMP(\"ts\") PARTITION BY DAY WAL"
          + " DEDUP UPSERT KEYS(\"ts\", \"device_id\", \"sequence\", \"channel\")";

  private ConnectorBench() {}

  /** What the command line asked for. */
  record Options(
      int readings, int rounds, Duration warmUp, Duration latencyRun, Map<String, String> config) {

    /**
     * Parses {@code --quick}, {@code --readings=N}, {@code --rounds=N} (paired rounds, default 5),
     * {@code --seconds=N} (the latency run) and {@code key=value} (connector config).
     *
     * @throws IllegalArgumentException naming the argument that is wrong
     */
    static Options parse(String[] args) {
      boolean quick = List.of(args).contains("--quick");
      int readings = quick ? 100_000 : 200_000;
      int rounds = PairedRounds.MIN_PAIRS;
      int seconds = quick ? 8 : 20;
      Map<String, String> config = new LinkedHashMap<>();
      for (String a : args) {
        if (a.equals("--quick")) {
          continue;
        }
        if (a.startsWith("--readings=")) {
          readings = Args.positive(a);
        } else if (a.startsWith("--rounds=")) {
          rounds = Args.positive(a);
        } else if (a.startsWith("--seconds=")) {
          seconds = Args.positive(a);
        } else if (!a.startsWith("-") && a.indexOf('=') > 0) {
          config.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        } else {
          throw new IllegalArgumentException("unknown argument '" + a + "'");
        }
      }
      if (readings < 1000) {
        throw new IllegalArgumentException(
            "--readings=" + readings + " is too few for a steady rate: give at least 1000");
      }
      if (config.containsKey(TABLE_KEY) || config.containsKey("topics")) {
        throw new IllegalArgumentException(
            "the bench sets " + TABLE_KEY + " and reads " + TOPIC + " itself");
      }
      Duration warmUp = Duration.ofSeconds(quick ? 2 : 5);
      return new Options(readings, rounds, warmUp, Duration.ofSeconds(seconds), Map.copyOf(config));
    }
  }

  /**
   * {@code ./biometer bench connector}: a stack of its own, the table, the files in {@code out}.
   */
  static int run(String[] args, Path outDir, PrintStream out, PrintStream err) {
    return BenchRun.cli(
        "connector",
        args,
        outDir,
        out,
        err,
        Options::parse,
        (o, report) -> {
          err.println(
              "biometer bench connector: starting a private stack (Kafka, registry, QuestDB,"
                  + " Connect worker) ...");
          try (BenchStack bench = new BenchStack("connector", true)) {
            measure(bench, o, report, err);
          }
        });
  }

  /**
   * Measures on {@code bench} (which must have QuestDB and Connect) and adds the rows to {@code
   * report}. Starts by emptying the pipeline's topics: the backlog is the only data on them.
   */
  static void measure(BenchStack bench, Options o, BenchReport.Builder report, PrintStream err)
      throws Exception {
    long rows = o.readings() * 2L;
    bench.emptyPipelineTopics();
    LocalStack stack = bench.stack;
    ConnectWorker worker = stack.connect();
    Map<String, String> connector = new LinkedHashMap<>(stack.connectorConfig());
    connector.putAll(o.config());
    String ilp =
        "http::addr="
            + stack.config().bindHost()
            + ":"
            + stack.config().questdbHttpPort()
            + ";auto_flush=off;protocol_version=2;";
    String jdbc = stack.questdb().jdbcUrl();
    try (Connection sql = DriverManager.getConnection(jdbc, "admin", "quest")) {
      err.printf(
          "biometer bench connector: producing %,d clean readings (%,d rows) to %s ...%n",
          o.readings(), rows, TOPIC);
      Instant base = Instant.now().minus(Duration.ofMinutes(50)).truncatedTo(ChronoUnit.MILLIS);
      List<Row> prebuilt = new ArrayList<>((int) rows);
      try (KafkaProducer<String, CleanReading> p = producer(stack, 10)) {
        for (int i = 0; i < o.readings(); i++) {
          CleanReading r =
              reading(i % DEVICES, i / DEVICES, base.plusMillis(i * 2_400_000L / o.readings()));
          p.send(new ProducerRecord<>(TOPIC, r.getDeviceId(), r));
          Row.addRows(r, prebuilt);
        }
      }
      Runs runs = new Runs(stack, worker, connector, ilp, sql, prebuilt, rows, err);

      // A first run through a cold JVM, worker and QuestDB reads low whatever it is.
      err.println("biometer bench connector: warm-up, one run of each (not counted) ...");
      runs.round("warm", true);
      PairedRounds vsConsumer = new PairedRounds();
      PairedRounds vsIlp = new PairedRounds();
      for (int r = 0; r < o.rounds(); r++) {
        // A run reads faster or slower by what ran just before it: alternate the order.
        double[] rates = runs.round("r" + (r + 1), !PairedRounds.figureFirst(r));
        vsConsumer.add(rates[0], rates[1]);
        vsIlp.add(rates[0], rates[2]);
      }

      err.printf(
          "biometer bench connector: event-to-queryable-row latency at 10,000 readings/s for"
              + " %d s after a %d s warm-up ...%n",
          o.latencyRun().toSeconds(), o.warmUp().toSeconds());
      Latency lat = latency(bench, worker, connector, jdbc, o.warmUp(), o.latencyRun());
      rows(report, stack, o, connector, rows, vsConsumer, vsIlp, lat);
    }
  }

  private static void rows(
      BenchReport.Builder report,
      LocalStack stack,
      Options o,
      Map<String, String> connector,
      long rows,
      PairedRounds vsConsumer,
      PairedRounds vsIlp,
      Latency lat) {
    PairedRounds.Summary b = vsConsumer.summary();
    PairedRounds.Summary a = vsIlp.summary();
    String lag = connector.getOrDefault(LAG_KEY, "500");
    report.row(
        String.format(
            "rows/s through Connect (AvroConverter + QuestDB sink, real worker), backlog of %,d rows",
            rows),
        Fmt.num(b.figure()),
        "(b) plain consumer, `AvroDeserializer<CleanReading>`, ILP client: "
            + Fmt.num(b.baseline()),
        Fmt.ratio(b.median()),
        b.spread(),
        Target.CONNECTOR_THROUGHPUT.judge(b),
        Fmt.rounds(vsConsumer));
    report.row(
        "connector",
        "rows/s through Connect against QuestDB's ingest limit",
        Fmt.num(a.figure()),
        "(a) ILP client alone, rows pre-built in memory: " + Fmt.num(a.baseline()),
        Fmt.ratio(a.median()),
        a.spread(),
        "",
        Verdict.NONE,
        Fmt.rounds(vsIlp));
    Map<String, Object> v = new LinkedHashMap<>(Fmt.latency(lat.measured()));
    v.put("sent", lat.sent());
    v.put("unseen", lat.unseen());
    v.put("warmUp", Fmt.latency(lat.warmUp()));
    v.put("polls", lat.polls());
    v.put("meanPollMs", lat.meanPollMs());
    Histogram h = lat.measured();
    report.row(
        "event-to-queryable-row p50 / p99 / p99.9, clean readings at 10,000 readings/s straight"
            + " to the sink",
        Fmt.percentiles(h) + Fmt.notYet(lat.unseen()),
        "sink's allowed.lag " + lag + " ms; rows polled over PG wire every 20 ms",
        "",
        "",
        Target.CONNECTOR_LATENCY.judge(Fmt.p99(h), lat.unseen() == 0),
        v);
    report.note(
        String.format(
            "connector: embedded KRaft broker (%d partitions), embedded QuestDB, one Connect worker"
                + " (child JVM, tasks.max=%s); %,d clean readings x 2 channels = %,d rows"
                + " pre-produced to %s; each run writes a fresh table (WAL, PARTITION BY DAY,"
                + " DEDUP UPSERT KEYS(ts, device_id, sequence, channel)); rows/s: steady rate, from"
                + " the flush that took the table past 10%% of the rows to the one that took it"
                + " past 90%% (counted over PG wire every 10 ms); connector: allowed.lag %s ms,"
                + " flush.max.records %s; baselines flush every %,d rows; %d paired rounds after"
                + " a warm-up round, the order of the three writers alternating; latency: %d s at"
                + " 10,000 readings/s after a %d s warm-up (%,d readings measured, %,d sent;"
                + " warm-up max %d ms)%s.",
            stack.config().topicPartitions(),
            connector.getOrDefault("tasks.max", "1"),
            o.readings(),
            rows,
            TOPIC,
            lag,
            connector.getOrDefault("flush.max.records", "50000"),
            flushRows(rows),
            o.rounds(),
            o.latencyRun().toSeconds(),
            o.warmUp().toSeconds(),
            h.getTotalCount(),
            lat.sent(),
            lat.warmUp().getMaxValue(),
            o.config().isEmpty() ? "" : "; connector config " + o.config()));
  }

  private static String fmt(double v) {
    return Fmt.num(v);
  }

  /** The baselines' flush size: {@link #FLUSH_ROWS}, or an eighth of the rows if that is fewer. */
  static int flushRows(long rows) {
    return (int) Math.max(1, Math.min(FLUSH_ROWS, rows / 8));
  }

  /** The three writers of a round, each into a fresh table of its own. */
  private static final class Runs {
    private final LocalStack stack;
    private final ConnectWorker worker;
    private final Map<String, String> connector;
    private final String ilp;
    private final Connection sql;
    private final List<Row> prebuilt;
    private final long rows;
    private final PrintStream err;

    Runs(
        LocalStack stack,
        ConnectWorker worker,
        Map<String, String> connector,
        String ilp,
        Connection sql,
        List<Row> prebuilt,
        long rows,
        PrintStream err) {
      this.stack = stack;
      this.worker = worker;
      this.connector = connector;
      this.ilp = ilp;
      this.sql = sql;
      this.prebuilt = prebuilt;
      this.rows = rows;
      this.err = err;
    }

    /**
     * Runs the connector, (b) and (a), in that order or reversed; returns their rows/s in that
     * order. The three tables must then hold the same rows in the same columns, or the round is
     * void; they are dropped afterwards.
     */
    double[] round(String label, boolean reversed) throws Exception {
      String connectorTable = "bench_connector_" + label;
      String consumerTable = "bench_consumer_" + label;
      String ilpTable = "bench_ilp_" + label;
      double[] rates = new double[3];
      for (int k = 0; k < 3; k++) {
        int which = reversed ? 2 - k : k;
        switch (which) {
          case 0 -> {
            err.printf("biometer bench connector: %s: connector (real worker) ...%n", label);
            rates[0] = connectorRun("bench-" + label + "-" + uuid(), connectorTable);
          }
          case 1 -> {
            err.printf(
                "biometer bench connector: %s: (b) consumer + deserializer + ILP client ...%n",
                label);
            rates[1] = consumerRun(consumerTable);
          }
          default -> {
            err.printf("biometer bench connector: %s: (a) ILP client alone ...%n", label);
            rates[2] = ilpRun(ilpTable);
          }
        }
        err.printf("biometer bench connector: %s: %s rows/s%n", label, fmt(rates[which]));
      }
      String expected = describe(connectorTable);
      for (String t : List.of(consumerTable, ilpTable)) {
        String found = describe(t);
        if (!found.equals(expected)) {
          throw new IllegalStateException(
              "round "
                  + label
                  + " is void: table "
                  + t
                  + " differs from the sink's "
                  + connectorTable
                  + ":\n  sink's: "
                  + expected
                  + "\n  "
                  + t
                  + ": "
                  + found);
        }
      }
      for (String t : List.of(connectorTable, consumerTable, ilpTable)) {
        exec(sql, "DROP TABLE \"" + t + "\"");
      }
      return rates;
    }

    /**
     * A table's kind, columns and content in brief: WAL, dedup, designated timestamp, partitioning;
     * each column's name, type and whether it is an upsert key; the row count, sequence sum, time
     * range and value sum.
     */
    private String describe(String table) throws SQLException {
      StringBuilder b = new StringBuilder();
      b.append(
          query(
              "SELECT walEnabled, dedup, designatedTimestamp, partitionBy FROM tables() WHERE"
                  + " table_name = '"
                  + table
                  + "'"));
      b.append(
          query(
              "SELECT \"column\", type, upsertKey FROM table_columns('"
                  + table
                  + "') ORDER BY \"column\""));
      b.append(
          query(
              "SELECT count(), sum(sequence), min(ts), max(ts), round(sum(value), 1),"
                  + " count_distinct(device_id) FROM \""
                  + table
                  + "\""));
      return b.toString();
    }

    private String query(String q) throws SQLException {
      StringBuilder b = new StringBuilder();
      try (Statement s = sql.createStatement();
          ResultSet rs = s.executeQuery(q)) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          b.append('[');
          for (int i = 1; i <= n; i++) {
            b.append(i > 1 ? ", " : "").append(rs.getString(i));
          }
          b.append(']');
        }
      }
      return b.toString();
    }

    private double connectorRun(String name, String table) throws Exception {
      Map<String, String> c = new LinkedHashMap<>(connector);
      c.put(TABLE_KEY, table);
      try {
        // A new connector name is a new consumer group (connect-<name>): it reads from the start.
        return steadyRate(
            table,
            () -> {
              worker.putConnector(name, c);
              return () -> failIfFailed(worker, name);
            });
      } finally {
        worker.deleteConnector(name, Duration.ofSeconds(60));
      }
    }

    private double consumerRun(String table) throws Exception {
      exec(sql, String.format(DDL, table));
      int flush = flushRows(rows);
      return steadyRate(
          table,
          () ->
              background(
                  "bench-consumer",
                  () -> {
                    AvroDeserializer<CleanReading> d = new AvroDeserializer<>(CleanReading.class);
                    d.configure(
                        Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, stack.registryUrl()),
                        false);
                    Map<String, Object> c = new HashMap<>();
                    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
                    c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-consumer-" + uuid());
                    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
                    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                    try (KafkaConsumer<String, CleanReading> k =
                            new KafkaConsumer<>(c, new StringDeserializer(), d);
                        Sender s = Sender.fromConfig(ilp)) {
                      k.subscribe(List.of(TOPIC));
                      long written = 0;
                      long buffered = 0;
                      while (written + buffered < rows && System.nanoTime() < deadline) {
                        for (var r : k.poll(Duration.ofMillis(100))) {
                          int n = write(s, table, r.value());
                          buffered += n;
                          if (buffered >= flush) {
                            s.flush();
                            written += buffered;
                            buffered = 0;
                          }
                        }
                      }
                      s.flush();
                    }
                  }));
    }

    private double ilpRun(String table) throws Exception {
      exec(sql, String.format(DDL, table));
      int flush = flushRows(rows);
      return steadyRate(
          table,
          () ->
              background(
                  "bench-ilp",
                  () -> {
                    try (Sender s = Sender.fromConfig(ilp)) {
                      int buffered = 0;
                      for (Row r : prebuilt) {
                        r.write(s, table);
                        if (++buffered >= flush) {
                          s.flush();
                          buffered = 0;
                        }
                      }
                      s.flush();
                    }
                  }));
    }

    /**
     * Starts a run and returns its steady rate in rows/s: the rows that became visible in {@code
     * table} from the first count at or past 10% of the rows to the first at or past 90%, over that
     * time. Rows land in steps, one per flush that QuestDB applies; interpolating within a step, as
     * the streams bench does for records, would count a whole flush as landed in 10 ms.
     */
    private double steadyRate(String table, Start start) throws Exception {
      List<long[]> samples = new ArrayList<>(); // {nanoTime, rows visible}
      Probe probe = start.start();
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      long visible = 0;
      samples.add(new long[] {System.nanoTime(), 0});
      long lastProgress = System.nanoTime();
      while (visible < rows) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              String.format("%,d of %,d rows visible in %s after 3 minutes", visible, rows, table));
        }
        LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        long now = System.nanoTime();
        long n = count(sql, table);
        if (n != visible) {
          samples.add(new long[] {now, n});
          visible = n;
        }
        if (now - lastProgress > Duration.ofSeconds(5).toNanos()) {
          err.printf(
              "biometer bench connector:   %,d of %,d rows in %s ...%n", visible, rows, table);
          lastProgress = now;
        }
        probe.check();
      }
      probe.check();
      if (visible != rows) {
        throw new IllegalStateException(
            String.format(
                "%s holds %,d rows, not %,d: this run's figure is void", table, visible, rows));
      }
      return rate(samples, rows);
    }
  }

  /**
   * Rows/s between the first sample at or past 10% of {@code rows} and the first at or past 90%;
   * NaN if one step took the count past both (too few rows to see a rate).
   */
  static double rate(List<long[]> samples, long rows) {
    long[] from = first(samples, rows * 0.1);
    long[] to = first(samples, rows * 0.9);
    if (from == to) {
      return Double.NaN;
    }
    return (to[1] - from[1]) / ((to[0] - from[0]) / 1e9);
  }

  private static long[] first(List<long[]> samples, double level) {
    for (long[] s : samples) {
      if (s[1] >= level) {
        return s;
      }
    }
    throw new IllegalArgumentException("the samples never reach " + level);
  }

  /** Starts a run; the probe it returns throws if the run has failed. */
  private interface Start {
    Probe start() throws Exception;
  }

  private interface Probe {
    void check() throws Exception;
  }

  private interface Work {
    void run() throws Exception;
  }

  /** Runs {@code work} on a thread of its own; the probe throws what it threw. */
  private static Probe background(String name, Work work) {
    AtomicReference<Throwable> failed = new AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              try {
                work.run();
              } catch (Throwable e) {
                failed.set(e);
              }
            },
            name);
    t.setDaemon(true);
    t.start();
    return () -> {
      Throwable e = failed.get();
      if (e != null) {
        throw new IllegalStateException(name + " failed: " + e, e);
      }
    };
  }

  private static final AtomicLong STATUS_CHECKS = new AtomicLong();

  /** Every 50th call (about every half second), throws if the connector or a task failed. */
  private static void failIfFailed(ConnectWorker worker, String name) throws Exception {
    if (STATUS_CHECKS.incrementAndGet() % 50 != 0) {
      return;
    }
    var status = worker.status(name);
    if (status == null) {
      return;
    }
    for (var t : status.path("tasks")) {
      if ("FAILED".equals(t.path("state").asText())) {
        throw new IllegalStateException(
            "task of connector " + name + " failed: " + t.path("trace").asText());
      }
    }
    if ("FAILED".equals(status.path("connector").path("state").asText())) {
      throw new IllegalStateException(
          "connector " + name + " failed: " + status.path("connector").path("trace").asText());
    }
  }

  /** Rows in {@code table}; 0 while it does not exist (the sink creates it with its first row). */
  private static long count(Connection sql, String table) throws SQLException {
    return io.biometer.devstack.EmbeddedQuestDb.countIfExists(
        sql, "SELECT count() FROM \"" + table + "\"");
  }

  private static void exec(Connection sql, String statement) throws SQLException {
    try (Statement s = sql.createStatement()) {
      s.execute(statement);
    }
  }

  private static String uuid() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * What the latency run measured: the readings sent after the warm-up ({@code sent}) and the
   * latency of those seen; the warm-up's; readings never seen; the poller's queries.
   */
  private record Latency(
      Histogram measured,
      Histogram warmUp,
      long sent,
      long unseen,
      long polls,
      double meanPollMs) {}

  /**
   * Live readings at 10,000/s with event time now, for {@code warmUp} (not counted) and then {@code
   * run}, into a fresh connector and table that start at the topic's end; a {@link RowPoller} over
   * PG wire sees when each row became visible. A reading's latency is the time its row was first
   * returned minus its event time.
   */
  private static Latency latency(
      BenchStack bench,
      ConnectWorker worker,
      Map<String, String> connector,
      String jdbc,
      Duration warmUp,
      Duration run)
      throws Exception {
    String name = "bench-latency-" + uuid();
    String table = "bench_latency_" + uuid();
    bench.startAtEnd("connect-" + name, Landing.TOPICS);
    Map<String, String> c = new LinkedHashMap<>(connector);
    c.put(TABLE_KEY, table);
    worker.putConnector(name, c);
    try {
      worker.awaitRunning(name, Duration.ofSeconds(90));
      int capacity = (int) (10_000 * (warmUp.toSeconds() + run.toSeconds() + 5));
      long[] eventTimes = new long[capacity];
      AtomicLong published = new AtomicLong();
      // Readings numbered from this one on are measured; those before it are the warm-up.
      AtomicLong measureFrom = new AtomicLong(Long.MAX_VALUE);
      RowPoller poller =
          new RowPoller(
                  jdbc,
                  table,
                  "systolic",
                  (device, sequence) -> sequence - LATENCY_SEQUENCE_BASE,
                  eventTimes,
                  published,
                  measureFrom)
              .start();
      try (KafkaProducer<String, CleanReading> p = producer(bench.stack, 5)) {
        Paced.run(
            warmUp,
            run,
            () -> measureFrom.set(published.get()),
            sent -> {
              if (sent >= capacity) {
                return;
              }
              Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
              eventTimes[(int) sent] = now.toEpochMilli();
              published.set(sent + 1);
              CleanReading r = reading((int) (sent % DEVICES), LATENCY_SEQUENCE_BASE + sent, now);
              p.send(new ProducerRecord<>(TOPIC, r.getDeviceId(), r));
            });
      }
      // The last readings land within allowed.lag and a flush; wait for them, bounded.
      long unseen = poller.finish(Duration.ofSeconds(30));
      return new Latency(
          poller.measured(),
          poller.warmUp(),
          published.get() - Math.min(measureFrom.get(), published.get()),
          unseen,
          poller.polls(),
          poller.meanPollMs());
    } finally {
      worker.deleteConnector(name, Duration.ofSeconds(60));
      exec(bench, "DROP TABLE IF EXISTS \"" + table + "\"");
    }
  }

  private static void exec(BenchStack bench, String statement) {
    try (Connection sql =
        DriverManager.getConnection(bench.stack.questdb().jdbcUrl(), "admin", "quest")) {
      exec(sql, statement);
    } catch (SQLException e) {
      // a table left behind goes with the stack's folder
    }
  }

  /**
   * A blood-pressure reading with two channels, so two rows: device {@code device}, its {@code
   * sequence}, measured at {@code t}.
   */
  static CleanReading reading(int device, long sequence, Instant t) {
    return CleanReading.newBuilder()
        .setDeviceId(String.format("bench-%04d.blood_pressure", device))
        .setOwnerId(String.format("patient-%04d", device))
        .setSensorType(SensorType.BLOOD_PRESSURE)
        .setSequence(sequence)
        .setEventTime(t)
        .setValues(
            List.of(
                new ChannelValue("systolic", 110.0 + (sequence % 30)),
                new ChannelValue("diastolic", 70.0 + (sequence % 20))))
        .setBatteryPercent(90f)
        .setProvenance(new Provenance(RelayKind.SINK, "sink-a", t.plusMillis(40), false))
        .setValidatedAt(t.plusMillis(80))
        .build();
  }

  /**
   * Writes the rows of {@code r} as the sink does: the symbols first, then the other columns in
   * field order, the event time as the designated timestamp. Returns the number of rows.
   */
  private static int write(Sender s, String table, CleanReading r) {
    List<ChannelValue> values = r.getValues();
    for (ChannelValue v : values) {
      Row.of(r, v).write(s, table);
    }
    return values.size();
  }

  /** One row as the sink writes it, already decoded. */
  private record Row(
      String deviceId,
      String ownerId,
      String sensorType,
      String relayKind,
      String channel,
      long sequence,
      double batteryPercent,
      String relayId,
      long relayedAtMicros,
      boolean spooled,
      long validatedAtMicros,
      double value,
      long tsMicros) {

    static Row of(CleanReading r, ChannelValue v) {
      Provenance p = r.getProvenance();
      return new Row(
          r.getDeviceId(),
          r.getOwnerId(),
          r.getSensorType().name(),
          p.getRelayKind().name(),
          v.getChannel(),
          r.getSequence(),
          r.getBatteryPercent(),
          p.getRelayId(),
          p.getRelayedAt().toEpochMilli() * 1000L,
          p.getSpooled(),
          r.getValidatedAt().toEpochMilli() * 1000L,
          v.getValue(),
          r.getEventTime().toEpochMilli() * 1000L);
    }

    static void addRows(CleanReading r, List<Row> into) {
      for (ChannelValue v : r.getValues()) {
        into.add(of(r, v));
      }
    }

    void write(Sender s, String table) {
      s.table(table)
          .symbol("device_id", deviceId)
          .symbol("owner_id", ownerId)
          .symbol("sensor_type", sensorType)
          .symbol("relay_kind", relayKind)
          .symbol("channel", channel)
          .longColumn("sequence", sequence)
          .doubleColumn("battery_percent", batteryPercent)
          .stringColumn("relay_id", relayId)
          .timestampColumn("relayed_at", relayedAtMicros, ChronoUnit.MICROS)
          .boolColumn("spooled", spooled)
          .timestampColumn("validated_at", validatedAtMicros, ChronoUnit.MICROS)
          .doubleColumn("value", value)
          .at(tsMicros, ChronoUnit.MICROS);
    }
  }

  private static KafkaProducer<String, CleanReading> producer(LocalStack stack, int lingerMs) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, stack.registryUrl());
    AvroSerializer<CleanReading> v = new AvroSerializer<>();
    v.configure(p, false);
    return new KafkaProducer<>(p, new StringSerializer(), v);
  }
}
