package io.biometer.streams;

import io.biometer.avro.SensorType;
import io.biometer.avro.Severity;
import io.biometer.catalog.SensorCatalog;
import io.biometer.config.ConfigKeys;
import io.biometer.config.LayeredConfig;
import io.biometer.streams.rules.RuleBook;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Configuration of the streams app. Sources, later ones winning ({@link #load}, through {@link
 * LayeredConfig}): the defaults, a properties file, environment variables ({@code
 * BIOMETER_STREAMS_} + the key in upper case with dots and dashes as underscores; only variables
 * naming a key below, or starting {@code BIOMETER_STREAMS_KAFKA_} or {@code
 * BIOMETER_STREAMS_ALERTS_}, are read), then {@code key=value} arguments. Run inside the local
 * stack, the same keys come from its {@code streams.*} keys. Keys starting {@code kafka.} pass
 * through to Kafka Streams without the prefix (e.g. {@code kafka.commit.interval.ms}); keys
 * starting {@code alerts.<SENSOR_TYPE>.} tune the alert rules per sensor type and channel.
 */
public final class StreamsAppConfig extends AbstractConfig {

  public static final String ENV_PREFIX = "BIOMETER_STREAMS_";
  public static final String KAFKA_PREFIX = "kafka.";

  public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
  public static final String BOOTSTRAP_SERVERS_DOC =
      "Kafka bootstrap servers. Default: 127.0.0.1:9092.";

  public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
  public static final String SCHEMA_REGISTRY_URL_DOC =
      "Schema registry URL (mock://<scope> in tests). Default: http://127.0.0.1:8081.";

  public static final String APPLICATION_ID_CONFIG = "application.id";
  public static final String APPLICATION_ID_DOC =
      "Kafka Streams application id, shared by every instance of one deployment. Default:"
          + " biometer-streams.";

  public static final String PROCESSING_GUARANTEE_CONFIG = "processing.guarantee";
  public static final String PROCESSING_GUARANTEE_DOC =
      "exactly_once_v2 (outputs and state commit atomically) or at_least_once. Default:"
          + " exactly_once_v2.";

  public static final String NUM_STREAM_THREADS_CONFIG = "num.stream.threads";
  public static final String NUM_STREAM_THREADS_DOC = "Stream threads per instance. Default: 1.";

  public static final String STATE_DIR_CONFIG = "state.dir";
  public static final String STATE_DIR_DOC =
      "Folder of the local state stores (rebuilt from changelogs if lost). Default: data/streams.";

  public static final String DEDUP_HORIZON_MS_CONFIG = "dedup.horizon.ms";
  public static final String DEDUP_HORIZON_MS_DOC =
      "How long (event time) a (device id, sequence) is remembered to drop later copies, in"
          + " milliseconds; covers a sink's spool replay and a re-uploaded meter batch. At most"
          + " 51539607528 (about 596 days). Default: 172800000 (48 hours).";

  public static final String MAX_FUTURE_SKEW_MS_CONFIG = "validation.max.future.skew.ms";
  public static final String MAX_FUTURE_SKEW_MS_DOC =
      "A reading whose event time is further than this ahead of the wall clock is rejected to"
          + " the DLQ as future-event-time, in milliseconds. Default: 300000 (5 minutes).";

  public static final String UNKNOWN_DEVICE_WAIT_MS_CONFIG = "validation.unknown.device.wait.ms";
  public static final String UNKNOWN_DEVICE_WAIT_MS_DOC =
      "How long a reading from a device that is not (yet) in telemetry.devices waits for its"
          + " registration, in milliseconds of wall time. A device's registration and its first"
          + " readings travel on two topics and may arrive in either order: a waiting reading is"
          + " kept in a changelogged store and checked again every"
          + " validation.unknown.device.check.interval.ms; once the device is registered it is"
          + " validated and passed on, in arrival order with the device's later readings, and when"
          + " the wait ends it goes to the DLQ as unknown-device. 0 rejects at once. Default: 30000.";

