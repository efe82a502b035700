package io.biometer.connect.questdb;

import static io.biometer.connect.questdb.SinkFixtures.READINGS;
import static io.biometer.connect.questdb.SinkFixtures.reading;
import static io.biometer.connect.questdb.SinkFixtures.readingsConfig;
import static io.biometer.connect.questdb.SinkFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sink task against a real QuestDB in this JVM. */
class QuestDbSinkTaskTest {

  @TempDir static Path dir;
  static TestQuestDb questdb;

  SinkFixtures.Context context;
  QuestDbSinkTask task;

  @BeforeAll
  static void startQuestDb() throws Exception {
    questdb = new TestQuestDb(dir.resolve("questdb"));
  }

  @AfterAll
  static void stopQuestDb() {
    questdb.close();
  }

  @BeforeEach
  void dropTables() throws Exception {
    try (Connection c = questdb.sql();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS readings");
    }
    context = new SinkFixtures.Context();
    task = new QuestDbSinkTask();
    task.initialize(context);
  }

  @Test
  void landsOneRowPerChannelAndCommitsOnlyWhatQuestDbAcknowledged() throws Exception {
    task.start(readingsConfig(questdb.clientConf()));
    long t0 = 1_764_000_000_000L;
    task.put(
        List.of(
            record(0, 10, reading("bp-1", 1, t0, 120, 80)),
            record(0, 11, reading("bp-1", 2, t0 + 1000, 121, 81))));

    Map<TopicPartition, OffsetAndMetadata> offsets =
        task.preCommit(Map.of(new TopicPartition(READINGS, 0), new OffsetAndMetadata(12)));
    assertThat(offsets).containsEntry(new TopicPartition(READINGS, 0), new OffsetAndMetadata(12));
    assertThat(context.metric("rows-written-total")).isEqualTo(4L);
    assertThat(context.metric("records-waiting")).isEqualTo(0L);
    assertThat(context.metric("records-reported-total")).isEqualTo(0L);
    task.preCommit(Map.of());
    awaitApplied("readings");
    assertThat(
            rows(
                "SELECT device_id, owner_id, sensor_type, sequence, channel, value, battery_percent,"
                    + " relay_kind, relay_id, spooled, ts FROM readings ORDER BY sequence, channel"))
        .containsExactly(
            "bp-1|patient-1|BLOOD_PRESSURE|1|diastolic|80.0|80.5|SINK|sink-1|f|2025-11-24 16:00:00.000000",
            "bp-1|patient-1|BLOOD_PRESSURE|1|systolic|120.0|80.5|SINK|sink-1|f|2025-11-24 16:00:00.000000",
            "bp-1|patient-1|BLOOD_PRESSURE|2|diastolic|81.0|80.5|SINK|sink-1|f|2025-11-24 16:00:01.000000",
            "bp-1|patient-1|BLOOD_PRESSURE|2|systolic|121.0|80.5|SINK|sink-1|f|2025-11-24 16:00:01.000000");
    assertThat(
            rows(
                "SELECT \"column\", type, upsertKey FROM table_columns('readings') WHERE upsertKey"))
        .containsExactlyInAnyOrder(
            "ts|TIMESTAMP|t", "device_id|SYMBOL|t", "sequence|LONG|t", "channel|SYMBOL|t");
    assertThat(rows("SELECT walEnabled FROM tables() WHERE table_name = 'readings'"))
        .containsExactly("t");
  }

