package io.biometer.connect.questdb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;

/**
 * Connect schemas shaped as the Avro converter gives biometer's clean readings and alerts, built by
 * hand so these tests do not depend on the converter.
 */
final class SinkFixtures {

  static final String READINGS = "telemetry.readings.clean";

  static final Schema SENSOR_TYPE =
      SchemaBuilder.string()
          .parameter(RowPlan.ENUM_PARAMETER, "io.biometer.avro.SensorType")
          .build();
  static final Schema CHANNEL_VALUE =
      SchemaBuilder.struct()
          .name("io.biometer.avro.ChannelValue")
          .field("channel", Schema.STRING_SCHEMA)
          .field("value", Schema.FLOAT64_SCHEMA)
          .build();
  static final Schema PROVENANCE =
      SchemaBuilder.struct()
          .name("io.biometer.avro.Provenance")
          .field(
              "relayKind",
              SchemaBuilder.string()
                  .parameter(RowPlan.ENUM_PARAMETER, "io.biometer.avro.RelayKind")
                  .build())
          .field("relayId", Schema.STRING_SCHEMA)
          .field("relayedAt", Timestamp.SCHEMA)
          .field("spooled", Schema.BOOLEAN_SCHEMA)
          .build();
  static final Schema READING =
      SchemaBuilder.struct()
          .name("io.biometer.avro.CleanReading")
          .field("deviceId", Schema.STRING_SCHEMA)
          .field("ownerId", Schema.STRING_SCHEMA)
          .field("sensorType", SENSOR_TYPE)
          .field("sequence", Schema.INT64_SCHEMA)
          .field("eventTime", Timestamp.SCHEMA)
          .field("values", SchemaBuilder.array(CHANNEL_VALUE).build())
          .field("batteryPercent", Schema.FLOAT32_SCHEMA)
          .field("provenance", PROVENANCE)
          .field("note", Schema.OPTIONAL_STRING_SCHEMA)
          .build();

  /** The sink's settings for the readings topic, as in sink-connectors/config. */
  static Map<String, String> readingsConfig(String clientConf) {
    Map<String, String> p = new HashMap<>();
    p.put("name", "test-sink");
    p.put("topics", READINGS);
    p.put(QuestDbSinkConfig.CLIENT_CONF_STRING, clientConf);
    String t = QuestDbSinkConfig.TOPIC_PREFIX + READINGS + ".";
    p.put(t + "table", "readings");
    p.put(t + "timestamp.field.name", "eventTime");
    p.put(t + "explode", "values");
    p.put(t + "symbols", "device_id,owner_id,channel");
    p.put(t + "dedup.keys", "device_id,sequence,channel");
    p.put(QuestDbSinkConfig.ALLOWED_LAG, "0");
    p.put(QuestDbSinkConfig.RETRY_BACKOFF_MS, "100");
    return p;
  }

  static Struct reading(String device, long seq, long eventTime, double... values) {
    List<Struct> vs = new ArrayList<>();
    String[] names = {"systolic", "diastolic", "pulse"};
    for (int i = 0; i < values.length; i++) {
      vs.add(new Struct(CHANNEL_VALUE).put("channel", names[i]).put("value", values[i]));
    }
    return new Struct(READING)
        .put("deviceId", device)
        .put("ownerId", "patient-1")
        .put("sensorType", "BLOOD_PRESSURE")
        .put("sequence", seq)
        .put("eventTime", new java.util.Date(eventTime))
        .put("values", vs)
        .put("batteryPercent", 80.5f)
        .put(
            "provenance",
            new Struct(PROVENANCE)
                .put("relayKind", "SINK")
                .put("relayId", "sink-1")
                .put("relayedAt", new java.util.Date(eventTime + 5))
                .put("spooled", false));
  }

  static SinkRecord record(int partition, long offset, Struct value) {
    return new SinkRecord(
        READINGS,
        partition,
        Schema.STRING_SCHEMA,
        value.getString("deviceId"),
        value.schema(),
        value,
        offset,
        offset,
        org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME);
  }

  /** A task context that records what the task asks of Connect. */
  static final class Context implements SinkTaskContext {
    final List<SinkRecord> reported = new ArrayList<>();
    final List<Throwable> reasons = new ArrayList<>();
    long timeout = -1;
    boolean withReporter = true;

    @Override
    public Map<String, String> configs() {
      return Map.of();
    }

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {}

    @Override
    public void offset(TopicPartition tp, long offset) {}

    @Override
    public void timeout(long timeoutMs) {
      timeout = timeoutMs;
    }

    @Override
    public Set<TopicPartition> assignment() {
      return Set.of();
    }

    @Override
    public void pause(TopicPartition... partitions) {}

    @Override
    public void resume(TopicPartition... partitions) {}

    @Override
    public void requestCommit() {}

    final org.apache.kafka.common.metrics.Metrics metrics =
        new org.apache.kafka.common.metrics.Metrics();

    @Override
    public org.apache.kafka.common.metrics.PluginMetrics pluginMetrics() {
      return new org.apache.kafka.common.metrics.internals.PluginMetricsImpl(
          metrics, Map.of("connector", "test-sink", "task", "0"));
    }

    /** The value of the task's plugin metric {@code name}. */
    Object metric(String name) {
      return metrics.metrics().entrySet().stream()
          .filter(e -> e.getKey().name().equals(name) && e.getKey().group().equals("plugins"))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no plugin metric " + name))
          .getValue()
          .metricValue();
    }

    @Override
    public ErrantRecordReporter errantRecordReporter() {
      if (!withReporter) {
        return null;
      }
      return new ErrantRecordReporter() {
        @Override
        public Future<Void> report(SinkRecord record, Throwable error) {
          reported.add(record);
          reasons.add(error);
          return CompletableFuture.completedFuture(null);
        }
      };
    }
  }

  private SinkFixtures() {}
}
