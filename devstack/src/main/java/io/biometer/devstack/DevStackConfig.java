package io.biometer.devstack;

import io.biometer.config.PropertiesFiles;
import io.biometer.registry.CompatibilityLevel;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Configuration of the embedded local stack. Sources, later ones winning: the defaults below, a
 * properties file, environment variables ({@code BIOMETER_} + the key in upper case with dots as
 * underscores, e.g. {@code BIOMETER_KAFKA_PORT}), then {@code key=value} command-line arguments. An
 * unknown key is an error, so a typo never passes unnoticed.
 */
public final class DevStackConfig extends AbstractConfig {

  public static final String ENV_PREFIX = "BIOMETER_";

  public static final String DATA_DIR_CONFIG = "data.dir";
  public static final String DATA_DIR_DOC =
      "Folder holding all data of the local stack (Kafka logs including the schema topic, QuestDB"
          + " tables); a second start with the same folder resumes where the first stopped."
          + " Default: data (relative to the working directory).";
  public static final String DATA_DIR_DEFAULT = "data";

  public static final String BIND_HOST_CONFIG = "bind.host";
  public static final String BIND_HOST_DOC =
      "Address every part listens on. Default: 127.0.0.1 (loopback only).";
  public static final String BIND_HOST_DEFAULT = "127.0.0.1";

  public static final String KAFKA_PORT_CONFIG = "kafka.port";
  public static final String KAFKA_PORT_DOC =
      "Port of the Kafka broker's client listener (bootstrap.servers). Default: 9092.";
  public static final int KAFKA_PORT_DEFAULT = 9092;

  public static final String KAFKA_CONTROLLER_PORT_CONFIG = "kafka.controller.port";
  public static final String KAFKA_CONTROLLER_PORT_DOC =
      "Port of the KRaft controller listener (internal to the broker). Default: 9093.";
  public static final int KAFKA_CONTROLLER_PORT_DEFAULT = 9093;

  public static final String REGISTRY_PORT_CONFIG = "registry.port";
  public static final String REGISTRY_PORT_DOC =
      "Port of the embedded schema registry (Confluent REST API). Default: 8081.";
  public static final int REGISTRY_PORT_DEFAULT = 8081;

  public static final String REGISTRY_TOPIC_CONFIG = "registry.topic";
  public static final String REGISTRY_TOPIC_DOC =
      "Compacted topic in which the embedded registry keeps its schemas. Default: _schemas.";
  public static final String REGISTRY_TOPIC_DEFAULT = "_schemas";

  public static final String REGISTRY_COMPATIBILITY_CONFIG = "registry.compatibility";
  public static final String REGISTRY_COMPATIBILITY_DOC =
      "Global compatibility level of a new registry (NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD,"
          + " FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE); a level set later through PUT /config"
          + " is kept in the schema topic and wins. Default: BACKWARD.";
  public static final String REGISTRY_COMPATIBILITY_DEFAULT = "BACKWARD";

  public static final String QUESTDB_ENABLED_CONFIG = "questdb.enabled";
  public static final String QUESTDB_ENABLED_DOC =
      "Whether to start QuestDB in-process. Default: true.";

  public static final String QUESTDB_HTTP_PORT_CONFIG = "questdb.http.port";
  public static final String QUESTDB_HTTP_PORT_DOC =
      "Port of QuestDB's web console, REST API and ILP over HTTP. Default: 9000.";
  public static final int QUESTDB_HTTP_PORT_DEFAULT = 9000;

  public static final String QUESTDB_HTTP_MIN_PORT_CONFIG = "questdb.http.min.port";
  public static final String QUESTDB_HTTP_MIN_PORT_DOC =
      "Port of QuestDB's health and Prometheus metrics endpoint (/metrics). Default: 9003.";
  public static final int QUESTDB_HTTP_MIN_PORT_DEFAULT = 9003;

  public static final String QUESTDB_PG_PORT_CONFIG = "questdb.pg.port";
  public static final String QUESTDB_PG_PORT_DOC =
      "Port of QuestDB's PostgreSQL wire protocol (user admin, password quest, database qdb)."
          + " Default: 8812.";
  public static final int QUESTDB_PG_PORT_DEFAULT = 8812;