  @Test
  void theSameBatchDeliveredTwiceGivesTheSameRows() throws Exception {
    task.start(readingsConfig(questdb.clientConf()));
    List<SinkRecord> batch = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      batch.add(
          record(
              0, i, reading("bp-" + (i % 3), i, 1_764_000_000_000L + i * 1000L, 100 + i, 60 + i)));
    }
    task.put(batch);
    task.preCommit(Map.of());
    awaitApplied("readings");
    List<String> first = rows("SELECT * FROM readings ORDER BY ts, device_id, channel");
    task.put(batch);
    task.put(batch.subList(10, 20));
    task.preCommit(Map.of());
    awaitApplied("readings");
    assertThat(first).hasSize(100);
    assertThat(rows("SELECT * FROM readings ORDER BY ts, device_id, channel")).isEqualTo(first);
  }

  @Test
  void aRecordQuestDbRefusesGoesToTheDlqAndItsNeighboursLand() throws Exception {
    // A column whose type one record cannot fill: QuestDB refuses its row, not the client.
    try (Connection c = questdb.sql();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE readings (ts TIMESTAMP, device_id SYMBOL, sequence LONG, channel SYMBOL,"
              + " value DOUBLE, note LONG) TIMESTAMP(ts) PARTITION BY DAY WAL"
              + " DEDUP UPSERT KEYS(ts, device_id, sequence, channel)");
    }
    task.start(readingsConfig(questdb.clientConf()));
    long t0 = 1_764_000_000_000L;
    task.put(List.of(record(0, 0, reading("bp-1", 0, t0, 1, 2))));
    List<SinkRecord> batch = new ArrayList<>();
    for (int i = 1; i <= 9; i++) {
      Struct r = reading("bp-1", i, t0 + i * 1000L, i, i);
      if (i == 6) {
        r.put("note", "not a number");
      }
      batch.add(record(0, i, r));
    }
    task.put(batch);
    task.preCommit(Map.of());
    awaitApplied("readings");
    assertThat(context.reported).extracting(SinkRecord::kafkaOffset).containsExactly(6L);
    assertThat(context.reasons.get(0))
        .isInstanceOf(BadRecordException.class)
        .hasMessageContaining("QuestDB refused");
    assertThat(rows("SELECT DISTINCT sequence FROM readings ORDER BY sequence"))
        .containsExactly("0", "1", "2", "3", "4", "5", "7", "8", "9");
    assertThat(task.preCommit(Map.of(new TopicPartition(READINGS, 0), new OffsetAndMetadata(10))))
        .containsEntry(new TopicPartition(READINGS, 0), new OffsetAndMetadata(10));
  }

  @Test
  void recordsTheSinkCannotMapGoToTheDlqWithTheirReason() throws Exception {
    task.start(readingsConfig(questdb.clientConf()));
    Struct noValues = reading("bp-1", 2, 1_764_000_000_000L);
    Schema other =
        SchemaBuilder.struct()
            .name("Other")
            .field("eventTime", org.apache.kafka.connect.data.Timestamp.SCHEMA)
            .field("values", SinkFixtures.READING.field("values").schema())
            .field("x", Schema.BYTES_SCHEMA)
            .build();
    Struct withBytes =
        new Struct(other)
            .put("eventTime", new java.util.Date(1_764_000_000_000L))
            .put("values", reading("bp-1", 3, 1_764_000_000_000L, 1).get("values"))
            .put("x", new byte[] {1});
    SinkRecord bytes = new SinkRecord(READINGS, 0, null, null, other, withBytes, 3);
    SinkRecord tombstone = new SinkRecord(READINGS, 0, null, "k", null, null, 4);
    task.put(
        List.of(
            record(0, 1, reading("bp-1", 1, 1_764_000_000_000L, 1, 2)),
            record(0, 2, noValues),
            bytes,
            tombstone,
            record(0, 5, reading("bp-1", 5, 1_764_000_001_000L, 3, 4))));
    task.preCommit(Map.of());
    awaitApplied("readings");
    assertThat(context.reported).extracting(SinkRecord::kafkaOffset).containsExactly(2L, 3L, 4L);
    assertThat(context.reasons)
        .extracting(Throwable::getMessage)
        .satisfiesExactly(
            m -> assertThat(m).contains("'values' is empty"),
            m -> assertThat(m).contains("'x'").contains("skip.unsupported.types"),
            m -> assertThat(m).contains("tombstone"));
    assertThat(rows("SELECT DISTINCT sequence FROM readings ORDER BY sequence"))
        .containsExactly("1", "5");
  }

  @Test
  void withoutADlqABadRecordStopsTheTaskAndSaysWhatToSet() {
    context.withReporter = false;
    task.start(readingsConfig(questdb.clientConf()));
    assertThatThrownBy(
            () -> task.put(List.of(new SinkRecord(READINGS, 0, null, "k", null, null, 4))))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining(READINGS + "-0@4")
        .hasMessageContaining("errors.deadletterqueue.topic.name");
  }

  @Test
  void anOutageHoldsTheRecordsBackWithoutFailingAndTheyLandAfterwards() throws Exception {
    task.start(readingsConfig(questdb.clientConf()));
    TopicPartition tp = new TopicPartition(READINGS, 0);
    task.put(List.of(record(0, 0, reading("bp-1", 0, 1_764_000_000_000L, 1, 2))));
    assertThat(task.preCommit(Map.of(tp, new OffsetAndMetadata(1))))
        .containsEntry(tp, new OffsetAndMetadata(1));
    List<SinkRecord> inFlight = List.of(record(0, 1, reading("bp-1", 1, 1_764_000_001_000L, 3, 4)));
    List<SinkRecord> batch = List.of(record(0, 2, reading("bp-1", 2, 1_764_000_002_000L, 5, 6)));
    questdb.stop();
    try {
      // Handed to the flush thread: put() returns before QuestDB answers.
      task.put(inFlight);
      // The flush failed: the record is not committed, and the task does not fail.
      assertThat(task.preCommit(Map.of(tp, new OffsetAndMetadata(2))))
          .containsEntry(tp, new OffsetAndMetadata(1));
      for (int attempt = 0; attempt < 3; attempt++) {
        context.timeout = -1;
        assertThatThrownBy(() -> task.put(batch)).isInstanceOf(RetriableException.class);
        assertThat(context.timeout).as("back-off doubles").isEqualTo(100L << attempt);
      }
      // Connect's own offset for the partition stays at the last batch put() accepted.
      assertThat(task.preCommit(Map.of(tp, new OffsetAndMetadata(2))))
          .containsEntry(tp, new OffsetAndMetadata(1));
    } finally {
      questdb.start();
    }
    task.put(batch);
    assertThat(task.preCommit(Map.of(tp, new OffsetAndMetadata(3))))
        .containsEntry(tp, new OffsetAndMetadata(3));
    task.preCommit(Map.of());
    awaitApplied("readings");
    assertThat(rows("SELECT DISTINCT sequence FROM readings ORDER BY sequence"))
        .containsExactly("0", "1", "2");
    assertThat(context.reported).isEmpty();
    assertThat((Long) context.metric("failed-attempts-total")).isGreaterThanOrEqualTo(4L);
  }

  @Test
  void recordsWaitingForTheLagAreNotCommitted() throws Exception {
    Map<String, String> props = readingsConfig(questdb.clientConf());
    props.put(QuestDbSinkConfig.ALLOWED_LAG, "60000");
    task.start(props);
    TopicPartition tp = new TopicPartition(READINGS, 0);
    questdb.stop();
    try {
      task.put(List.of(record(0, 7, reading("bp-1", 7, 1_764_000_000_000L, 1, 2))));
      assertThat(context.timeout)
          .as("the next put comes when the lag is up")
          .isBetween(1L, 60_000L);
      assertThat(task.preCommit(Map.of(tp, new OffsetAndMetadata(8))))
          .containsEntry(tp, new OffsetAndMetadata(7));
    } finally {
      questdb.start();
    }
    assertThat(task.preCommit(Map.of(tp, new OffsetAndMetadata(8))))
        .containsEntry(tp, new OffsetAndMetadata(8));
  }

  @Test
  void anExistingTableWithoutTheDedupKeysStopsTheTaskAtStart() throws Exception {
    try (Connection c = questdb.sql();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE readings (ts TIMESTAMP, device_id SYMBOL, sequence LONG, channel SYMBOL,"
              + " value DOUBLE) TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(ts, device_id)");
    }
    assertThatThrownBy(() -> task.start(readingsConfig(questdb.clientConf())))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("table 'readings' lacks DEDUP UPSERT KEYS [sequence, channel]")
        .hasMessageContaining(
            "ALTER TABLE \"readings\" DEDUP ENABLE UPSERT KEYS(ts, device_id, sequence, channel)");
  }

  @Test
  void anExistingTableWithoutWalStopsTheTaskAtStart() throws Exception {
    try (Connection c = questdb.sql();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE readings (ts TIMESTAMP, device_id SYMBOL) TIMESTAMP(ts) PARTITION BY DAY BYPASS WAL");
    }
    assertThatThrownBy(() -> task.start(readingsConfig(questdb.clientConf())))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("table 'readings' exists without WAL")
        .hasMessageContaining("SET TYPE WAL");
  }

  private static void awaitApplied(String table) throws Exception {
    try {
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(20))
          .until(
              () ->
                  rows(
                      "SELECT writerTxn, sequencerTxn FROM wal_tables() WHERE name = '"
                          + table
                          + "'"),
              r -> r.size() == 1 && r.get(0).split("\\|")[0].equals(r.get(0).split("\\|")[1]));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "QuestDB did not apply the WAL of "
              + table
              + " within 5 s: "
              + rows("SELECT * FROM wal_tables()"),
          e);
    }
  }

  private static List<String> rows(String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = questdb.sql();
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
