package io.biometer.simulator;

import io.biometer.avro.SensorType;
import io.biometer.config.ConfigKeys;
import io.biometer.config.ConfigSource;
import io.biometer.config.ConfigValidators;
import io.biometer.config.LayeredConfig;
import io.biometer.simulator.engine.SimulationConfig;
import io.biometer.simulator.gateway.GatewaySettings;
import io.biometer.simulator.gateway.Via;
import io.biometer.simulator.model.SinkBatteryConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Configuration of the simulator, the one place its defaults live. Sources, later ones winning
 * ({@link LayeredConfig}): the defaults below, a properties file ({@code --config FILE}),
 * environment variables ({@code BIOMETER_SIMULATOR_} + the key in upper case with dots as
 * underscores), the command-line options, then {@code key=value} arguments. Each option of {@code
 * biometer-sim run} sets the key of the same name: {@code --sink-wake-at} is {@code sink.wake.at}.
 * Keys starting {@code producer.} pass to the Kafka producer without the prefix ({@code --producer
 * linger.ms=5} is {@code producer.linger.ms=5}). In the local stack the same keys are {@code
 * simulator.*}.
 */
public final class SimulatorConfig extends AbstractConfig {

  public static final String ENV_PREFIX = "BIOMETER_SIMULATOR_";
  public static final String PRODUCER_PREFIX = "producer.";

  public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
  public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
  public static final String PATIENTS_CONFIG = "patients";
  public static final String PATIENT_OFFSET_CONFIG = "patient.offset";
  public static final String SENSORS_PER_PATIENT_CONFIG = "sensors.per.patient";
  public static final String METERS_CONFIG = "meters";
  public static final String METER_OFFSET_CONFIG = "meter.offset";
  public static final String METER_INTERVAL_CONFIG = "meter.interval";
  public static final String CADENCE_CONFIG = "cadence";
  public static final String RATE_CONFIG = "rate";
  public static final String DURATION_CONFIG = "duration";
  public static final String REDUNDANCY_CONFIG = "redundancy";
  public static final String EPISODE_RATE_CONFIG = "episode.rate";
  public static final String SEED_CONFIG = "seed";
  public static final String SPEED_CONFIG = "speed";
  public static final String START_CONFIG = "start";
  public static final String THREADS_CONFIG = "threads";
  public static final String SPOOL_DIR_CONFIG = "spool.dir";
  public static final String SPOOL_MAX_BYTES_CONFIG = "spool.max.bytes";
  public static final String GROUND_TRUTH_CONFIG = "ground.truth";
  public static final String REPORT_CONFIG = "report";
  public static final String REGISTER_CONFIG = "register";
  public static final String SINK_SLEEP_BELOW_CONFIG = "sink.sleep.below";
  public static final String SINK_WAKE_AT_CONFIG = "sink.wake.at";
  public static final String SINK_DRAIN_PER_HOUR_CONFIG = "sink.drain.per.hour";
  public static final String SINK_RELAY_COST_CONFIG = "sink.relay.cost";
  public static final String SINK_CHARGE_PER_HOUR_CONFIG = "sink.charge.per.hour";
  public static final String SINK_CHARGING_HOURS_CONFIG = "sink.charging.hours";
  public static final String CONNECT_TIMEOUT_CONFIG = "connect.timeout";
  public static final String VIA_CONFIG = "via";
  public static final String GATEWAY_HOST_CONFIG = "gateway.host";
  public static final String GATEWAY_HTTP_PORT_CONFIG = "gateway.http.port";
  public static final String GATEWAY_MQTT_PORT_CONFIG = "gateway.mqtt.port";
  public static final String GATEWAY_GRPC_PORT_CONFIG = "gateway.grpc.port";
  public static final String GATEWAY_UDP_PORT_CONFIG = "gateway.udp.port";
  public static final String GATEWAY_TLS_TRUSTSTORE_CONFIG = "gateway.tls.truststore";
  public static final String GATEWAY_TLS_TRUSTSTORE_PASSWORD_CONFIG =
      "gateway.tls.truststore.password";
  public static final String GATEWAY_CONNECTING_MAX_CONFIG = "gateway.connecting.max";
  public static final String GATEWAY_WINDOW_CONFIG = "gateway.window";
  public static final String GATEWAY_STORE_MAX_CONFIG = "gateway.store.max";
  public static final String SEQUENCE_ORIGIN_CONFIG = "sequence.origin";
  public static final String ACTUATORS_ENABLED_CONFIG = "actuators.enabled";