  public static final String QUESTDB_ILP_PORT_CONFIG = "questdb.ilp.port";
  public static final String QUESTDB_ILP_PORT_DOC =
      "Port of QuestDB's InfluxDB line protocol over TCP. Default: 9009.";
  public static final int QUESTDB_ILP_PORT_DEFAULT = 9009;

  public static final String TOPICS_PARTITIONS_CONFIG = "topics.partitions";
  public static final String TOPICS_PARTITIONS_DOC =
      "Partitions of each pipeline topic when it is created (existing topics are left as they"
          + " are). Default: 3.";
  public static final int TOPICS_PARTITIONS_DEFAULT = 3;

  public static final String TOPICS_RETENTION_MS_CONFIG = "topics.retention.ms";
  public static final String TOPICS_RETENTION_MS_DOC =
      "Retention of the non-compacted pipeline topics, in milliseconds, counted from when the"
          + " broker appended each record (LogAppendTime); -1 keeps records forever."
          + " Default: 604800000 (7 days).";
  public static final long TOPICS_RETENTION_MS_DEFAULT = 7L * 24 * 3600 * 1000;

  public static final String TOPICS_DLQ_RETENTION_MS_CONFIG = "topics.dlq.retention.ms";
  public static final String TOPICS_DLQ_RETENTION_MS_DOC =
      "Retention of the dead-letter topic, in milliseconds; -1 keeps records forever. Default:"
          + " 2592000000 (30 days), so rejected input can be inspected and replayed.";
  public static final long TOPICS_DLQ_RETENTION_MS_DEFAULT = 30L * 24 * 3600 * 1000;

  public static final String SIMULATOR_ENABLED_CONFIG = "simulator.enabled";
  public static final String SIMULATOR_ENABLED_DOC =
      "Whether the local run starts the simulator, producing readings to the local broker."
          + " Default: true.";

  public static final String SIMULATOR_PATIENTS_CONFIG = "simulator.patients";
  public static final String SIMULATOR_PATIENTS_DOC =
      "Patients the local run simulates, each with ten body sensors and two sinks. Default: 2.";
  public static final int SIMULATOR_PATIENTS_DEFAULT = 2;

  public static final String SIMULATOR_METERS_CONFIG = "simulator.meters";
  public static final String SIMULATOR_METERS_DOC =
      "Soil meters the local run simulates. Default: 2.";
  public static final int SIMULATOR_METERS_DEFAULT = 2;

  public static final String SIMULATOR_SPEED_CONFIG = "simulator.speed";
  public static final String SIMULATOR_SPEED_DOC =
      "Simulated seconds per wall second in the local run: 1 for live, 1440 for a day per minute"
          + " (a fast run starts 30 days in the past). Default: 1.";
  public static final double SIMULATOR_SPEED_DEFAULT = 1.0;

  public static final String SIMULATOR_SEED_CONFIG = "simulator.seed";
  public static final String SIMULATOR_SEED_DOC =
      "Seed of the local run's simulator; the same seed repeats a run exactly. Default: none (a"
          + " random seed).";

  public static final String STREAMS_ENABLED_CONFIG = "streams.enabled";
  public static final String STREAMS_ENABLED_DOC =
      "Whether the local run starts the streams app (validation, dedup, alerts, daily"
          + " aggregates). Default: true.";

  public static final String STREAMS_METRICS_PORT_CONFIG = "streams.metrics.port";
  public static final String STREAMS_METRICS_PORT_DOC =
      "Port of the streams app's /metrics (Prometheus) and /health. Default: 8090.";
  public static final int STREAMS_METRICS_PORT_DEFAULT = 8090;

  public static final String CONNECT_ENABLED_CONFIG = "connect.enabled";
  public static final String CONNECT_ENABLED_DOC =
      "Whether the local run starts a Kafka Connect worker (distributed mode, one worker, a child"
          + " JVM) with the QuestDB sink, which lands readings, alerts and daily aggregates in"
          + " QuestDB. Needs questdb.enabled. Default: true.";