  public static final String UNKNOWN_DEVICE_MAX_WAITING_CONFIG =
      "validation.unknown.device.max.waiting";
  public static final String UNKNOWN_DEVICE_MAX_WAITING_DOC =
      "How many readings may wait for their devices at once, per stream task (the store is on"
          + " disk and changelogged, so this bounds disk, changelog and check time). When it is"
          + " full, a reading from an unregistered device goes to the DLQ as unknown-device at"
          + " once. Default: 100000.";

  public static final String UNKNOWN_DEVICE_CHECK_INTERVAL_MS_CONFIG =
      "validation.unknown.device.check.interval.ms";
  public static final String UNKNOWN_DEVICE_CHECK_INTERVAL_MS_DOC =
      "How often waiting readings are checked against the registry, in milliseconds of wall time:"
          + " the longest a reading waits after its device was registered. Default: 250.";

  public static final String AGGREGATION_ZONE_CONFIG = "aggregation.zone";
  public static final String AGGREGATION_ZONE_DOC =
      "Time zone whose calendar days the daily aggregates cover (an IANA id); DST days have 23"
          + " or 25 hours. Default: UTC.";

  public static final String AGGREGATION_GRACE_MS_CONFIG = "aggregation.grace.ms";
  public static final String AGGREGATION_GRACE_MS_DOC =
      "How long after a day ends (in stream time) its readings are still accepted; later ones go"
          + " to the DLQ as too-late. Must cover a meter batch uploaded a day late. Default:"
          + " 129600000 (36 hours).";

  public static final String AGGREGATION_UPDATE_INTERVAL_MS_CONFIG =
      "aggregation.update.interval.ms";
  public static final String AGGREGATION_UPDATE_INTERVAL_MS_DOC =
      "Wall-clock interval at which running (not yet final) daily aggregates that changed are"
          + " emitted, in milliseconds; 0 emits final aggregates only. Default: 30000.";

  public static final String COMPLETENESS_UPDATE_INTERVAL_MS_CONFIG =
      "completeness.update.interval.ms";
  public static final String COMPLETENESS_UPDATE_INTERVAL_MS_DOC =
      "Wall-clock interval at which the loss ledger's rows (telemetry.completeness.daily) that"
          + " changed are emitted, in milliseconds. Default: 30000.";

  public static final String COMPLETENESS_RETENTION_MS_CONFIG = "completeness.retention.ms";
  public static final String COMPLETENESS_RETENTION_MS_DOC =
      "How long after a day ends (in stream time) the loss ledger keeps its row, so that records"
          + " rejected later (too-late) still count; raised to aggregation.grace.ms if shorter. A"
          + " rejected record of an older day is counted in biometer_completeness_expired_total"
          + " only (it is in the DLQ all the same). Stream time, not arrival: a day's row must"
          + " outlive the day's aggregate, which closes in stream time. Default: 604800000 (7"
          + " days).";

  public static final String SILENT_FACTOR_CONFIG = "alerts.silent.factor";
  public static final String SILENT_FACTOR_DOC =
      "A device is silent when no reading arrived for this many times its cadence (wall clock)."
          + " Default: 3.";

  public static final String SILENT_METER_AFTER_MS_CONFIG = "alerts.silent.meter.after.ms";
  public static final String SILENT_METER_AFTER_MS_DOC =
      "Meters upload once a day: a meter is silent after this long without an upload, in"
          + " milliseconds. Default: 108000000 (30 hours).";

  public static final String SILENT_CHECK_INTERVAL_MS_CONFIG = "alerts.silent.check.interval.ms";
  public static final String SILENT_CHECK_INTERVAL_MS_DOC =
      "How often (wall clock) silent devices are looked for, in milliseconds. Default: 5000.";

  public static final String LATE_AFTER_MS_CONFIG = "alerts.late.after.ms";
  public static final String LATE_AFTER_MS_DOC =
      "An alert whose reading was measured longer ago than this (wall clock) is marked late, so"
          + " nobody is paged for the past as if it were now, in milliseconds. Default: 900000"
          + " (15 minutes).";

  public static final String MIN_DURATION_MS_CONFIG = "alerts.min.duration.ms";
  public static final String MIN_DURATION_MS_DOC =
      "How long (event time) a value rule must hold before RAISED, for every sensor type without"
          + " its own alerts.<TYPE>.min.duration.ms, in milliseconds. Default: 0 (at once).";

