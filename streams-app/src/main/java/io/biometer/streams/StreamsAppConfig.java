package io.biometer.streams;

import io.biometer.config.ConfigKeys;
import io.biometer.config.LayeredConfig;
import io.biometer.streams.alerting.AlertsConfig;
import io.biometer.streams.alerting.RuleBook;
import io.biometer.streams.commands.CommandRule;
import io.biometer.streams.commands.CommandRulesConfig;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
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
 * BIOMETER_STREAMS_ALERTS_} or {@code BIOMETER_STREAMS_RULES_}, are read; {@code
 * BIOMETER_STREAMS_ALERTS_ECG_HEART_RATE_HIGH} is {@code alerts.ECG.heart_rate.high}, matched
 * against the sensor types and catalogue channels), then {@code key=value} arguments. Run inside
 * the local stack, the same keys come from its {@code streams.*} keys. Keys starting {@code kafka.}
 * pass through to Kafka Streams without the prefix (e.g. {@code kafka.commit.interval.ms}); keys
 * starting {@code alerts.<SENSOR_TYPE>.} tune the alert rules per sensor type and channel; keys
 * starting {@code rules.} are the command rules that turn alerts into commands ({@link
 * CommandRulesConfig}).
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

  // The alerts.* keys are defined beside the rule book they build (AlertsConfig); their names
  // stay here too, for the other keys' users.
  public static final String SILENT_FACTOR_CONFIG = AlertsConfig.SILENT_FACTOR_CONFIG;
  public static final String SILENT_METER_AFTER_MS_CONFIG =
      AlertsConfig.SILENT_METER_AFTER_MS_CONFIG;
  public static final String SILENT_CHECK_INTERVAL_MS_CONFIG =
      AlertsConfig.SILENT_CHECK_INTERVAL_MS_CONFIG;
  public static final String LATE_AFTER_MS_CONFIG = AlertsConfig.LATE_AFTER_MS_CONFIG;
  public static final String MIN_DURATION_MS_CONFIG = AlertsConfig.MIN_DURATION_MS_CONFIG;
  public static final String BATTERY_HYSTERESIS_CONFIG = AlertsConfig.BATTERY_HYSTERESIS_CONFIG;

  public static final String METRICS_PORT_CONFIG = "metrics.port";
  public static final String METRICS_PORT_DOC =
      "Port of the HTTP server with /metrics (Prometheus) and /health; 0 picks a free port."
          + " Default: 8090.";

  public static final String REGISTRY_CACHE_MS_CONFIG = "registry.cache.ms";
  public static final String REGISTRY_CACHE_MS_DOC =
      "How long a step remembers a device's registry entry, in milliseconds (wall clock); a change"
          + " in telemetry.devices takes effect within this time. A lookup that finds no device is"
          + " never remembered. 0 reads the registry for every record. Default: 10000.";

  public static final String METRICS_TLS_KEYSTORE_CONFIG = "metrics.tls.keystore";
  public static final String METRICS_TLS_KEYSTORE_PASSWORD_CONFIG = "metrics.tls.keystore.password";
  public static final String METRICS_BASIC_AUTH_USER_INFO_CONFIG = "metrics.basic.auth.user.info";

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
      CommandRulesConfig.define(
          AlertsConfig.define(
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
                          ConfigDef.ValidString.in(
                              StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE),
                          Importance.HIGH,
                          PROCESSING_GUARANTEE_DOC)
                      .define(
                          NUM_STREAM_THREADS_CONFIG,
                          Type.INT,
                          1,
                          Range.atLeast(1),
                          Importance.MEDIUM,
                          NUM_STREAM_THREADS_DOC)
                      .define(
                          STATE_DIR_CONFIG,
                          Type.STRING,
                          "data/streams",
                          Importance.MEDIUM,
                          STATE_DIR_DOC)
                      .define(
                          DEDUP_HORIZON_MS_CONFIG,
                          Type.LONG,
                          48L * 3600_000,
                          // Dedup keeps event times as int milliseconds into a bucket of 1/24 of
                          // the
                          // horizon.
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
                          COMPLETENESS_RETENTION_MS_DOC))
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
                  METRICS_TLS_KEYSTORE_CONFIG,
                  Type.STRING,
                  null,
                  Importance.LOW,
                  "PKCS12 key store: serve /metrics and /health over HTTPS. Default: none, plain"
                      + " HTTP.")
              .define(
                  METRICS_TLS_KEYSTORE_PASSWORD_CONFIG,
                  Type.PASSWORD,
                  null,
                  Importance.LOW,
                  "Password of metrics.tls.keystore. Default: none.")
              .define(
                  METRICS_BASIC_AUTH_USER_INFO_CONFIG,
                  Type.PASSWORD,
                  null,
                  Importance.LOW,
                  "user:password that /metrics and /health require (HTTP Basic). Default: none.")
              .define(
                  METRICS_PER_RELAY_CONFIG,
                  Type.BOOLEAN,
                  true,
                  Importance.LOW,
                  METRICS_PER_RELAY_DOC));

  private final AlertsConfig alerts;
  private final RuleBook ruleBook;
  private final List<CommandRule> commandRules;

  /**
   * A config from explicit values over the defaults, with its rule book and command rules built, so
   * a bad {@code alerts.<SENSOR_TYPE>.*} or {@code rules.*} key or value is refused here, before
   * anything starts.
   *
   * @throws ConfigException naming the key, the value and what is allowed
   */
  public StreamsAppConfig(Map<?, ?> values) {
    super(CONFIG_DEF, values, false);
    checkDynamicKeys();
    this.alerts = new AlertsConfig(this);
    this.ruleBook = alerts.ruleBook();
    this.commandRules = CommandRulesConfig.rules(this);
  }

  /**
   * Every key this app reads and the environment variables that set them. The keys per sensor type
   * and channel are listed, so {@code BIOMETER_STREAMS_ALERTS_ECG_HEART_RATE_HIGH} is read as
   * {@code alerts.ECG.heart_rate.high}.
   */
  public static final ConfigKeys KEYS =
      ConfigKeys.of(
              ENV_PREFIX, CONFIG_DEF, KAFKA_PREFIX, AlertsConfig.PREFIX, CommandRulesConfig.PREFIX)
          .withFamilyKeys(AlertsConfig.perTypeKeys());

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
      if (key.startsWith(AlertsConfig.PREFIX)) {
        AlertsConfig.checkKey(key, originals().get(key));
        continue;
      }
      if (key.startsWith(CommandRulesConfig.PREFIX)) {
        CommandRulesConfig.checkKey(key, originals().get(key));
        continue;
      }
      throw new ConfigException(
          "unknown key '"
              + key
              + "'; known keys: "
              + String.join(", ", new java.util.TreeSet<>(CONFIG_DEF.names()))
              + ", kafka.*, alerts.<SENSOR_TYPE>.*, rules.<name>.*");
    }
  }

  /** The {@code alerts.*} settings: silent devices, late alerts and the rule book. */
  public AlertsConfig alerts() {
    return alerts;
  }

  /** The alert rules this configuration asks for, built when the config was. */
  public RuleBook ruleBook() {
    return ruleBook;
  }

  /**
   * The command rules in force ({@code rules.*}), in the order of {@code rules.names}; empty if
   * {@code rules.enabled} is false.
   */
  public List<CommandRule> commandRules() {
    return commandRules;
  }

  /** Whether the processing guarantee is exactly-once. */
  public boolean exactlyOnce() {
    return StreamsConfig.EXACTLY_ONCE_V2.equals(getString(PROCESSING_GUARANTEE_CONFIG));
  }

  /** The {@code kafka.*} settings without the prefix (security, the serdes' registry keys). */
  public Map<String, Object> kafkaClient() {
    return originalsWithPrefix(KAFKA_PREFIX);
  }

  /** The Kafka Streams properties: ours mapped to Streams' keys, then every kafka.* key. */
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
    return alerts().silentFactor();
  }

  public long silentMeterAfterMs() {
    return alerts().silentMeterAfterMs();
  }

  public long silentCheckIntervalMs() {
    return alerts().silentCheckIntervalMs();
  }

  public long completenessUpdateIntervalMs() {
    return getLong(COMPLETENESS_UPDATE_INTERVAL_MS_CONFIG);
  }

  /** The ledger's retention: never shorter than the aggregation grace. */
  public long completenessRetentionMs() {
    return Math.max(getLong(COMPLETENESS_RETENTION_MS_CONFIG), graceMs());
  }

  public long lateAfterMs() {
    return alerts().lateAfterMs();
  }

  public int metricsPort() {
    return getInt(METRICS_PORT_CONFIG);
  }

  public long registryCacheMs() {
    return getLong(REGISTRY_CACHE_MS_CONFIG);
  }

  /** How /metrics and /health are protected: TLS and Basic auth if configured. */
  public io.biometer.config.http.EndpointSecurity metricsSecurity() {
    org.apache.kafka.common.config.types.Password pw =
        getPassword(METRICS_TLS_KEYSTORE_PASSWORD_CONFIG);
    org.apache.kafka.common.config.types.Password user =
        getPassword(METRICS_BASIC_AUTH_USER_INFO_CONFIG);
    String keystore = getString(METRICS_TLS_KEYSTORE_CONFIG);
    return new io.biometer.config.http.EndpointSecurity(
        keystore == null ? null : java.nio.file.Path.of(keystore),
        pw == null ? null : pw.value(),
        user == null ? null : user.value());
  }

  public String metricsHost() {
    return getString(METRICS_HOST_CONFIG);
  }

  public boolean metricsPerRelay() {
    return getBoolean(METRICS_PER_RELAY_CONFIG);
  }
}
