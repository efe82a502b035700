package io.biometer.devstack;

import io.biometer.config.ConfigKeys;
import io.biometer.config.ConfigSource;
import io.biometer.config.ConfigValidators;
import io.biometer.config.LayeredConfig;
import io.biometer.ingress.IngressConfig;
import io.biometer.registry.CompatibilityLevel;
import io.biometer.simulator.SimulatorConfig;
import io.biometer.simulator.gateway.Via;
import io.biometer.streams.StreamsAppConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Configuration of the embedded local stack. Sources, later ones winning ({@link LayeredConfig}):
 * the defaults below, a properties file, environment variables ({@code BIOMETER_} + the key in
 * upper case with dots and dashes as underscores, e.g. {@code BIOMETER_KAFKA_PORT}), then {@code
 * key=value} command-line arguments. An unknown key is an error, so a typo never passes unnoticed.
 *
 * <p>The keys of its own are defined here: where things listen, what to start. Every {@code
 * simulator.*}, {@code streams.*} and {@code connect.*} key passes, without its prefix, to that
 * app's own config ({@link SimulatorConfig}, {@link StreamsAppConfig}, {@link
 * ConnectWorkerConfig}), which defines and checks it: {@code streams.alerts.silent.factor=100} is
 * the streams app's {@code alerts.silent.factor}. The local run gives its apps a few values of its
 * own (a small simulated population, state and spool under {@code data.dir}) below the user's.
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

  public static final String KAFKA_LOG_LEVEL_CONFIG = "kafka.log.level";
  public static final String KAFKA_LOG_LEVEL_DOC =
      "Log level of the embedded broker and the Kafka clients on the console (TRACE, DEBUG, INFO,"
          + " WARN, ERROR or OFF); their start-up warnings are noise in a local run. Default:"
          + " ERROR.";
  public static final String KAFKA_LOG_LEVEL_DEFAULT = "ERROR";

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

  /** Prefix of the simulator's keys, passed through to {@link SimulatorConfig}. */
  public static final String SIMULATOR_PREFIX = "simulator.";

  public static final String SIMULATOR_PATIENTS_CONFIG =
      SIMULATOR_PREFIX + SimulatorConfig.PATIENTS_CONFIG;
  public static final String SIMULATOR_METERS_CONFIG =
      SIMULATOR_PREFIX + SimulatorConfig.METERS_CONFIG;
  public static final String SIMULATOR_SPEED_CONFIG =
      SIMULATOR_PREFIX + SimulatorConfig.SPEED_CONFIG;
  public static final String SIMULATOR_SEED_CONFIG = SIMULATOR_PREFIX + SimulatorConfig.SEED_CONFIG;

  /**
   * What the local run passes its simulator unless {@code simulator.*} says otherwise: a small
   * population on one thread, whose sinks and meters send through the local gateway over MQTT, as
   * devices do (through Kafka directly when {@code ingress.enabled} is false).
   */
  public static final Map<String, Object> LOCAL_SIMULATOR_VALUES =
      Map.of(
          SimulatorConfig.PATIENTS_CONFIG, 2,
          SimulatorConfig.METERS_CONFIG, 2,
          SimulatorConfig.THREADS_CONFIG, 1,
          SimulatorConfig.VIA_CONFIG, Via.MQTT.label());

  public static final String STREAMS_ENABLED_CONFIG = "streams.enabled";
  public static final String STREAMS_ENABLED_DOC =
      "Whether the local run starts the streams app (validation, dedup, alerts, daily"
          + " aggregates). Default: true.";

  /** Prefix of the streams app's keys, passed through to {@link StreamsAppConfig}. */
  public static final String STREAMS_PREFIX = "streams.";

  public static final String STREAMS_METRICS_PORT_CONFIG =
      STREAMS_PREFIX + StreamsAppConfig.METRICS_PORT_CONFIG;

  public static final String SECURITY_ENABLED_CONFIG = "security.enabled";
  public static final String SECURITY_ENABLED_DOC =
      "Secure mode (docs/security.md): a local CA and certificates, a generated password per"
          + " principal under <data.dir>/security (0600 files), Kafka on SASL_SSL with"
          + " SCRAM-SHA-512 and ACLs, the registry, Connect's REST API and QuestDB behind"
          + " passwords, the gateway on TLS. The first secure start needs a new data.dir."
          + " Default: false.";

  public static final String INGRESS_ENABLED_CONFIG = "ingress.enabled";
  public static final String INGRESS_ENABLED_DOC =
      "Whether the local run starts the ingress gateway (HTTPS, WebSocket, MQTT, gRPC and UDP"
          + " front ends for devices; docs/ingress.md). Default: true.";

  /** Prefix of the gateway's keys, passed through to {@link IngressConfig}. */
  public static final String INGRESS_PREFIX = "ingress.";

  public static final String INGRESS_HTTP_PORT_CONFIG =
      INGRESS_PREFIX + IngressConfig.HTTP_PORT_CONFIG;
  public static final String INGRESS_MQTT_PORT_CONFIG =
      INGRESS_PREFIX + IngressConfig.MQTT_PORT_CONFIG;
  public static final String INGRESS_GRPC_PORT_CONFIG =
      INGRESS_PREFIX + IngressConfig.GRPC_PORT_CONFIG;
  public static final String INGRESS_UDP_PORT_CONFIG =
      INGRESS_PREFIX + IngressConfig.UDP_PORT_CONFIG;

  public static final String CONNECT_ENABLED_CONFIG = "connect.enabled";
  public static final String CONNECT_ENABLED_DOC =
      "Whether the local run starts a Kafka Connect worker (distributed mode, one worker, a child"
          + " JVM) with the QuestDB sink, which lands readings, alerts and daily aggregates in"
          + " QuestDB. Needs questdb.enabled. Default: true.";

  /** Prefix of the connector runner's keys, passed through to {@link ConnectWorkerConfig}. */
  public static final String CONNECT_PREFIX = "connect.";

  public static final String CONNECT_PORT_CONFIG = CONNECT_PREFIX + ConnectWorkerConfig.PORT_CONFIG;
  public static final String CONNECT_METRICS_PORT_CONFIG =
      CONNECT_PREFIX + ConnectWorkerConfig.METRICS_PORT_CONFIG;
  public static final String CONNECT_PLUGIN_PATH_CONFIG =
      CONNECT_PREFIX + ConnectWorkerConfig.PLUGIN_PATH_CONFIG;
  public static final String CONNECT_CONNECTOR_CONFIG_CONFIG =
      CONNECT_PREFIX + ConnectWorkerConfig.CONNECTOR_CONFIG_CONFIG;

  /**
   * Keys of the apps that the local stack sets itself: its own broker, registry, gateway and
   * address.
   */
  static final List<String> SET_BY_THE_STACK =
      List.of(
          SIMULATOR_PREFIX + SimulatorConfig.BOOTSTRAP_SERVERS_CONFIG,
          SIMULATOR_PREFIX + SimulatorConfig.SCHEMA_REGISTRY_URL_CONFIG,
          SIMULATOR_PREFIX + SimulatorConfig.GATEWAY_HOST_CONFIG,
          SIMULATOR_PREFIX + SimulatorConfig.GATEWAY_HTTP_PORT_CONFIG,
          SIMULATOR_PREFIX + SimulatorConfig.GATEWAY_MQTT_PORT_CONFIG,
          SIMULATOR_PREFIX + SimulatorConfig.GATEWAY_GRPC_PORT_CONFIG,
          SIMULATOR_PREFIX + SimulatorConfig.GATEWAY_UDP_PORT_CONFIG,
          STREAMS_PREFIX + StreamsAppConfig.BOOTSTRAP_SERVERS_CONFIG,
          STREAMS_PREFIX + StreamsAppConfig.SCHEMA_REGISTRY_URL_CONFIG,
          STREAMS_PREFIX + StreamsAppConfig.METRICS_HOST_CONFIG,
          INGRESS_PREFIX + IngressConfig.BOOTSTRAP_SERVERS_CONFIG,
          INGRESS_PREFIX + IngressConfig.SCHEMA_REGISTRY_URL_CONFIG,
          INGRESS_PREFIX + IngressConfig.BIND_HOST_CONFIG);

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
              KAFKA_LOG_LEVEL_CONFIG,
              Type.STRING,
              KAFKA_LOG_LEVEL_DEFAULT,
              ConfigValidators.oneOfIgnoringCase("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF"),
              Importance.LOW,
              KAFKA_LOG_LEVEL_DOC)
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
              ConfigValidators.oneOfIgnoringCase(
                  java.util.Arrays.stream(CompatibilityLevel.values())
                      .map(Enum::name)
                      .toArray(String[]::new)),
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
          .define(STREAMS_ENABLED_CONFIG, Type.BOOLEAN, true, Importance.HIGH, STREAMS_ENABLED_DOC)
          .define(INGRESS_ENABLED_CONFIG, Type.BOOLEAN, true, Importance.HIGH, INGRESS_ENABLED_DOC)
          .define(
              SECURITY_ENABLED_CONFIG, Type.BOOLEAN, false, Importance.HIGH, SECURITY_ENABLED_DOC)
          .define(CONNECT_ENABLED_CONFIG, Type.BOOLEAN, true, Importance.HIGH, CONNECT_ENABLED_DOC);

  private static Range port() {
    return Range.between(1, 65535);
  }

  /**
   * Every key of the local stack: its own, then the simulator's, the streams app's and the
   * connector runner's under {@code simulator.}, {@code streams.} and {@code connect.}. An
   * environment variable {@code BIOMETER_STREAMS_X} sets {@code streams.X} here and {@code X} in
   * the streams app run alone: one variable, one setting. The stack's own {@code streams.enabled}
   * is no key of the streams app, which therefore never reads {@code BIOMETER_STREAMS_ENABLED}.
   */
  public static final ConfigKeys KEYS =
      ConfigKeys.of(ENV_PREFIX, CONFIG_DEF)
          .withChild(SIMULATOR_PREFIX, SimulatorConfig.KEYS)
          .withChild(STREAMS_PREFIX, StreamsAppConfig.KEYS)
          .withChild(INGRESS_PREFIX, IngressConfig.KEYS)
          .withChild(CONNECT_PREFIX, ConnectWorkerConfig.KEYS);

  private static final ConfigSource LOCAL_STACK = ConfigSource.layer("the local stack");

  private final LayeredConfig simulatorLayers;
  private final LayeredConfig streamsLayers;
  private final SimulatorConfig simulator;
  private final StreamsAppConfig streams;
  private final ConnectWorkerConfig connect;
  private final LayeredConfig ingressLayers;

  /** A config from explicit values over the defaults; unknown keys are an error. */
  public DevStackConfig(Map<String, ?> values) {
    this(LayeredConfig.empty(KEYS).with(values, ConfigSource.layer("configuration")));
  }

  private DevStackConfig(LayeredConfig layers) {
    super(CONFIG_DEF, checked(layers), false);
    for (String key : SET_BY_THE_STACK) {
      if (layers.get(key).isPresent()) {
        throw layers.invalid(
            key,
            "the local stack sets it to its own broker, registry, gateway and bind.host; remove"
                + " it");
      }
    }
    this.ingressLayers = layers.child(INGRESS_PREFIX);
    IngressConfig ingress = IngressConfig.from(ingressLayers);
    boolean mqtt = ingress.getInt(IngressConfig.MQTT_PORT_CONFIG) >= 0;
    Map<String, Object> local = new java.util.HashMap<>(LOCAL_SIMULATOR_VALUES);
    local.put(SimulatorConfig.SPOOL_DIR_CONFIG, dataDir().resolve("simulator-spool").toString());
    if (!ingressEnabled()) {
      local.put(SimulatorConfig.VIA_CONFIG, Via.KAFKA.label());
    } else if (!mqtt) {
      local.put(SimulatorConfig.VIA_CONFIG, Via.HTTP.label());
    }
    this.simulatorLayers = layers.child(SIMULATOR_PREFIX).withDefaults(local, LOCAL_STACK);
    this.streamsLayers =
        layers
            .child(STREAMS_PREFIX)
            .withDefaults(
                Map.of(StreamsAppConfig.STATE_DIR_CONFIG, dataDir().resolve("streams").toString()),
                LOCAL_STACK);
    this.simulator = SimulatorConfig.from(simulatorLayers);
    this.streams = StreamsAppConfig.from(streamsLayers);
    this.connect = ConnectWorkerConfig.from(layers.child(CONNECT_PREFIX));
    Via via = simulator.via();
    if (simulatorEnabled() && via.throughGateway()) {
      String key = SIMULATOR_PREFIX + SimulatorConfig.VIA_CONFIG;
      if (!ingressEnabled()) {
        throw layers.invalid(
            List.of(key, INGRESS_ENABLED_CONFIG),
            "the local simulator would send through the local gateway, which is off; set "
                + key
                + "=kafka or ingress.enabled=true");
      }
      if ((via == Via.MQTT || via == Via.UDP) && !mqtt) {
        throw layers.invalid(
            List.of(key, INGRESS_MQTT_PORT_CONFIG),
            "the gateway's MQTT is off"
                + (via == Via.UDP ? " (via udp the sinks send over MQTT)" : "")
                + "; set "
                + key
                + "=http or ws, or an ingress.mqtt.port");
      }
      if (via == Via.GRPC && ingress.getInt(IngressConfig.GRPC_PORT_CONFIG) < 0) {
        throw layers.invalid(
            List.of(key, INGRESS_GRPC_PORT_CONFIG),
            "the gateway's gRPC is off; set " + key + "=http, ws or mqtt, or an ingress.grpc.port");
      }
      if (via == Via.UDP && ingress.getInt(IngressConfig.UDP_PORT_CONFIG) < 0) {
        throw layers.invalid(
            List.of(key, INGRESS_UDP_PORT_CONFIG),
            "the gateway's UDP is off; set " + key + "=http, ws or mqtt, or an ingress.udp.port");
      }
    }
  }

  private static Map<String, Object> checked(LayeredConfig layers) {
    return layers.build(v -> v);
  }

  /**
   * Merges the sources in order: {@code file} (may be null), then {@code env}, then {@code args}.
   *
   * @throws ConfigException one line naming the key, the value, what is allowed and the source
   */
  public static DevStackConfig load(Path file, Map<String, String> env, Map<String, String> args) {
    return new DevStackConfig(LayeredConfig.load(KEYS, file, env, args));
  }

  /** The environment variable that overrides {@code key}. */
  public static String envName(String key) {
    return KEYS.envName(key);
  }

  /** The value the local run gives {@code key} of an app (with its prefix), or null for none. */
  public static Object localValue(String key) {
    if (key.startsWith(SIMULATOR_PREFIX)) {
      return LOCAL_SIMULATOR_VALUES.get(key.substring(SIMULATOR_PREFIX.length()));
    }
    return null;
  }

  /**
   * The simulator's config in this local run: the local run's values, the user's {@code
   * simulator.*}, then the stack's broker and registry.
   */
  public SimulatorConfig simulator(String bootstrapServers, String registryUrl) {
    return simulator(bootstrapServers, registryUrl, Map.of());
  }

  /** As {@link #simulator(String, String)}, with the stack's settings {@code extra} too. */
  public SimulatorConfig simulator(
      String bootstrapServers, String registryUrl, Map<String, ?> extra) {
    Map<String, Object> m = new java.util.HashMap<>(extra);
    m.put(SimulatorConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    m.put(SimulatorConfig.SCHEMA_REGISTRY_URL_CONFIG, registryUrl);
    return SimulatorConfig.from(simulatorLayers.with(m, LOCAL_STACK));
  }

  /**
   * The simulator's config in this local run with the stack's gateway: as {@link #simulator(String,
   * String)}, with the gateway's address and, when the gateway has TLS and {@code
   * simulator.gateway.tls.truststore} is not set, its key store as the devices' trust store.
   *
   * @param gatewayHost where the gateway listens; a wildcard bind address becomes the loopback
   * @param mqttPort the gateway's MQTT port, or -1 if it is off; so for the others
   */
  public SimulatorConfig simulator(
      String bootstrapServers,
      String registryUrl,
      String gatewayHost,
      int httpPort,
      int mqttPort,
      int grpcPort,
      int udpPort) {
    return simulator(
        bootstrapServers,
        registryUrl,
        gatewayHost,
        httpPort,
        mqttPort,
        grpcPort,
        udpPort,
        Map.of());
  }

  /**
   * As {@link #simulator(String, String, String, int, int, int, int)}, with the stack's settings
   * {@code extra} (the secure mode's {@code producer.*} client settings, the gateway's trust store)
   * over the user's.
   */
  public SimulatorConfig simulator(
      String bootstrapServers,
      String registryUrl,
      String gatewayHost,
      int httpPort,
      int mqttPort,
      int grpcPort,
      int udpPort,
      Map<String, ?> extra) {
    String host =
        gatewayHost.equals("0.0.0.0") || gatewayHost.equals("::") ? "127.0.0.1" : gatewayHost;
    Map<String, Object> stack = new java.util.HashMap<>(extra);
    stack.put(SimulatorConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    stack.put(SimulatorConfig.SCHEMA_REGISTRY_URL_CONFIG, registryUrl);
    stack.put(SimulatorConfig.GATEWAY_HOST_CONFIG, host);
    stack.put(SimulatorConfig.GATEWAY_HTTP_PORT_CONFIG, httpPort);
    if (mqttPort > 0) {
      stack.put(SimulatorConfig.GATEWAY_MQTT_PORT_CONFIG, mqttPort);
    }
    if (grpcPort > 0) {
      stack.put(SimulatorConfig.GATEWAY_GRPC_PORT_CONFIG, grpcPort);
    }
    if (udpPort > 0) {
      stack.put(SimulatorConfig.GATEWAY_UDP_PORT_CONFIG, udpPort);
    }
    LayeredConfig layers = simulatorLayers;
    IngressConfig ingress = ingress();
    if (ingress.tls()) {
      Map<String, Object> trust = new java.util.HashMap<>();
      trust.put(
          SimulatorConfig.GATEWAY_TLS_TRUSTSTORE_CONFIG,
          ingress.getString(IngressConfig.TLS_KEYSTORE_CONFIG));
      String password = ingress.password(IngressConfig.TLS_KEYSTORE_PASSWORD_CONFIG);
      if (password != null) {
        trust.put(SimulatorConfig.GATEWAY_TLS_TRUSTSTORE_PASSWORD_CONFIG, password);
      }
      layers = layers.withDefaults(trust, LOCAL_STACK);
    }
    return SimulatorConfig.from(layers.with(stack, LOCAL_STACK));
  }

  /**
   * The streams app's config in this local run: state under the data folder, the user's {@code
   * streams.*}, then the stack's broker, registry and bind.host.
   */
  public StreamsAppConfig streams(String bootstrapServers, String registryUrl) {
    return streams(bootstrapServers, registryUrl, Map.of());
  }

  /**
   * As {@link #streams(String, String)}, with the stack's settings {@code stack} (the secure mode's
   * {@code kafka.*} client settings, TLS of the metrics endpoint) over the user's.
   */
  public StreamsAppConfig streams(
      String bootstrapServers, String registryUrl, Map<String, ?> stack) {
    Map<String, Object> m = new java.util.HashMap<>(stack);
    m.put(StreamsAppConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    m.put(StreamsAppConfig.SCHEMA_REGISTRY_URL_CONFIG, registryUrl);
    m.put(StreamsAppConfig.METRICS_HOST_CONFIG, bindHost());
    return StreamsAppConfig.from(streamsLayers.with(m, LOCAL_STACK));
  }

  /**
   * The gateway's config in this local run: the user's {@code ingress.*}, then the stack's broker,
   * registry and bind.host.
   */
  public IngressConfig ingress(String bootstrapServers, String registryUrl) {
    return ingress(bootstrapServers, registryUrl, Map.of());
  }

  /**
   * As {@link #ingress(String, String)}, with the stack's settings {@code stack} (the secure mode's
   * {@code kafka.*} client settings and TLS key stores) over the user's.
   */
  public IngressConfig ingress(String bootstrapServers, String registryUrl, Map<String, ?> stack) {
    Map<String, Object> m = new java.util.HashMap<>(stack);
    m.put(IngressConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    m.put(IngressConfig.SCHEMA_REGISTRY_URL_CONFIG, registryUrl);
    m.put(IngressConfig.BIND_HOST_CONFIG, bindHost());
    return IngressConfig.from(ingressLayers.with(m, LOCAL_STACK));
  }

  public boolean securityEnabled() {
    return getBoolean(SECURITY_ENABLED_CONFIG);
  }

  public boolean ingressEnabled() {
    return getBoolean(INGRESS_ENABLED_CONFIG);
  }

  /** The gateway's config with this stack's default broker and registry addresses. */
  public IngressConfig ingress() {
    return IngressConfig.from(ingressLayers);
  }

  /** The connector runner's config: the user's {@code connect.*}. */
  public ConnectWorkerConfig connect() {
    return connect;
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

  /** {@value #KAFKA_LOG_LEVEL_CONFIG}, upper case. */
  public String kafkaLogLevel() {
    return getString(KAFKA_LOG_LEVEL_CONFIG).trim().toUpperCase(java.util.Locale.ROOT);
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
    return streams.metricsPort();
  }

  public boolean connectEnabled() {
    return getBoolean(CONNECT_ENABLED_CONFIG);
  }

  public int connectPort() {
    return connect.port();
  }

  public int connectMetricsPort() {
    return connect.metricsPort();
  }

  /** The configured plugin path, or null for the one the build unpacked. */
  public Path connectPluginPath() {
    return connect.pluginPath();
  }

  /** The configured connector config file, or null for the plugin's own. */
  public Path connectConnectorConfig() {
    return connect.connectorConfig();
  }

  public boolean simulatorEnabled() {
    return getBoolean(SIMULATOR_ENABLED_CONFIG);
  }

  public int simulatorPatients() {
    return simulator.patients();
  }

  public int simulatorMeters() {
    return simulator.meters();
  }

  public double simulatorSpeed() {
    return simulator.speed();
  }

  /** The configured seed, or null for a random one. */
  public Long simulatorSeed() {
    return simulator.seed();
  }
}