  public static final String BATTERY_HYSTERESIS_CONFIG = "alerts.battery.hysteresis";
  public static final String BATTERY_HYSTERESIS_DOC =
      "Percent a battery must regain above its low level to clear a battery-low alert. Default:"
          + " 5.";

  public static final String METRICS_PORT_CONFIG = "metrics.port";
  public static final String METRICS_PORT_DOC =
      "Port of the HTTP server with /metrics (Prometheus) and /health; 0 picks a free port."
          + " Default: 8090.";

  public static final String REGISTRY_CACHE_MS_CONFIG = "registry.cache.ms";
  public static final String REGISTRY_CACHE_MS_DOC =
      "How long a step remembers a device's registry entry, in milliseconds (wall clock); a change"
          + " in telemetry.devices takes effect within this time. A lookup that finds no device is"
          + " never remembered. 0 reads the registry for every record. Default: 10000.";

  public static final String METRICS_HOST_CONFIG = "metrics.host";
  public static final String METRICS_HOST_DOC =
      "Address the /metrics and /health server listens on. Default: 0.0.0.0 (all interfaces, for"
          + " a container); the local run uses its bind.host.";

  public static final String METRICS_PER_RELAY_CONFIG = "metrics.dedup.per.relay";
  public static final String METRICS_PER_RELAY_DOC =
      "Whether the duplicates-dropped counter has a relay tag per sink (one series per sink);"
          + " false counts per relay kind only, for very large populations. Default: true.";