  public static final String CONNECT_PORT_CONFIG = "connect.port";
  public static final String CONNECT_PORT_DOC = "Port of Kafka Connect's REST API. Default: 8083.";
  public static final int CONNECT_PORT_DEFAULT = 8083;

  public static final String CONNECT_METRICS_PORT_CONFIG = "connect.metrics.port";
  public static final String CONNECT_METRICS_PORT_DOC =
      "Port of the Connect worker's Prometheus /metrics (Prometheus' JMX exporter, loaded as a"
          + " java agent: the connector's tasks, its consumer, the worker's JVM). Default: 9404.";
  public static final int CONNECT_METRICS_PORT_DEFAULT = 9404;

  public static final String CONNECT_PLUGIN_PATH_CONFIG = "connect.plugin.path";
  public static final String CONNECT_PLUGIN_PATH_DOC =
      "The worker's plugin.path: a folder holding the biometer-connect-<version> plugin folder"
          + " (connector, converter, their jars and etc/questdb-sink.json). Default: empty, the"
          + " plugin the build unpacked into devstack/target/connect-plugins.";

  public static final String CONNECT_CONNECTOR_CONFIG_CONFIG = "connect.connector.config";
  public static final String CONNECT_CONNECTOR_CONFIG_DOC =
      "The QuestDB sink's connector config (JSON), submitted with PUT"
          + " /connectors/questdb-sink/config; its registry URL and QuestDB address are replaced"
          + " by the local run's. Default: empty, etc/questdb-sink.json of the plugin (a copy of"
          + " sink-connectors/config/questdb-sink.json).";

