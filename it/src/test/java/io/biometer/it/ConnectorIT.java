package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.biometer.Topics;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.CleanReading;
import io.biometer.avro.Provenance;
import io.biometer.avro.RelayKind;
import io.biometer.avro.SensorType;
import io.biometer.devstack.*;
import io.biometer.serde.AvroSerdeConfig;
import io.biometer.serde.AvroSerializer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The QuestDB sink in a real Kafka Connect worker (the local run's, a child JVM that loads the
 * plugin from plugin.path) against the local run's QuestDB. Each test has its own topic, table and
 * connector, so they do not see each other's rows.
 */
class ConnectorIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long T0 = 1_764_000_000_000L;

  @TempDir static Path data;
  static LocalStack stack;
  static Map<String, String> base;

  @BeforeAll
  static void start() throws Exception {
    Map<String, String> values = StackFixture.values(data, true);
    values.put(DevStackConfig.CONNECT_ENABLED_CONFIG, "true");
    values.put(DevStackConfig.CONNECT_PORT_CONFIG, Integer.toString(StackFixture.freePort()));
    stack = LocalStack.start(new DevStackConfig(values));
    base =
        ConnectWorker.readConnectorConfig(
            LocalStack.pluginFile(LocalStack.defaultPluginPath(), "etc/questdb-sink.json"));
    base.put("value.converter.schema.registry.url", stack.registryUrl());
    base.put("client.conf.string", "http::addr=" + stack.questdb().httpUrl().substring(7) + ";");
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void theLocalRunsConnectorIsRunningAndListensOnLoopback() throws Exception {
    JsonNode status = stack.connect().status(LocalStack.CONNECTOR);
    assertThat(ConnectWorker.allRunning(status)).as(status.toString()).isTrue();
    assertThat(stack.connect().url()).startsWith("http://127.0.0.1:");
    assertThat(stack.describe())
        .anyMatch(l -> l.contains("questdb-sink RUNNING, 1/1 tasks RUNNING"));
  }

  @Test
  void theSameRecordsDeliveredTwiceGiveTheSameRows() throws Exception {
    String topic = topic("twice", 2);
    List<CleanReading> readings = readings("bp-twice", 0, 100);
    produce(topic, readings);
    produce(topic, readings); // a producer retry, a replay: every record twice in the topic
    deploy("twice", topic, "twice_readings", Map.of());
    awaitRows("twice_readings", 200);
    assertThat(rows("SELECT device_id, sequence, channel, value FROM twice_readings"))
        .containsExactlyInAnyOrderElementsOf(expectedRows(readings));
  }

  @Test
  void aPoisonRecordGoesToConnectsDlqWhileItsNeighboursLand() throws Exception {
    String topic = topic("poison", 1);
    List<CleanReading> before = readings("bp-poison", 0, 10);
    List<CleanReading> after = readings("bp-poison", 10, 10);
    produce(topic, before);
    produceRaw(topic, new byte[] {0, 0, 0, 0x7f, 0x7f, 1, 2, 3}); // unknown schema id
    produceRaw(topic, new byte[] {9, 9, 9}); // not the wire format at all
    produce(topic, after);
    deploy("poison", topic, "poison_readings", Map.of());
    awaitRows("poison_readings", 40);
    List<CleanReading> all = new ArrayList<>(before);
    all.addAll(after);
    assertThat(rows("SELECT device_id, sequence, channel, value FROM poison_readings"))
        .containsExactlyInAnyOrderElementsOf(expectedRows(all));

    List<ConsumerRecord<String, byte[]>> dlq =
        Clients.readUntil(
            stack,
            Topics.CONNECT_DLQ,
            new ByteArrayDeserializer(),
            Duration.ofSeconds(30),
            got ->
                got.stream().filter(r -> topic.equals(header(r, "__connect.errors.topic"))).count()
                    >= 2);
    List<ConsumerRecord<String, byte[]>> ours =
        dlq.stream().filter(r -> topic.equals(header(r, "__connect.errors.topic"))).toList();
    assertThat(ours).hasSize(2);
    assertThat(ours)
        .extracting(r -> header(r, "__connect.errors.exception.class.name"))
        .containsOnly("org.apache.kafka.connect.errors.DataException");
    assertThat(ours)
        .extracting(r -> header(r, "__connect.errors.offset"))
        .containsExactly("10", "11");
    assertThat(ours.get(0).value()).containsExactly(0, 0, 0, 0x7f, 0x7f, 1, 2, 3);
    assertThat(header(ours.get(1), "__connect.errors.exception.message")).contains(topic);
    assertThat(ConnectWorker.allRunning(stack.connect().status("poison"))).isTrue();
  }

  @Test
  void twoTasksShareThePartitions() throws Exception {
    String topic = topic("two", 2);
    List<CleanReading> readings = new ArrayList<>();
    for (int d = 0; d < 6; d++) {
      readings.addAll(readings("bp-two-" + d, 0, 30));
    }
    produce(topic, readings);
    deploy("two", topic, "two_readings", Map.of("tasks.max", "2"));
    // The worker starts the tasks one after the other: wait for both.
    Poll.until(
        Duration.ofSeconds(60),
        "two RUNNING tasks",
        () -> {
          try {
            JsonNode s = stack.connect().status("two");
            return s.path("tasks").size() == 2 && ConnectWorker.allRunning(s);
          } catch (java.io.IOException e) {
            return false;
          }
        });
    awaitRows("two_readings", readings.size() * 2);
    assertThat(rows("SELECT device_id, sequence, channel, value FROM two_readings"))
        .containsExactlyInAnyOrderElementsOf(expectedRows(readings));
  }

  @Test
  void anExistingTableWithoutDedupKeysIsRefusedWithTheFix() throws Exception {
    try (Connection c = sql();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE nodedup_readings (ts TIMESTAMP, device_id SYMBOL, sequence LONG,"
              + " channel SYMBOL, value DOUBLE) TIMESTAMP(ts) PARTITION BY DAY WAL");
    }
    String topic = topic("nodedup", 1);
    produce(topic, readings("bp-nodedup", 0, 3));
    stack.connect().putConnector("nodedup", config(topic, "nodedup_readings", Map.of()));
    assertThatThrownBy(() -> stack.connect().awaitRunning("nodedup", Duration.ofSeconds(60)))
        .hasMessageContaining("table 'nodedup_readings' lacks DEDUP UPSERT KEYS")
        .hasMessageContaining("DEDUP ENABLE UPSERT KEYS(ts, device_id, sequence, channel)");
    assertThat(rows("SELECT count() FROM nodedup_readings")).containsExactly("0");
  }

  @Test
  void questDbStoppedForThirtySecondsMidStreamNeitherFailsTheTaskNorLosesOrDoublesARow()
      throws Exception {
    String topic = topic("outage", 2);
    deploy("outage", topic, "outage_readings", Map.of());
    Watch watch = Watch.start("outage");
    Feed feed = Feed.start(topic, "bp-outage", 40);
    try {
      awaitRows("outage_readings", 100); // records flowing and landing
      long landedBefore = countRows("outage_readings");
      stack.questdb().stop();
      Instant down = Instant.now();
      int sentAtStop = feed.sent.size();
      // The scenario's outage lasts 30 s by the clock, with the feed sending all the while.
      Poll.until(
          Duration.ofSeconds(60),
          "30 s of outage while the feed keeps sending",
          () ->
              Duration.between(down, Instant.now()).toSeconds() >= 30
                  && feed.sent.size() > sentAtStop + 100);
      stack.questdb().restart();
      awaitRows("outage_readings", landedBefore + 100); // the sink writes again
    } finally {
      feed.stop();
      if (!isUp()) {
        stack.questdb().restart();
      }
    }
    awaitRows("outage_readings", feed.sent.size() * 2L);
    watch.stop();
    assertThat(watch.failures).as("task states seen while QuestDB was down").isEmpty();
    assertThat(rows("SELECT device_id, sequence, channel, value FROM outage_readings"))
        .containsExactlyInAnyOrderElementsOf(expectedRows(new ArrayList<>(feed.sent)));
  }

  @Test
  void theWorkerKilledMidFlushAndRestartedLandsEveryRecordOnce() throws Exception {
    String topic = topic("kill", 2);
    deploy("kill", topic, "kill_readings", Map.of());
    Feed feed = Feed.start(topic, "bp-kill", 200);
    try {
      for (int i = 0; i < 2; i++) {
        awaitRows("kill_readings", countRows("kill_readings") + 200); // mid-stream
        stack.connect().kill(); // SIGKILL: no flush, no commit, no leaving the group
        stack.connect().launch();
      }
      awaitRows("kill_readings", countRows("kill_readings") + 200); // landing again
    } finally {
      feed.stop();
    }
    stack.connect().awaitRunning("kill", Duration.ofSeconds(90));
    awaitRows("kill_readings", feed.sent.size() * 2L);
    List<String> landed = rows("SELECT device_id, sequence, channel, value FROM kill_readings");
    assertThat(landed).hasSize(feed.sent.size() * 2);
    assertThat(landed)
        .containsExactlyInAnyOrderElementsOf(expectedRows(new ArrayList<>(feed.sent)));
  }

  @Test
  void thePluginLoadsUnderBothDiscoveryModes() throws Exception {
    // The local run's worker uses service_load; hybrid_fail scans the plugin and also fails the
    // worker if a plugin class lacks its service manifest.
    Set<String> serviceLoad = plugins(stack.connect().url());
    int port = StackFixture.freePort();
    try (ConnectWorker scanning =
        ConnectWorker.start(
            data.resolve("connect-scan"),
            stack.bootstrapServers(),
            "127.0.0.1",
            port,
            LocalStack.defaultPluginPath(),
            Map.of(
                "plugin.discovery", "hybrid_fail",
                "group.id", "scan-worker",
                "config.storage.topic", "scan-configs",
                "offset.storage.topic", "scan-offsets",
                "status.storage.topic", "scan-status"))) {
      Set<String> scanned = plugins(scanning.url());
      for (Set<String> found : List.of(serviceLoad, scanned)) {
        assertThat(found)
            .contains(
                "io.biometer.connect.questdb.QuestDbSinkConnector",
                "io.biometer.connect.avro.AvroConverter");
      }
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  private static Set<String> plugins(String url) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url + "/connector-plugins?connectorsOnly=false"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    Set<String> classes = new TreeSet<>();
    JSON.readTree(r.body()).forEach(p -> classes.add(p.path("class").asText()));
    return classes;
  }

  private static String topic(String name, int partitions) throws Exception {
    String topic = "it." + name + ".readings";
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    }
    return topic;
  }

  /** The local run's connector config, for {@code topic} into {@code table}. */
  private static Map<String, String> config(String topic, String table, Map<String, String> extra) {
    Map<String, String> c = new HashMap<>();
    String from = "topic." + Topics.READINGS_CLEAN + ".";
    base.forEach(
        (k, v) -> {
          if (k.startsWith(from)) {
            c.put("topic." + topic + "." + k.substring(from.length()), v);
          } else if (!k.startsWith("topic.")) {
            c.put(k, v);
          }
        });
    c.put("topics", topic);
    c.put("topic." + topic + ".table", table);
    c.putAll(extra);
    return c;
  }

  private static void deploy(String name, String topic, String table, Map<String, String> extra)
      throws Exception {
    stack.connect().putConnector(name, config(topic, table, extra));
    stack.connect().awaitRunning(name, Duration.ofSeconds(60));
  }

  static List<CleanReading> readings(String device, int from, int n) {
    List<CleanReading> out = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      out.add(reading(device, i, T0 + i * 1000L));
    }
    return out;
  }

  static CleanReading reading(String device, long seq, long eventTime) {
    return new CleanReading(
        device,
        "patient-it",
        SensorType.BLOOD_PRESSURE,
        seq,
        Instant.ofEpochMilli(eventTime),
        List.of(
            new ChannelValue("systolic", 100.0 + seq % 50),
            new ChannelValue("diastolic", 60.0 + seq % 30)),
        75.5f,
        new Provenance(RelayKind.SINK, "sink-a", Instant.ofEpochMilli(eventTime + 20), false),
        Instant.ofEpochMilli(eventTime + 40));
  }

  static List<String> expectedRows(List<CleanReading> readings) {
    Set<String> rows = new TreeSet<>();
    for (CleanReading r : readings) {
      for (ChannelValue v : r.getValues()) {
        rows.add(
            r.getDeviceId() + "|" + r.getSequence() + "|" + v.getChannel() + "|" + v.getValue());
      }
    }
    return new ArrayList<>(rows);
  }

  private static KafkaProducer<String, CleanReading> producer() {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    p.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, stack.registryUrl());
    AvroSerializer<CleanReading> v = new AvroSerializer<>();
    v.configure(p, false);
    return new KafkaProducer<>(p, new StringSerializer(), v);
  }

  private static void produce(String topic, List<CleanReading> readings) throws Exception {
    try (KafkaProducer<String, CleanReading> producer = producer()) {
      for (CleanReading r : readings) {
        producer.send(new ProducerRecord<>(topic, r.getDeviceId(), r));
      }
      producer.flush();
    }
  }

  private static void produceRaw(String topic, byte[] value) throws Exception {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer
          .send(new ProducerRecord<>(topic, 0, "poison".getBytes(StandardCharsets.UTF_8), value))
          .get();
    }
  }

  private static String header(ConsumerRecord<?, ?> r, String key) {
    var h = r.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** Records produced at a steady pace until stopped; {@link #sent} holds the acknowledged ones. */
  static final class Feed {
    final ConcurrentLinkedQueue<CleanReading> sent = new ConcurrentLinkedQueue<>();
    final ScheduledExecutorService pace =
        Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "feed"));
    KafkaProducer<String, CleanReading> producer;

    /** Every 100 ms, a tenth of {@code perSecond} records. */
    static Feed start(String topic, String device, int perSecond) {
      Feed f = new Feed();
      f.producer = producer();
      AtomicLong seq = new AtomicLong();
      f.pace.scheduleAtFixedRate(
          () -> {
            for (int i = 0; i < perSecond / 10; i++) {
              long n = seq.getAndIncrement();
              CleanReading r = reading(device + "-" + (n % 4), n, T0 + n * 100L);
              f.producer.send(
                  new ProducerRecord<>(topic, r.getDeviceId(), r),
                  (md, e) -> {
                    if (e == null) {
                      f.sent.add(r);
                    }
                  });
            }
          },
          0,
          100,
          TimeUnit.MILLISECONDS);
      return f;
    }

    void stop() throws InterruptedException {
      pace.shutdown();
      pace.awaitTermination(30, TimeUnit.SECONDS);
      producer.flush();
      producer.close();
    }
  }

  /** Polls a connector's status every 500 ms and keeps every non-RUNNING task state it sees. */
  static final class Watch {
    final List<String> failures = new ArrayList<>();
    final AtomicLong polls = new AtomicLong();
    final ScheduledExecutorService every =
        Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "watch"));

    static Watch start(String connector) {
      Watch w = new Watch();
      w.every.scheduleAtFixedRate(
          () -> {
            JsonNode s;
            try {
              s = stack.connect().status(connector);
            } catch (Exception e) {
              w.every.shutdown(); // the worker is gone: stop watching, as the test ends
              return;
            }
            w.polls.incrementAndGet();
            for (JsonNode t : s.path("tasks")) {
              if (!"RUNNING".equals(t.path("state").asText())) {
                synchronized (w.failures) {
                  w.failures.add(t.toString());
                }
              }
            }
          },
          0,
          500,
          TimeUnit.MILLISECONDS);
      return w;
    }

    void stop() throws InterruptedException {
      every.shutdown();
      every.awaitTermination(10, TimeUnit.SECONDS);
      assertThat(polls.get()).as("status polls").isGreaterThan(10);
    }
  }

  private static boolean isUp() {
    try (Connection c = sql()) {
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static Connection sql() throws Exception {
    return DriverManager.getConnection(stack.questdb().jdbcUrl(), "admin", "quest");
  }

  /** Rows in {@code table} now; 0 before its first row. */
  private static long countRows(String table) throws Exception {
    try (Connection c = sql()) {
      return EmbeddedQuestDb.countIfExists(c, "SELECT count() FROM " + table);
    }
  }

  private static void awaitRows(String table, long n) {
    Poll.until(
        Duration.ofSeconds(120),
        n + " rows in " + table,
        () -> {
          try {
            return countRows(table) >= n;
          } catch (Exception e) {
            return false; // QuestDB down (the outage test)
          }
        });
  }

  static List<String> rows(String sql) throws Exception {
    return rows(stack, sql);
  }

  /** The rows of {@code sql} over QuestDB's PostgreSQL port, columns joined by '|'. */
  static List<String> rows(LocalStack stack, String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c =
            DriverManager.getConnection(
                stack.questdb().jdbcUrl(), stack.questdb().jdbcProperties());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          if (i > 1) {
            b.append('|');
          }
          b.append(rs.getString(i));
        }
        out.add(b.toString());
      }
    }
    return out;
  }
}