  /** The definition of every fixed key. */
  public static final ConfigDef CONFIG_DEF =
      new ConfigDef()
          .define(
              BOOTSTRAP_SERVERS_CONFIG,
              Type.STRING,
              "127.0.0.1:9092",
              Importance.HIGH,
              BOOTSTRAP_SERVERS_DOC)
          .define(
              SCHEMA_REGISTRY_URL_CONFIG,
              Type.STRING,
              "http://127.0.0.1:8081",
              Importance.HIGH,
              SCHEMA_REGISTRY_URL_DOC)
          .define(
              APPLICATION_ID_CONFIG,
              Type.STRING,
              "biometer-streams",
              Importance.HIGH,
              APPLICATION_ID_DOC)
          .define(
              PROCESSING_GUARANTEE_CONFIG,
              Type.STRING,
              StreamsConfig.EXACTLY_ONCE_V2,
              ConfigDef.ValidString.in(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE),
              Importance.HIGH,
              PROCESSING_GUARANTEE_DOC)
          .define(
              NUM_STREAM_THREADS_CONFIG,
              Type.INT,
              1,
              Range.atLeast(1),
              Importance.MEDIUM,
              NUM_STREAM_THREADS_DOC)
          .define(STATE_DIR_CONFIG, Type.STRING, "data/streams", Importance.MEDIUM, STATE_DIR_DOC)
          .define(
              DEDUP_HORIZON_MS_CONFIG,
              Type.LONG,
              48L * 3600_000,
              // Dedup keeps event times as int milliseconds into a bucket of 1/24 of the horizon.
              Range.between(1000L, 24L * Integer.MAX_VALUE),
              Importance.MEDIUM,
              DEDUP_HORIZON_MS_DOC)
          .define(
              MAX_FUTURE_SKEW_MS_CONFIG,
              Type.LONG,
              300_000L,
              Range.atLeast(0),
              Importance.MEDIUM,
              MAX_FUTURE_SKEW_MS_DOC)
          .define(
              UNKNOWN_DEVICE_WAIT_MS_CONFIG,
              Type.LONG,
              30_000L,
              Range.atLeast(0),
              Importance.MEDIUM,
              UNKNOWN_DEVICE_WAIT_MS_DOC)
          .define(
              UNKNOWN_DEVICE_MAX_WAITING_CONFIG,
              Type.INT,
              100_000,
              Range.atLeast(0),
              Importance.LOW,
              UNKNOWN_DEVICE_MAX_WAITING_DOC)
          .define(
              UNKNOWN_DEVICE_CHECK_INTERVAL_MS_CONFIG,
              Type.LONG,
              250L,
              Range.atLeast(1),
              Importance.LOW,
              UNKNOWN_DEVICE_CHECK_INTERVAL_MS_DOC)
          .define(
              AGGREGATION_ZONE_CONFIG,
              Type.STRING,
              "UTC",
              (name, value) -> {
                try {
                  ZoneId.of((String) value);
                } catch (RuntimeException e) {
                  throw new ConfigException(
                      name, value, "not a time zone id (e.g. UTC or Europe/Berlin)");
                }
              },
              Importance.MEDIUM,
              AGGREGATION_ZONE_DOC)
          .define(
              AGGREGATION_GRACE_MS_CONFIG,
              Type.LONG,
              36L * 3600_000,
              Range.atLeast(0),
              Importance.MEDIUM,
              AGGREGATION_GRACE_MS_DOC)
          .define(
              AGGREGATION_UPDATE_INTERVAL_MS_CONFIG,
              Type.LONG,
              30_000L,
              Range.atLeast(0),
              Importance.LOW,
              AGGREGATION_UPDATE_INTERVAL_MS_DOC)
          .define(
              COMPLETENESS_UPDATE_INTERVAL_MS_CONFIG,
              Type.LONG,
              30_000L,
              Range.atLeast(1),
              Importance.LOW,
              COMPLETENESS_UPDATE_INTERVAL_MS_DOC)
          .define(
              COMPLETENESS_RETENTION_MS_CONFIG,
              Type.LONG,
              7L * 24 * 3600_000,
              Range.atLeast(0),
              Importance.LOW,
              COMPLETENESS_RETENTION_MS_DOC)
          .define(
              SILENT_FACTOR_CONFIG,
              Type.DOUBLE,
              3.0,
              Range.atLeast(1),
              Importance.MEDIUM,
              SILENT_FACTOR_DOC)
          .define(
              SILENT_METER_AFTER_MS_CONFIG,
              Type.LONG,
              30L * 3600_000,
              Range.atLeast(1000),
              Importance.LOW,
              SILENT_METER_AFTER_MS_DOC)
          .define(
              SILENT_CHECK_INTERVAL_MS_CONFIG,
              Type.LONG,
              5_000L,
              Range.atLeast(10),
              Importance.LOW,
              SILENT_CHECK_INTERVAL_MS_DOC)
          .define(
              LATE_AFTER_MS_CONFIG,
              Type.LONG,
              900_000L,
              Range.atLeast(0),
              Importance.MEDIUM,
              LATE_AFTER_MS_DOC)
          .define(
              MIN_DURATION_MS_CONFIG,
              Type.LONG,
              0L,
              Range.atLeast(0),
              Importance.MEDIUM,
              MIN_DURATION_MS_DOC)
          .define(
              BATTERY_HYSTERESIS_CONFIG,
              Type.DOUBLE,
              5.0,
              Range.atLeast(0),
              Importance.LOW,
              BATTERY_HYSTERESIS_DOC)
          .define(
              METRICS_PORT_CONFIG,
              Type.INT,
              8090,
              Range.between(0, 65535),
              Importance.MEDIUM,
              METRICS_PORT_DOC)
          .define(
              REGISTRY_CACHE_MS_CONFIG,
              Type.LONG,
              10_000L,
              Range.atLeast(0),
              Importance.LOW,
              REGISTRY_CACHE_MS_DOC)
          .define(METRICS_HOST_CONFIG, Type.STRING, "0.0.0.0", Importance.LOW, METRICS_HOST_DOC)
          .define(
              METRICS_PER_RELAY_CONFIG, Type.BOOLEAN, true, Importance.LOW, METRICS_PER_RELAY_DOC);

  /** Default severity of value alerts per sensor type (IEC 60601-1-8 priorities). */
  static final Map<SensorType, Severity> DEFAULT_SEVERITIES = defaultSeverities();

  private static Map<SensorType, Severity> defaultSeverities() {
    Map<SensorType, Severity> m = new EnumMap<>(SensorType.class);
    for (SensorType t : SensorType.values()) {
      m.put(t, Severity.MEDIUM);
    }
    m.put(SensorType.BLOOD_OXYGEN, Severity.HIGH);
    m.put(SensorType.ECG, Severity.HIGH);
    m.put(SensorType.PACEMAKER, Severity.HIGH);
    m.put(SensorType.BLOOD_SUGAR, Severity.HIGH);
    m.put(SensorType.EMG, Severity.LOW);
    m.put(SensorType.SOIL_METER, Severity.LOW);
    return m;
  }