  /** The definition of every key, with its doc and default. */
  public static final ConfigDef CONFIG_DEF =
      new ConfigDef()
          .define(DATA_DIR_CONFIG, Type.STRING, DATA_DIR_DEFAULT, Importance.HIGH, DATA_DIR_DOC)
          .define(
              BIND_HOST_CONFIG, Type.STRING, BIND_HOST_DEFAULT, Importance.MEDIUM, BIND_HOST_DOC)
          .define(
              KAFKA_PORT_CONFIG,
              Type.INT,
              KAFKA_PORT_DEFAULT,
              port(),
              Importance.HIGH,
              KAFKA_PORT_DOC)
          .define(
              KAFKA_CONTROLLER_PORT_CONFIG,
              Type.INT,
              KAFKA_CONTROLLER_PORT_DEFAULT,
              port(),
              Importance.LOW,
              KAFKA_CONTROLLER_PORT_DOC)
          .define(
              REGISTRY_PORT_CONFIG,
              Type.INT,
              REGISTRY_PORT_DEFAULT,
              port(),
              Importance.HIGH,
              REGISTRY_PORT_DOC)
          .define(
              REGISTRY_TOPIC_CONFIG,
              Type.STRING,
              REGISTRY_TOPIC_DEFAULT,
              Importance.LOW,
              REGISTRY_TOPIC_DOC)
          .define(
              REGISTRY_COMPATIBILITY_CONFIG,
              Type.STRING,
              REGISTRY_COMPATIBILITY_DEFAULT,
              (name, value) -> CompatibilityLevel.parse((String) value),
              Importance.MEDIUM,
              REGISTRY_COMPATIBILITY_DOC)
          .define(
              QUESTDB_ENABLED_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, QUESTDB_ENABLED_DOC)
          .define(
              QUESTDB_HTTP_PORT_CONFIG,
              Type.INT,
              QUESTDB_HTTP_PORT_DEFAULT,
              port(),
              Importance.MEDIUM,
              QUESTDB_HTTP_PORT_DOC)
          .define(
              QUESTDB_HTTP_MIN_PORT_CONFIG,
              Type.INT,
              QUESTDB_HTTP_MIN_PORT_DEFAULT,
              port(),
              Importance.LOW,
              QUESTDB_HTTP_MIN_PORT_DOC)
          .define(
              QUESTDB_PG_PORT_CONFIG,
              Type.INT,
              QUESTDB_PG_PORT_DEFAULT,
              port(),
              Importance.MEDIUM,
              QUESTDB_PG_PORT_DOC)
          .define(
              QUESTDB_ILP_PORT_CONFIG,
              Type.INT,
              QUESTDB_ILP_PORT_DEFAULT,
              port(),
              Importance.MEDIUM,
              QUESTDB_ILP_PORT_DOC)
          .define(
              TOPICS_PARTITIONS_CONFIG,
              Type.INT,
              TOPICS_PARTITIONS_DEFAULT,
              Range.between(1, 1000),
              Importance.MEDIUM,
              TOPICS_PARTITIONS_DOC)
          .define(
              TOPICS_RETENTION_MS_CONFIG,
              Type.LONG,
              TOPICS_RETENTION_MS_DEFAULT,
              Range.atLeast(-1),
              Importance.MEDIUM,
              TOPICS_RETENTION_MS_DOC)
          .define(
              TOPICS_DLQ_RETENTION_MS_CONFIG,
              Type.LONG,
              TOPICS_DLQ_RETENTION_MS_DEFAULT,
              Range.atLeast(-1),
              Importance.MEDIUM,
              TOPICS_DLQ_RETENTION_MS_DOC)
          .define(
              SIMULATOR_ENABLED_CONFIG, Type.BOOLEAN, true, Importance.HIGH, SIMULATOR_ENABLED_DOC)
          .define(
              SIMULATOR_PATIENTS_CONFIG,
              Type.INT,
              SIMULATOR_PATIENTS_DEFAULT,
              Range.atLeast(0),
              Importance.MEDIUM,
              SIMULATOR_PATIENTS_DOC)
          .define(
              SIMULATOR_METERS_CONFIG,
              Type.INT,
              SIMULATOR_METERS_DEFAULT,
              Range.atLeast(0),
              Importance.MEDIUM,
              SIMULATOR_METERS_DOC)
          .define(
              SIMULATOR_SPEED_CONFIG,
              Type.DOUBLE,
              SIMULATOR_SPEED_DEFAULT,
              Range.atLeast(0.001),
              Importance.MEDIUM,
              SIMULATOR_SPEED_DOC)
          .define(SIMULATOR_SEED_CONFIG, Type.LONG, null, Importance.LOW, SIMULATOR_SEED_DOC)
          .define(STREAMS_ENABLED_CONFIG, Type.BOOLEAN, true, Importance.HIGH, STREAMS_ENABLED_DOC)
          .define(
              STREAMS_METRICS_PORT_CONFIG,
              Type.INT,
              STREAMS_METRICS_PORT_DEFAULT,
              port(),
              Importance.MEDIUM,
              STREAMS_METRICS_PORT_DOC)
          .define(CONNECT_ENABLED_CONFIG, Type.BOOLEAN, true, Importance.HIGH, CONNECT_ENABLED_DOC)
          .define(
              CONNECT_PORT_CONFIG,
              Type.INT,
              CONNECT_PORT_DEFAULT,
              port(),
              Importance.MEDIUM,
              CONNECT_PORT_DOC)
          .define(
              CONNECT_METRICS_PORT_CONFIG,
              Type.INT,
              CONNECT_METRICS_PORT_DEFAULT,
              port(),
              Importance.LOW,
              CONNECT_METRICS_PORT_DOC)
          .define(
              CONNECT_PLUGIN_PATH_CONFIG, Type.STRING, "", Importance.LOW, CONNECT_PLUGIN_PATH_DOC)
          .define(
              CONNECT_CONNECTOR_CONFIG_CONFIG,
              Type.STRING,
              "",
              Importance.LOW,
              CONNECT_CONNECTOR_CONFIG_DOC);

  private static Range port() {
    return Range.between(1, 65535);
  }

  /** A config from explicit values over the defaults; unknown keys are an error. */
  public DevStackConfig(Map<String, ?> values) {
    super(CONFIG_DEF, checkKnown(values, "configuration"), false);
  }

  /**
   * Merges the sources in order: {@code file} (may be null), then {@code env}, then {@code args}.
   *
   * @throws ConfigException naming the key, the source and what is wrong
   */
  public static DevStackConfig load(Path file, Map<String, String> env, Map<String, String> args) {
    Map<String, Object> merged = new HashMap<>();
    if (file != null) {
      merged.putAll(checkKnown(PropertiesFiles.read(file), "config file " + file));
    }
    for (String key : CONFIG_DEF.names()) {
      String value = env.get(envName(key));
      if (value != null) {
        merged.put(key, value.trim());
      }
    }
    merged.putAll(checkKnown(args, "command line"));
    return new DevStackConfig(merged);
  }