  private static final SinkBatteryConfig BATTERY = SinkBatteryConfig.defaults();

  /** The definition of every fixed key, with its doc and its default. */
  public static final ConfigDef CONFIG_DEF =
      new ConfigDef()
          .define(
              BOOTSTRAP_SERVERS_CONFIG,
              Type.STRING,
              "127.0.0.1:9092",
              Importance.HIGH,
              "Kafka bootstrap servers. Default: 127.0.0.1:9092.")
          .define(
              SCHEMA_REGISTRY_URL_CONFIG,
              Type.STRING,
              "http://127.0.0.1:8081",
              Importance.HIGH,
              "Schema registry URL. Default: http://127.0.0.1:8081.")
          .define(
              PATIENTS_CONFIG,
              Type.INT,
              10,
              Range.atLeast(0),
              Importance.HIGH,
              "Patients, each with two sinks. Default: 10.")
          .define(
              PATIENT_OFFSET_CONFIG,
              Type.INT,
              0,
              Range.atLeast(0),
              Importance.LOW,
              "Index of the first patient, to shard a population across processes by id range."
                  + " Default: 0.")
          .define(
              SENSORS_PER_PATIENT_CONFIG,
              Type.INT,
              10,
              Range.between(1, 10),
              Importance.MEDIUM,
              "Body sensors per patient, 1 to 10, taken in catalogue order. Default: 10.")
          .define(
              METERS_CONFIG,
              Type.INT,
              4,
              Range.atLeast(0),
              Importance.HIGH,
              "Soil meters. Default: 4.")
          .define(
              METER_OFFSET_CONFIG,
              Type.INT,
              0,
              Range.atLeast(0),
              Importance.LOW,
              "Index of the first meter. Default: 0.")
          .define(
              METER_INTERVAL_CONFIG,
              Type.STRING,
              SimulationConfig.DEFAULT_METER_INTERVAL.toString(),
              ConfigValidators.duration(Duration.ofSeconds(1)),
              Importance.LOW,
              "Simulated time between two samples of a meter, ISO-8601. Default: PT15M.")
          .define(
              CADENCE_CONFIG,
              Type.STRING,
              null,
              ConfigValidators.duration(Duration.ofMillis(1)),
              Importance.MEDIUM,
              "Simulated time between two readings of every body sensor, ISO-8601 (e.g. PT1S)."
                  + " Default: none, each type's catalogue cadence.")
          .define(
              RATE_CONFIG,
              Type.DOUBLE,
              null,
              ConfigValidators.greaterThan(0),
              Importance.MEDIUM,
              "Target body readings per wall second across all sensors; sets the cadence. Not"
                  + " with cadence. Default: none.")
          .define(
              DURATION_CONFIG,
              Type.STRING,
              null,
              ConfigValidators.duration(Duration.ofNanos(1)),
              Importance.MEDIUM,
              "Wall time to run, ISO-8601 (e.g. PT60S). Default: none, until Ctrl-C.")
          .define(
              REDUNDANCY_CONFIG,
              Type.STRING,
              "both",
              ConfigDef.ValidString.in("both", "failover"),
              Importance.MEDIUM,
              "both: every awake sink relays every reading (duplicates on purpose); failover:"
                  + " only the first awake sink. Default: both.")
          .define(
              EPISODE_RATE_CONFIG,
              Type.DOUBLE,
              SimulationConfig.DEFAULT_EPISODES_PER_HOUR,
              Range.atLeast(0),
              Importance.MEDIUM,
              "Abnormal episodes per sensor per simulated hour. Default: 0.5.")
          .define(
              SEED_CONFIG,
              Type.LONG,
              null,
              Importance.MEDIUM,
              "Seed that makes the run repeatable. Default: none, a random seed, printed at"
                  + " start.")
          .define(
              SPEED_CONFIG,
              Type.DOUBLE,
              1.0,
              ConfigValidators.greaterThan(0),
              Importance.HIGH,
              "Simulated seconds per wall second: 1 for a live demo, 1440 for a day per minute (a"
                  + " fast run starts 30 days in the past). Default: 1.")
          .define(
              START_CONFIG,
              Type.STRING,
              null,
              ConfigValidators.instant(),
              Importance.LOW,
              "Simulated start time, ISO-8601 instant. Default: none, now at speed 1, else 30"
                  + " days ago, so a fast run never runs ahead of the wall clock for long.")
          .define(
              THREADS_CONFIG,
              Type.INT,
              2,
              Range.atLeast(1),
              Importance.MEDIUM,
              "Scheduler threads. Default: 2.")
          .define(
              SPOOL_DIR_CONFIG,
              Type.STRING,
              "data/simulator-spool",
              Importance.LOW,
              "Folder of the on-disk spool used while Kafka is unreachable. Default:"
                  + " data/simulator-spool.")
          .define(
              SPOOL_MAX_BYTES_CONFIG,
              Type.LONG,
              256L * 1024 * 1024,
              Range.atLeast(1),
              Importance.LOW,
              "Most bytes the spool keeps; beyond, records are counted lost. Default: 268435456.")
          .define(
              GROUND_TRUTH_CONFIG,
              Type.STRING,
              null,
              Importance.LOW,
              "Append what the simulator did (episodes, duplicates, spooled and lost records,"
                  + " meter batches) to this JSON-lines file. Default: none.")
          .define(
              REPORT_CONFIG,
              Type.STRING,
              null,
              Importance.LOW,
              "Write the end-of-run report as JSON to this file. Default: none.")
          .define(
              REGISTER_CONFIG,
              Type.BOOLEAN,
              true,
              Importance.LOW,
              "Publish every device to telemetry.devices at start. Default: true.")
          .define(
              SINK_SLEEP_BELOW_CONFIG,
              Type.DOUBLE,
              BATTERY.sleepBelow(),
              Range.between(0, 100),
              Importance.LOW,
              "Sink battery percent below which a sink sleeps. Default: 10.")
          .define(
              SINK_WAKE_AT_CONFIG,
              Type.DOUBLE,
              BATTERY.wakeAt(),
              Range.between(0, 100),
              Importance.LOW,
              "Sink battery percent at which a sleeping sink wakes. Default: 60.")
          .define(
              SINK_DRAIN_PER_HOUR_CONFIG,
              Type.DOUBLE,
              BATTERY.idleDrainPerHour(),
              Range.atLeast(0),
              Importance.LOW,
              "Sink battery percent spent per simulated hour awake. Default: 2.")
          .define(
              SINK_RELAY_COST_CONFIG,
              Type.DOUBLE,
              BATTERY.relayCost(),
              Range.atLeast(0),
              Importance.LOW,
              "Sink battery percent spent per relayed reading. Default: 0.0002.")
          .define(
              SINK_CHARGE_PER_HOUR_CONFIG,
              Type.DOUBLE,
              BATTERY.chargePerHour(),
              ConfigValidators.greaterThan(0),
              Importance.LOW,
              "Sink battery percent gained per simulated hour on the charger. Default: 50.")
          .define(
              SINK_CHARGING_HOURS_CONFIG,
              Type.DOUBLE,
              BATTERY.chargingHoursPerDay(),
              ConfigValidators.atLeastAndBelow(0, 24),
              Importance.LOW,
              "Length of each sink's daily charging period in hours, 0 for none. Default: 1.")
          .define(
              CONNECT_TIMEOUT_CONFIG,
              Type.STRING,
              "PT10S",
              ConfigValidators.duration(Duration.ofMillis(1)),
              Importance.LOW,
              "How long to wait for Kafka and the registry to answer at start, ISO-8601."
                  + " Default: PT10S.")
          .define(
              VIA_CONFIG,
              Type.STRING,
              Via.KAFKA.label(),
              ConfigDef.ValidString.in(Via.labels().toArray(String[]::new)),
              Importance.HIGH,
              "How readings reach Kafka: kafka, the simulator produces them itself; http, ws, mqtt"
                  + " or grpc, each sink and meter sends them through the ingress gateway as a"
                  + " device does, on its own connection with its own credential; udp, each meter"
                  + " uploads its day as HMAC-signed UDP batches with its own pre-shared key, and"
                  + " the sinks send over mqtt. Default: kafka.")
          .define(
              GATEWAY_HOST_CONFIG,
              Type.STRING,
              "127.0.0.1",
              Importance.MEDIUM,
              "Host of the ingress gateway (via http, ws, mqtt, grpc or udp). Default: 127.0.0.1.")
          .define(
              GATEWAY_HTTP_PORT_CONFIG,
              Type.INT,
              8480,
              Range.between(1, 65535),
              Importance.MEDIUM,
              "The gateway's HTTP(S) and WebSocket port (via http or ws). Default: 8480.")
          .define(
              GATEWAY_MQTT_PORT_CONFIG,
              Type.INT,
              1883,
              Range.between(1, 65535),
              Importance.MEDIUM,
              "The gateway's MQTT port (via mqtt, and the sinks' via udp). Default: 1883.")
          .define(
              GATEWAY_GRPC_PORT_CONFIG,
              Type.INT,
              8490,
              Range.between(1, 65535),
              Importance.MEDIUM,
              "The gateway's gRPC port, HTTP/2 (via grpc). Default: 8490.")
          .define(
              GATEWAY_UDP_PORT_CONFIG,
              Type.INT,
              8491,
              Range.between(1, 65535),
              Importance.MEDIUM,
              "The gateway's UDP port of meters' batches (via udp). Default: 8491.")
          .define(
              GATEWAY_TLS_TRUSTSTORE_CONFIG,
              Type.STRING,
              null,
              Importance.LOW,
              "PKCS#12 trust store with the gateway's certificate or its CA; when set, devices"
                  + " connect with TLS (https, wss, mqtts, gRPC over h2) and check the gateway's"
                  + " host name; UDP batches are signed, not encrypted."
                  + " Default: none, plain text.")
          .define(
              GATEWAY_TLS_TRUSTSTORE_PASSWORD_CONFIG,
              Type.PASSWORD,
              null,
              Importance.LOW,
              "Password of gateway.tls.truststore. Default: none.")
          .define(
              GATEWAY_CONNECTING_MAX_CONFIG,
              Type.INT,
              32,
              Range.atLeast(1),
              Importance.LOW,
              "Most devices connecting and logging in at once (each login costs the gateway a"
                  + " password check); the others wait their turn, and after a refused login they"
                  + " try one at a time. Default: 32.")
          .define(
              GATEWAY_WINDOW_CONFIG,
              Type.INT,
              32,
              Range.between(1, GatewaySettings.MAX_WINDOW),
              Importance.LOW,
              "Most readings one device has sent and not had answered, 1 to 64 (the gateway's"
                  + " replay window, which a reading sent again must not fall behind). Default:"
                  + " 32.")
          .define(
              GATEWAY_STORE_MAX_CONFIG,
              Type.LONG,
              1_000_000L,
              Range.atLeast(1),
              Importance.LOW,
              "Most readings all devices hold at once, unsent or unanswered, in memory, while the"
                  + " gateway is slow or away; beyond it readings are counted lost. Default:"
                  + " 1000000.")
          .define(
              SEQUENCE_ORIGIN_CONFIG,
              Type.LONG,
              null,
              ConfigValidators.described(
                  ">= 0",
                  v -> {
                    if (((Number) v).longValue() < 0) {
                      throw new IllegalArgumentException();
                    }
                  }),
              Importance.LOW,
              "First sequence number of every sensor and meter. Default: none: 0 via kafka;"
                  + " through the gateway the run's start in microseconds since the epoch, so"
                  + " that a restarted simulator counts on above what the gateway's replay"
                  + " windows hold, as a device's counter survives a reboot.")
          .define(
              ACTUATORS_ENABLED_CONFIG,
              Type.BOOLEAN,
              true,
              Importance.MEDIUM,
              "Whether to simulate actuators through the gateway: a fan per patient"
                  + " (<patient>.fan) and a valve per site of the meters (<site>.valve), each on"
                  + " its own MQTT connection (gateway.mqtt.port) whatever via, taking the"
                  + " gateway's commands, answering them and reporting its state as readings; and"
                  + " the access grants of the streams app's rules rule:fan and rule:valve. Via"
                  + " kafka there is no gateway to command them, so there are none. Default:"
                  + " true.");