  /** A config from explicit values over the defaults. */
  public StreamsAppConfig(Map<?, ?> values) {
    super(CONFIG_DEF, values, false);
    checkDynamicKeys();
  }

  /** Every key this app reads and the environment variables that set them. */
  public static final ConfigKeys KEYS =
      ConfigKeys.of(ENV_PREFIX, CONFIG_DEF, KAFKA_PREFIX, "alerts.");

  /** Merges the defaults, {@code file} (may be null) and {@code env}. */
  public static StreamsAppConfig load(Path file, Map<String, String> env) {
    return load(file, env, Map.of());
  }

  /**
   * Merges the defaults, {@code file} (may be null), {@code env} and {@code args}.
   *
   * @throws ConfigException one line naming the key, the value, what is allowed and the source
   */
  public static StreamsAppConfig load(
      Path file, Map<String, String> env, Map<String, String> args) {
    return from(LayeredConfig.load(KEYS, file, env, args));
  }

  /**
   * The config of {@code layers} (of {@link #KEYS}).
   *
   * @throws ConfigException one line naming the key, the value, what is allowed and the source
   */
  public static StreamsAppConfig from(LayeredConfig layers) {
    return layers.build(StreamsAppConfig::new);
  }

  private void checkDynamicKeys() {
    for (String key : originals().keySet()) {
      if (CONFIG_DEF.names().contains(key) || key.startsWith(KAFKA_PREFIX)) {
        continue;
      }
      if (key.startsWith("alerts.")) {
        alertKey(key);
        continue;
      }
      throw new ConfigException(
          "unknown key '"
              + key
              + "'; known keys: "
              + String.join(", ", new java.util.TreeSet<>(CONFIG_DEF.names()))
              + ", kafka.*, alerts.<SENSOR_TYPE>.*");
    }
  }

