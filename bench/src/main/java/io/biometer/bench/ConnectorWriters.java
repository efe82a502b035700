package io.biometer.bench;

import io.biometer.avro.CleanReading;
import io.biometer.devstack.ConnectWorker;
import io.biometer.devstack.LocalStack;
import io.biometer.serde.AvroDeserializer;
import io.biometer.serde.AvroSerdeConfig;
import io.questdb.client.Sender;
import java.io.PrintStream;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The three writers of the connector bench's rounds, each into a fresh table of its own from the
 * same backlog: the sink through the real Connect worker, (b) a plain consumer with biometer's
 * deserializer and QuestDB's ILP client, and (a) the ILP client alone with the rows pre-built.
 */
final class ConnectorWriters {

  /**
   * The baselines flush every this many rows (or an eighth of a run's rows, if that is fewer: at
   * least 8 steps to see a rate in).
   */
  private static final int FLUSH_ROWS = 50_000;

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

  private final LocalStack stack;
  private final ConnectWorker worker;
  private final Map<String, String> connector;
  private final String ilp;
  private final Connection sql;
  private final List<IlpRow> prebuilt;
  private final long rows;
  private final PrintStream err;

  ConnectorWriters(
      LocalStack stack,
      ConnectWorker worker,
      Map<String, String> connector,
      String ilp,
      Connection sql,
      List<IlpRow> prebuilt,
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

  /** The sink through the real Connect worker, as connector {@code name}: its rows/s. */
  double connector(String name, String table) throws Exception {
    Map<String, String> c = new LinkedHashMap<>(connector);
    c.put(ConnectorWorkload.TABLE_KEY, table);
    try {
      // A new connector name is a new consumer group (connect-<name>): it reads from the start.
      return LandedRate.measure(
          sql,
          rows,
          err,
          table,
          () -> {
            worker.putConnector(name, c);
            return () -> failIfFailed(worker, name);
          });
    } finally {
      worker.deleteConnector(name, Duration.ofSeconds(60));
    }
  }

  /** (b) A plain consumer with biometer's deserializer and the ILP client: its rows/s. */
  double consumer(String table) throws Exception {
    QuestDbSql.exec(sql, String.format(DDL, table));
    int flush = flushRows(rows);
    return LandedRate.measure(
        sql,
        rows,
        err,
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
                  c.put(
                      ConsumerConfig.GROUP_ID_CONFIG, "bench-consumer-" + ConnectorWriters.uuid());
                  c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
                  long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                  try (KafkaConsumer<String, CleanReading> k =
                          new KafkaConsumer<>(c, new StringDeserializer(), d);
                      Sender s = Sender.fromConfig(ilp)) {
                    k.subscribe(List.of(ConnectorWorkload.TOPIC));
                    long written = 0;
                    long buffered = 0;
                    while (written + buffered < rows && System.nanoTime() < deadline) {
                      for (var r : k.poll(Duration.ofMillis(100))) {
                        int n = IlpRow.write(s, table, r.value());
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

  /** (a) The ILP client alone, writing the rows pre-built in memory: its rows/s. */
  double ilp(String table) throws Exception {
    QuestDbSql.exec(sql, String.format(DDL, table));
    int flush = flushRows(rows);
    return LandedRate.measure(
        sql,
        rows,
        err,
        table,
        () ->
            background(
                "bench-ilp",
                () -> {
                  try (Sender s = Sender.fromConfig(ilp)) {
                    int buffered = 0;
                    for (IlpRow r : prebuilt) {
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

  /** The baselines' flush size: {@link #FLUSH_ROWS}, or an eighth of the rows if that is fewer. */
  static int flushRows(long rows) {
    return (int) Math.max(1, Math.min(FLUSH_ROWS, rows / 8));
  }

  private interface Work {
    void run() throws Exception;
  }

  /** Runs {@code work} on a thread of its own; the probe throws what it threw. */
  private static LandedRate.Probe background(String name, Work work) {
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

  /** A short random name part. */
  static String uuid() {
    return UUID.randomUUID().toString().substring(0, 8);
  }
}