  /** Every key the simulator reads and the environment variables that set them. */
  public static final ConfigKeys KEYS = ConfigKeys.of(ENV_PREFIX, CONFIG_DEF, PRODUCER_PREFIX);

  private static final ConfigSource CODE = ConfigSource.layer("configuration");

  private final LayeredConfig layers;

  /** A config from explicit values over the defaults. */
  public SimulatorConfig(Map<?, ?> values) {
    this(values, null);
  }

  private SimulatorConfig(Map<?, ?> values, LayeredConfig layers) {
    super(CONFIG_DEF, values, false);
    this.layers = layers;
  }

  /**
   * The config of {@code layers} (of {@link #KEYS}).
   *
   * @throws ConfigException one line naming the key, the value, what is allowed and the source
   */
  public static SimulatorConfig from(LayeredConfig layers) {
    SimulatorConfig c = layers.build(v -> new SimulatorConfig(v, layers));
    c.settings(0);
    return c;
  }

  /** Merges the defaults, {@code file} (may be null), {@code env} and {@code args}. */
  public static SimulatorConfig load(Path file, Map<String, String> env, Map<String, String> args) {
    return from(LayeredConfig.load(KEYS, file, env, args));
  }

  /** The command-line option that sets {@code key}: {@code --} and the key with dashes for dots. */
  public static String option(String key) {
    return "--" + key.replace('.', '-');
  }