  /**
   * Parses {@code alerts.TYPE.min.duration.ms}, {@code alerts.TYPE.severity}, {@code
   * alerts.TYPE.channel.low|high|hysteresis}.
   */
  private String[] alertKey(String key) {
    String[] parts = key.split("\\.");
    if (parts.length < 3) {
      throw new ConfigException(
          key, originals().get(key), "expected alerts.<SENSOR_TYPE>.<setting>");
    }
    try {
      SensorType.valueOf(parts[1]);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          key, originals().get(key), "'" + parts[1] + "' is not a sensor type");
    }
    String rest = key.substring(("alerts." + parts[1] + ".").length());
    boolean ok =
        rest.equals("min.duration.ms")
            || rest.equals("severity")
            || (parts.length == 4
                && (parts[3].equals("low")
                    || parts[3].equals("high")
                    || parts[3].equals("hysteresis")));
    if (!ok) {
      throw new ConfigException(
          key,
          originals().get(key),
          "expected min.duration.ms, severity, or <channel>.low|high|hysteresis after alerts.<SENSOR_TYPE>.");
    }
    return parts;
  }

  /** The alert rules this configuration asks for. */
  public RuleBook ruleBook() {
    Map<SensorType, Severity> severities = new EnumMap<>(DEFAULT_SEVERITIES);
    Map<SensorType, Long> minDurations = new EnumMap<>(SensorType.class);
    Map<String, RuleBook.ChannelOverride> channels = new HashMap<>();
    long globalMin = getLong(MIN_DURATION_MS_CONFIG);
    for (SensorType t : SensorType.values()) {
      minDurations.put(t, globalMin);
    }
    Map<String, Map<String, Double>> perChannel = new HashMap<>();
    for (Map.Entry<String, Object> e : originals().entrySet()) {
      String key = e.getKey();
      if (!key.startsWith("alerts.") || CONFIG_DEF.names().contains(key)) {
        continue;
      }
      String[] parts = alertKey(key);
      SensorType type = SensorType.valueOf(parts[1]);
      String value = String.valueOf(e.getValue()).trim();
      try {
        if (key.endsWith(".min.duration.ms")) {
          minDurations.put(type, Long.parseLong(value));
        } else if (key.endsWith(".severity")) {
          severities.put(type, Severity.valueOf(value.toUpperCase(Locale.ROOT)));
        } else {
          perChannel
              .computeIfAbsent(parts[1] + "." + parts[2], k -> new HashMap<>())
              .put(parts[3], Double.parseDouble(value));
        }
      } catch (IllegalArgumentException ex) {
        throw new ConfigException(key, value, "not a valid value: " + ex.getMessage());
      }
    }
    perChannel.forEach(
        (k, m) ->
            channels.put(
                k, new RuleBook.ChannelOverride(m.get("low"), m.get("high"), m.get("hysteresis"))));
    return new RuleBook(
        SensorCatalog.standard(),
        severities,
        minDurations,
        channels,
        getDouble(BATTERY_HYSTERESIS_CONFIG));
  }

  /** The Kafka Streams properties: ours mapped to Streams' keys, then every kafka.* key. */
  /** Whether the processing guarantee is exactly-once. */
  public boolean exactlyOnce() {
    return StreamsConfig.EXACTLY_ONCE_V2.equals(getString(PROCESSING_GUARANTEE_CONFIG));
  }

  public Properties streamsProperties() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, getString(APPLICATION_ID_CONFIG));
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, getString(BOOTSTRAP_SERVERS_CONFIG));
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, getString(PROCESSING_GUARANTEE_CONFIG));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, getInt(NUM_STREAM_THREADS_CONFIG));
    p.put(StreamsConfig.STATE_DIR_CONFIG, getString(STATE_DIR_CONFIG));
    originalsWithPrefix(KAFKA_PREFIX).forEach(p::put);
    return p;
  }

  public String registryUrl() {
    return getString(SCHEMA_REGISTRY_URL_CONFIG);
  }

  public long dedupHorizonMs() {
    return getLong(DEDUP_HORIZON_MS_CONFIG);
  }

  public long maxFutureSkewMs() {
    return getLong(MAX_FUTURE_SKEW_MS_CONFIG);
  }

  public long unknownDeviceWaitMs() {
    return getLong(UNKNOWN_DEVICE_WAIT_MS_CONFIG);
  }

  public int unknownDeviceMaxWaiting() {
    return getInt(UNKNOWN_DEVICE_MAX_WAITING_CONFIG);
  }

  public long unknownDeviceCheckIntervalMs() {
    return getLong(UNKNOWN_DEVICE_CHECK_INTERVAL_MS_CONFIG);
  }

  public ZoneId zone() {
    return ZoneId.of(getString(AGGREGATION_ZONE_CONFIG));
  }

  public long graceMs() {
    return getLong(AGGREGATION_GRACE_MS_CONFIG);
  }

  public long updateIntervalMs() {
    return getLong(AGGREGATION_UPDATE_INTERVAL_MS_CONFIG);
  }

  public double silentFactor() {
    return getDouble(SILENT_FACTOR_CONFIG);
  }

  public long silentMeterAfterMs() {
    return getLong(SILENT_METER_AFTER_MS_CONFIG);
  }

  public long silentCheckIntervalMs() {
    return getLong(SILENT_CHECK_INTERVAL_MS_CONFIG);
  }

  public long completenessUpdateIntervalMs() {
    return getLong(COMPLETENESS_UPDATE_INTERVAL_MS_CONFIG);
  }

  /** The ledger's retention: never shorter than the aggregation grace. */
  public long completenessRetentionMs() {
    return Math.max(getLong(COMPLETENESS_RETENTION_MS_CONFIG), graceMs());
  }

  public long lateAfterMs() {
    return getLong(LATE_AFTER_MS_CONFIG);
  }

  public int metricsPort() {
    return getInt(METRICS_PORT_CONFIG);
  }

  public long registryCacheMs() {
    return getLong(REGISTRY_CACHE_MS_CONFIG);
  }

  public String metricsHost() {
    return getString(METRICS_HOST_CONFIG);
  }

  public boolean metricsPerRelay() {
    return getBoolean(METRICS_PER_RELAY_CONFIG);
  }
}