  /** The environment variable that overrides {@code key}. */
  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  private static <V> Map<String, V> checkKnown(Map<String, V> values, String source) {
    for (String key : values.keySet()) {
      if (!CONFIG_DEF.names().contains(key)) {
        throw new ConfigException(
            "unknown key '"
                + key
                + "' in "
                + source
                + "; known keys: "
                + String.join(", ", new TreeSet<>(CONFIG_DEF.names())));
      }
    }
    return values;
  }

  public Path dataDir() {
    return Path.of(getString(DATA_DIR_CONFIG)).toAbsolutePath().normalize();
  }

  public String bindHost() {
    return getString(BIND_HOST_CONFIG);
  }

  public int kafkaPort() {
    return getInt(KAFKA_PORT_CONFIG);
  }

  public int kafkaControllerPort() {
    return getInt(KAFKA_CONTROLLER_PORT_CONFIG);
  }

  public int registryPort() {
    return getInt(REGISTRY_PORT_CONFIG);
  }

  public String registryTopic() {
    return getString(REGISTRY_TOPIC_CONFIG);
  }

  public CompatibilityLevel registryCompatibility() {
    return CompatibilityLevel.parse(getString(REGISTRY_COMPATIBILITY_CONFIG));
  }

  public boolean questdbEnabled() {
    return getBoolean(QUESTDB_ENABLED_CONFIG);
  }

  public int questdbHttpPort() {
    return getInt(QUESTDB_HTTP_PORT_CONFIG);
  }

  public int questdbHttpMinPort() {
    return getInt(QUESTDB_HTTP_MIN_PORT_CONFIG);
  }

  public int questdbPgPort() {
    return getInt(QUESTDB_PG_PORT_CONFIG);
  }

  public int questdbIlpPort() {
    return getInt(QUESTDB_ILP_PORT_CONFIG);
  }

  public int topicPartitions() {
    return getInt(TOPICS_PARTITIONS_CONFIG);
  }

  public long topicRetentionMs() {
    return getLong(TOPICS_RETENTION_MS_CONFIG);
  }

  public long dlqRetentionMs() {
    return getLong(TOPICS_DLQ_RETENTION_MS_CONFIG);
  }

  public boolean streamsEnabled() {
    return getBoolean(STREAMS_ENABLED_CONFIG);
  }

  public int streamsMetricsPort() {
    return getInt(STREAMS_METRICS_PORT_CONFIG);
  }

  public boolean connectEnabled() {
    return getBoolean(CONNECT_ENABLED_CONFIG);
  }

  public int connectPort() {
    return getInt(CONNECT_PORT_CONFIG);
  }

  public int connectMetricsPort() {
    return getInt(CONNECT_METRICS_PORT_CONFIG);
  }

  /** The configured plugin path, or null for the one the build unpacked. */
  public Path connectPluginPath() {
    String p = getString(CONNECT_PLUGIN_PATH_CONFIG);
    return p.isBlank() ? null : Path.of(p).toAbsolutePath().normalize();
  }

  /** The configured connector config file, or null for the plugin's own. */
  public Path connectConnectorConfig() {
    String p = getString(CONNECT_CONNECTOR_CONFIG_CONFIG);
    return p.isBlank() ? null : Path.of(p).toAbsolutePath().normalize();
  }

  public boolean simulatorEnabled() {
    return getBoolean(SIMULATOR_ENABLED_CONFIG);
  }

  public int simulatorPatients() {
    return getInt(SIMULATOR_PATIENTS_CONFIG);
  }

  public int simulatorMeters() {
    return getInt(SIMULATOR_METERS_CONFIG);
  }

  public double simulatorSpeed() {
    return getDouble(SIMULATOR_SPEED_CONFIG);
  }

  /** The configured seed, or null for a random one. */
  public Long simulatorSeed() {
    return getLong(SIMULATOR_SEED_CONFIG);
  }
}