  /** The key a command-line option sets, or null if it sets none. */
  public static String keyOf(String option) {
    String key = option.replaceFirst("^--", "").replace('-', '.');
    return CONFIG_DEF.names().contains(key) ? key : null;
  }

  /**
   * The settings of a run, with a random seed if none is set and the start derived from the wall
   * clock if none is set.
   *
   * @throws ConfigException one line if values contradict each other (cadence and rate, sink
   *     thresholds)
   */
  public SimulatorSettings settings() {
    return settings(System.currentTimeMillis());
  }

  private SimulatorSettings settings(long now) {
    String cadence = getString(CADENCE_CONFIG);
    Double rate = getDouble(RATE_CONFIG);
    if (cadence != null && rate != null) {
      throw invalid(RATE_CONFIG, "give cadence or rate, not both");
    }
    int patients = getInt(PATIENTS_CONFIG);
    int sensorsPerPatient = getInt(SENSORS_PER_PATIENT_CONFIG);
    double speed = speed();
    List<SensorType> types = SimulationConfig.allBodyTypes().subList(0, sensorsPerPatient);
    Duration effectiveCadence = ConfigValidators.parseDuration(cadence);
    if (rate != null) {
      long sensors = (long) patients * sensorsPerPatient;
      effectiveCadence = Duration.ofMillis(Math.max(1, Math.round(sensors * 1000 * speed / rate)));
    }
    Via via = via();
    if (via.throughGateway() && !getBoolean(REGISTER_CONFIG)) {
      throw invalid(
          List.of(VIA_CONFIG, REGISTER_CONFIG),
          "through the gateway the simulator registers its devices and their credentials; set"
              + " register=true or via=kafka");
    }
    Long origin = getLong(SEQUENCE_ORIGIN_CONFIG);
    long sequenceOrigin = origin != null ? origin : via.throughGateway() ? now * 1000 : 0;
    Long seed = getLong(SEED_CONFIG);
    long s = seed != null ? seed : new SplittableRandom().nextLong();
    String start = getString(START_CONFIG);
    long startMillis =
        start != null
            ? Instant.parse(start).toEpochMilli()
            : speed == 1 ? now : now - Duration.ofDays(30).toMillis();
    // Each sink.* key's range is checked by its validator; only the order of the two levels
    // involves two keys.
    if (!(getDouble(SINK_SLEEP_BELOW_CONFIG) < getDouble(SINK_WAKE_AT_CONFIG))) {
      throw invalid(
          List.of(SINK_SLEEP_BELOW_CONFIG, SINK_WAKE_AT_CONFIG),
          "need sleep threshold < wake threshold");
    }
    SinkBatteryConfig battery =
        new SinkBatteryConfig(
            getDouble(SINK_RELAY_COST_CONFIG),
            getDouble(SINK_DRAIN_PER_HOUR_CONFIG),
            getDouble(SINK_CHARGE_PER_HOUR_CONFIG),
            getDouble(SINK_SLEEP_BELOW_CONFIG),
            getDouble(SINK_WAKE_AT_CONFIG),
            getDouble(SINK_CHARGING_HOURS_CONFIG));
    SimulationConfig sim =
        SimulationConfig.builder(s, startMillis)
            .patients(patients)
            .patientOffset(getInt(PATIENT_OFFSET_CONFIG))
            .sensorTypes(types)
            .cadence(effectiveCadence)
            .redundant(getString(REDUNDANCY_CONFIG).equals("both"))
            .episodesPerHour(getDouble(EPISODE_RATE_CONFIG))
            .meters(getInt(METERS_CONFIG))
            .meterOffset(getInt(METER_OFFSET_CONFIG))
            .meterInterval(Duration.parse(getString(METER_INTERVAL_CONFIG)))
            .sinkBattery(battery)
            .sequenceOrigin(sequenceOrigin)
            .actuators(getBoolean(ACTUATORS_ENABLED_CONFIG))
            .build();
    Map<String, Object> producer = new HashMap<>(originalsWithPrefix(PRODUCER_PREFIX));
    String groundTruth = getString(GROUND_TRUTH_CONFIG);
    return new SimulatorSettings(
        getString(BOOTSTRAP_SERVERS_CONFIG),
        getString(SCHEMA_REGISTRY_URL_CONFIG),
        sim,
        speed,
        getInt(THREADS_CONFIG),
        Path.of(getString(SPOOL_DIR_CONFIG)),
        getLong(SPOOL_MAX_BYTES_CONFIG),
        groundTruth == null ? null : Path.of(groundTruth),
        getBoolean(REGISTER_CONFIG),
        producer,
        gateway(via));
  }

  private GatewaySettings gateway(Via via) {
    String truststore = getString(GATEWAY_TLS_TRUSTSTORE_CONFIG);
    if (truststore != null && via.throughGateway() && !Files.isReadable(Path.of(truststore))) {
      throw invalid(GATEWAY_TLS_TRUSTSTORE_CONFIG, "no readable file " + truststore);
    }
    org.apache.kafka.common.config.types.Password password =
        getPassword(GATEWAY_TLS_TRUSTSTORE_PASSWORD_CONFIG);
    return new GatewaySettings(
        via,
        getString(GATEWAY_HOST_CONFIG),
        getInt(GATEWAY_HTTP_PORT_CONFIG),
        getInt(GATEWAY_MQTT_PORT_CONFIG),
        getInt(GATEWAY_GRPC_PORT_CONFIG),
        getInt(GATEWAY_UDP_PORT_CONFIG),
        truststore == null ? null : Path.of(truststore),
        password == null ? null : password.value(),
        getInt(GATEWAY_CONNECTING_MAX_CONFIG),
        getInt(GATEWAY_WINDOW_CONFIG),
        getLong(GATEWAY_STORE_MAX_CONFIG));
  }

  /** How readings reach Kafka. */
  public Via via() {
    return Via.of(getString(VIA_CONFIG));
  }

  private ConfigException invalid(List<String> keys, String reason) {
    return (layers != null ? layers : LayeredConfig.empty(KEYS).with(originals(), CODE))
        .invalid(keys, reason);
  }

  private ConfigException invalid(String key, String reason) {
    if (layers != null && layers.get(key).isPresent()) {
      return layers.invalid(key, reason);
    }
    return new ConfigException(key + ": " + reason);
  }

  public double speed() {
    return getDouble(SPEED_CONFIG);
  }

  /** The wall time to run, or null for until stopped. */
  public Duration duration() {
    return ConfigValidators.parseDuration(getString(DURATION_CONFIG));
  }

  public Duration connectTimeout() {
    return Duration.parse(getString(CONNECT_TIMEOUT_CONFIG));
  }

  /** The file to write the report to, or null. */
  public Path report() {
    String r = getString(REPORT_CONFIG);
    return r == null ? null : Path.of(r);
  }

  public int patients() {
    return getInt(PATIENTS_CONFIG);
  }

  public int meters() {
    return getInt(METERS_CONFIG);
  }

  /** The configured seed, or null for a random one. */
  public Long seed() {
    return getLong(SEED_CONFIG);
  }
}
