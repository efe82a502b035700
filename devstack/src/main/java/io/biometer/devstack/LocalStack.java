package io.biometer.devstack;

import io.biometer.config.http.EndpointSecurity;
import io.biometer.devstack.security.KafkaAcls;
import io.biometer.devstack.security.LocalSecurity;
import io.biometer.devstack.security.SchemaDeploy;
import io.biometer.ingress.Gateway;
import io.biometer.ingress.IngressConfig;
import io.biometer.registry.server.EmbeddedSchemaRegistry;
import io.biometer.registry.server.RegistryAccess;
import io.biometer.serde.AvroSerdeConfig;
import io.biometer.simulator.SimulatorConfig;
import io.biometer.simulator.SimulatorRun;
import io.biometer.streams.StreamsApp;
import io.biometer.streams.StreamsAppConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded local stack: a real KRaft Kafka broker, the embedded schema registry (schemas in a
 * compacted topic of that broker) and QuestDB, all in this JVM, all data under {@link
 * DevStackConfig#dataDir()}, every port on {@link DevStackConfig#bindHost()}. Closing it stops the
 * parts in reverse order of their start, each cleanly.
 */
public final class LocalStack implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LocalStack.class);

  private final DevStackConfig config;
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final Map<String, String> brokerOverrides;
  private final Map<String, String> connectOverrides;
  private ConnectWorker connect;
  private Map<String, String> deployedConnector;
  private String connectorState;
  private EmbeddedKafka kafka;
  private EmbeddedSchemaRegistry registry;
  private LocalSecurity security;
  private EmbeddedQuestDb questdb;
  private SimulatorRun simulator;
  private StreamsApp streams;
  private Gateway ingress;
  private TopicSetup.Result topics;
  private int schemasReplayed;

  /** The name of the local run's QuestDB sink connector. */
  public static final String CONNECTOR = "questdb-sink";

  private LocalStack(
      DevStackConfig config,
      Map<String, String> brokerOverrides,
      Map<String, String> connectOverrides) {
    this.config = config;
    this.brokerOverrides = Map.copyOf(brokerOverrides);
    this.connectOverrides = Map.copyOf(connectOverrides);
  }

  /**
   * Starts every part; if one fails, the ones already started are stopped again.
   *
   * @throws IllegalStateException naming the part and the cause (a port in use, say)
   */
  public static LocalStack start(DevStackConfig config) {
    return start(config, Map.of());
  }

  /**
   * As {@link #start(DevStackConfig)}, with broker settings that replace or add to the embedded
   * broker's (tests use it, e.g. for a retention check every second).
   */
  public static LocalStack start(DevStackConfig config, Map<String, String> brokerOverrides) {
    return start(config, brokerOverrides, Map.of());
  }

  /**
   * As {@link #start(DevStackConfig, Map)}, with Connect worker settings that replace or add to the
   * local run's (tests use it, e.g. for another plugin.discovery mode).
   */
  public static LocalStack start(
      DevStackConfig config,
      Map<String, String> brokerOverrides,
      Map<String, String> connectOverrides) {
    LocalStack stack = new LocalStack(config, brokerOverrides, connectOverrides);
    try {
      stack.startParts();
      return stack;
    } catch (Exception e) {
      stack.close();
      if (e instanceof IllegalStateException ise) {
        throw ise;
      }
      throw new IllegalStateException("the local stack failed to start: " + e, e);
    }
  }

  private void startParts() throws Exception {
    checkPortsFree();
    Path data = config.dataDir();
    Files.createDirectories(data);
    String host = config.bindHost();

    if (config.securityEnabled()) {
      security = LocalSecurity.ensure(data.resolve("security"));
    }
    kafka =
        EmbeddedKafka.start(
            data.resolve("kafka"),
            host,
            config.kafkaPort(),
            config.kafkaControllerPort(),
            brokerOverrides,
            secureBroker());
    started.push(kafka);
    try (Admin admin = Admin.create(adminClient())) {
      if (security != null) {
        KafkaAcls.apply(admin, security, KafkaAcls.defaults());
      }
      topics = TopicSetup.ensure(admin, config);
    }

    registry =
        EmbeddedSchemaRegistry.startOnKafka(
            kafka.bootstrapServers(),
            kafkaClient("registry"),
            config.registryTopic(),
            (short) 1,
            config.registryCompatibility(),
            host,
            config.registryPort(),
            registryAccess(),
            security == null
                ? null
                : EndpointSecurity.sslContext(
                    security.keystore("registry"), security.storePassword()));
    started.push(registry);
    schemasReplayed = registry.schemasReplayed();
    if (security != null) {
      deploy();
    }

    if (config.questdbEnabled()) {
      questdb =
          EmbeddedQuestDb.start(
              data.resolve("questdb"),
              host,
              config.questdbHttpPort(),
              config.questdbHttpMinPort(),
              config.questdbPgPort(),
              config.questdbIlpPort(),
              security == null
                  ? null
                  : new QuestDbAuth(
                      LocalSecurity.QUESTDB_ADMIN,
                      security.questdbAdminPassword(),
                      security.questdbAdminPassword(),
                      security.questdbReadonlyPassword()));
      started.push(questdb);
    }

    if (config.connectEnabled() && questdb != null) {
      startConnect(data, host);
    }

    if (config.streamsEnabled()) {
      Map<String, Object> app = prefixed(StreamsAppConfig.KAFKA_PREFIX, appClient("streams"));
      if (security != null) {
        app.put(
            StreamsAppConfig.METRICS_TLS_KEYSTORE_CONFIG, security.keystore("streams").toString());
        app.put(StreamsAppConfig.METRICS_TLS_KEYSTORE_PASSWORD_CONFIG, security.storePassword());
        app.put(StreamsAppConfig.METRICS_BASIC_AUTH_USER_INFO_CONFIG, security.metricsUserInfo());
      }
      streams = StreamsApp.start(config.streams(bootstrapServers(), registryUrl(), app));
      started.push(streams);
    }

    if (config.ingressEnabled()) {
      Map<String, Object> gateway = prefixed(IngressConfig.KAFKA_PREFIX, appClient("ingress"));
      if (security != null) {
        gateway.put(IngressConfig.TLS_KEYSTORE_CONFIG, security.keystore("ingress").toString());
        gateway.put(IngressConfig.TLS_KEYSTORE_PASSWORD_CONFIG, security.storePassword());
        gateway.put(IngressConfig.METRICS_BASIC_AUTH_USER_INFO_CONFIG, security.metricsUserInfo());
      }
      ingress = Gateway.start(config.ingress(bootstrapServers(), registryUrl(), gateway));
      started.push(ingress);
    }

    if (config.simulatorEnabled()) {
      // The gateway, if any, is up: the simulator's devices connect to it.
      Map<String, Object> sim = prefixed(SimulatorConfig.PRODUCER_PREFIX, appClient("simulator"));
      if (security != null && ingress != null) {
        sim.put(SimulatorConfig.GATEWAY_TLS_TRUSTSTORE_CONFIG, security.truststore().toString());
        sim.put(SimulatorConfig.GATEWAY_TLS_TRUSTSTORE_PASSWORD_CONFIG, security.storePassword());
      }
      simulator =
          SimulatorRun.start(
              (ingress == null
                      ? config.simulator(bootstrapServers(), registryUrl(), sim)
                      : config.simulator(
                          bootstrapServers(),
                          registryUrl(),
                          host,
                          ingress.httpPort(),
                          ingress.mqttPort(),
                          ingress.grpcPort(),
                          ingress.udpPort(),
                          sim))
                  .settings());
      started.push(simulator);
    }
  }

  private void startConnect(Path data, String host) throws Exception {
    Path plugins =
        config.connectPluginPath() != null ? config.connectPluginPath() : defaultPluginPath();
    Path connectorConfig =
        config.connectConnectorConfig() != null
            ? config.connectConnectorConfig()
            : pluginFile(plugins, "etc/questdb-sink.json");
    Map<String, String> connector = ConnectWorker.readConnectorConfig(connectorConfig);
    connector.put("value.converter.schema.registry.url", registryUrl());
    Map<String, String> worker = workerOverrides();
    ConnectWorker.RestAuth restAuth = null;
    ConnectWorker.MetricsAuth metricsAuth = null;
    if (security == null) {
      connector.put("client.conf.string", questdb.ilpHttpConf());
    } else {
      // The secrets reach the connector through the worker's FileConfigProvider: the stored
      // connector config holds ${file:...} placeholders, never the passwords.
      Map<String, String> secrets = new LinkedHashMap<>();
      secrets.put("questdb.client.conf", questdb.ilpHttpConf());
      secrets.put("registry.user.info", security.registryUserInfo("connect"));
      secrets.put("truststore.password", security.storePassword());
      Map<String, String> ref =
          ConnectWorker.secretsFile(security.dir().resolve("connect-secrets.properties"), secrets);
      connector.put("client.conf.string", ref.get("questdb.client.conf"));
      connector.put("value.converter.basic.auth.credentials.source", "USER_INFO");
      connector.put("value.converter.basic.auth.user.info", ref.get("registry.user.info"));
      connector.put(
          "value.converter." + AvroSerdeConfig.SSL_TRUSTSTORE_LOCATION_CONFIG,
          security.truststore().toString());
      connector.put(
          "value.converter." + AvroSerdeConfig.SSL_TRUSTSTORE_PASSWORD_CONFIG,
          ref.get("truststore.password"));
      worker.put("config.providers.file.param.allowed.paths", security.dir().toString());
      Map<String, Object> client = kafkaClient("connect");
      for (String prefix : List.of("", "producer.", "consumer.", "admin.")) {
        client.forEach((k, v) -> worker.putIfAbsent(prefix + k, String.valueOf(v)));
      }
      restAuth =
          new ConnectWorker.RestAuth(
              LocalSecurity.CONNECT_REST_USER, security.connectRestPassword());
      String metrics = security.metricsUserInfo();
      metricsAuth =
          new ConnectWorker.MetricsAuth(
              security.keystore("connect"),
              security.truststore(),
              security.storePassword(),
              "connect",
              metrics.substring(0, metrics.indexOf(':')),
              metrics.substring(metrics.indexOf(':') + 1));
    }
    connect =
        ConnectWorker.start(
            data.resolve("connect"),
            bootstrapServers(),
            host,
            config.connectPort(),
            plugins,
            worker,
            defaultPluginPath().getParent().resolve("agents"),
            config.connectMetricsPort(),
            config.connect().javaOpts(),
            restAuth,
            metricsAuth);
    started.push(connect);
    deployedConnector = Map.copyOf(connector);
    connect.putConnector(CONNECTOR, connector);
    connectorState =
        ConnectWorker.describe(CONNECTOR, connect.awaitRunning(CONNECTOR, Duration.ofSeconds(90)));
  }

  /**
   * The secure mode's deploy step: the admin registers every schema (the runtime clients only look
   * them up), and {@code admin.properties} learns where this run's broker and registry listen.
   */
  private void deploy() throws IOException {
    SchemaDeploy.registerAll(security, registry.url());
    security.writeAdminProperties(bootstrapServers(), registryUrl());
  }

  private EmbeddedKafka.Secure secureBroker() {
    return security == null
        ? null
        : new EmbeddedKafka.Secure(
            security.keystore("kafka"),
            security.truststore(),
            security.storePassword(),
            security.password("admin"));
  }

  /**
   * The Kafka client settings of {@code principal} without bootstrap.servers: SASL_SSL in secure
   * mode, none otherwise.
   */
  public Map<String, Object> kafkaClient(String principal) {
    return security == null ? new HashMap<>() : new HashMap<>(security.kafkaClient(principal));
  }

  /**
   * The serde settings of {@code principal}: the registry's URL and, in secure mode, its login
   * ({@code admin} may register, the others only read).
   */
  public Map<String, Object> serdeSettings(String principal) {
    Map<String, Object> m = AvroSerdeConfig.clientSettings(appClient(principal));
    m.remove(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG);
    m.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, registryUrl());
    return m;
  }

  /** The admin's Kafka client settings with bootstrap.servers. */
  public Map<String, Object> adminClient() {
    Map<String, Object> m = kafkaClient("admin");
    m.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    return m;
  }

  /**
   * An app's Kafka client settings with its serdes' registry settings (Confluent's keys ride with
   * the client's): in secure mode its registry user, which only reads, and no auto-registration.
   */
  public Map<String, Object> appClient(String principal) {
    Map<String, Object> m = kafkaClient(principal);
    if (security != null) {
      m.putAll(security.registryClient(principal));
      m.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, "false");
    }
    return m;
  }

  private static Map<String, Object> prefixed(String prefix, Map<String, Object> m) {
    Map<String, Object> p = new HashMap<>();
    m.forEach((k, v) -> p.put(prefix + k, v));
    return p;
  }

  /**
   * Who may use the registry: everyone in plain mode; in secure mode the admin writes and the
   * runtime principals read.
   */
  private RegistryAccess registryAccess() {
    if (security == null) {
      return RegistryAccess.open();
    }
    RegistryAccess users =
        RegistryAccess.users().with("admin", security.password("admin"), RegistryAccess.Role.WRITE);
    for (String p : LocalSecurity.PRINCIPALS) {
      if (!p.equals("admin")) {
        users = users.with(p, security.password(p), RegistryAccess.Role.READ);
      }
    }
    return users;
  }

  /** The secure mode's material, or null in plain mode. */
  public LocalSecurity security() {
    return security;
  }

  /**
   * The plugin folder the build unpacked into {@code devstack/target/connect-plugins}: found beside
   * this module's jar or classes (a build of this module), else under the working directory or its
   * parent (the commands run from the repository's root with another module's {@code target/lib};
   * the cross-module tests run from their module's folder). The first that exists wins; if none
   * does, the first candidate is returned and the caller's error names it.
   */
  public static Path defaultPluginPath() {
    List<Path> candidates = new ArrayList<>();
    try {
      Path here =
          Path.of(LocalStack.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      candidates.add(here.getParent().resolve("connect-plugins"));
    } catch (java.net.URISyntaxException | RuntimeException e) {
      // no code source: only the working-directory candidates below
    }
    Path cwd = Path.of("").toAbsolutePath();
    candidates.add(cwd.resolve(Path.of("devstack", "target", "connect-plugins")));
    if (cwd.getParent() != null) {
      candidates.add(cwd.getParent().resolve(Path.of("devstack", "target", "connect-plugins")));
    }
    return candidates.stream().filter(Files::isDirectory).findFirst().orElse(candidates.get(0));
  }

  /** A file inside the biometer-connect-* plugin folder under {@code plugins}. */
  public static Path pluginFile(Path plugins, String file) throws IOException {
    try (var dirs = Files.list(plugins)) {
      Path plugin =
          dirs.filter(d -> d.getFileName().toString().startsWith("biometer-connect-"))
              .filter(Files::isDirectory)
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "no biometer-connect-* plugin folder in "
                              + plugins
                              + ": build it with ./mvnw -pl devstack -am package"));
      return plugin.resolve(file);
    }
  }

  /**
   * Stops the broker and starts it again on the same ports and data, with everything else left
   * running: a fault the truth check injects. Clients see the broker go away and come back.
   */
  public synchronized void restartKafka() throws IOException {
    EmbeddedKafka old = kafka;
    old.close();
    // The broker was started first, so it is the last part stopped at close.
    if (started.peekLast() == old) {
      started.removeLast();
    }
    kafka =
        EmbeddedKafka.start(
            config.dataDir().resolve("kafka"),
            config.bindHost(),
            config.kafkaPort(),
            config.kafkaControllerPort(),
            brokerOverrides,
            secureBroker());
    started.addLast(kafka);
  }

  /** The Connect worker, or null if the local run has none. */
  public ConnectWorker connect() {
    return connect;
  }

  /**
   * The config the stack submitted for connector {@link #CONNECTOR} (the file's, with this stack's
   * registry URL and QuestDB address), or null without a Connect worker. The connector bench
   * submits it again under other names and tables.
   */
  public Map<String, String> connectorConfig() {
    return deployedConnector;
  }

  /** The worker settings of {@code connect.worker.*}, then the ones the caller gave. */
  private Map<String, String> workerOverrides() {
    Map<String, String> m = new LinkedHashMap<>(config.connect().workerOverrides());
    m.putAll(connectOverrides);
    return m;
  }

  /** The running streams app, or null if {@code streams.enabled} is false. */
  public StreamsApp streams() {
    return streams;
  }

  /** The running ingress gateway, or null if {@code ingress.enabled} is false. */
  public Gateway ingress() {
    return ingress;
  }

  /** The running simulator, or null if {@code simulator.enabled} is false. */
  public SimulatorRun simulator() {
    return simulator;
  }

  private void checkPortsFree() {
    Map<String, Integer> ports = new LinkedHashMap<>();
    ports.put(DevStackConfig.KAFKA_PORT_CONFIG, config.kafkaPort());
    ports.put(DevStackConfig.KAFKA_CONTROLLER_PORT_CONFIG, config.kafkaControllerPort());
    ports.put(DevStackConfig.REGISTRY_PORT_CONFIG, config.registryPort());
    if (config.questdbEnabled()) {
      ports.put(DevStackConfig.QUESTDB_HTTP_PORT_CONFIG, config.questdbHttpPort());
      ports.put(DevStackConfig.QUESTDB_HTTP_MIN_PORT_CONFIG, config.questdbHttpMinPort());
      ports.put(DevStackConfig.QUESTDB_PG_PORT_CONFIG, config.questdbPgPort());
      ports.put(DevStackConfig.QUESTDB_ILP_PORT_CONFIG, config.questdbIlpPort());
      if (config.connectEnabled()) {
        ports.put(DevStackConfig.CONNECT_PORT_CONFIG, config.connectPort());
        ports.put(DevStackConfig.CONNECT_METRICS_PORT_CONFIG, config.connectMetricsPort());
      }
    }
    if (config.ingressEnabled()) {
      IngressConfig ic = config.ingress();
      ports.put(DevStackConfig.INGRESS_HTTP_PORT_CONFIG, ic.getInt(IngressConfig.HTTP_PORT_CONFIG));
      ports.put(DevStackConfig.INGRESS_MQTT_PORT_CONFIG, ic.getInt(IngressConfig.MQTT_PORT_CONFIG));
      ports.put(DevStackConfig.INGRESS_GRPC_PORT_CONFIG, ic.getInt(IngressConfig.GRPC_PORT_CONFIG));
    }
    ports.values().removeIf(p -> p <= 0);
    for (Map.Entry<String, Integer> e : ports.entrySet()) {
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(config.bindHost(), e.getValue()));
      } catch (IOException ex) {
        throw new IllegalStateException(
            "port "
                + e.getValue()
                + " on "
                + config.bindHost()
                + " ("
                + e.getKey()
                + ") is in use: stop what holds it (another local stack?) or set "
                + e.getKey()
                + " (environment "
                + DevStackConfig.envName(e.getKey())
                + ")");
      }
    }
  }

  /** Kafka's {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  /** Base URL of the schema registry. */
  public String registryUrl() {
    return registry.url();
  }

  /** QuestDB, or null if {@code questdb.enabled} is false. */
  public EmbeddedQuestDb questdb() {
    return questdb;
  }

  /** Topics created by this start and topics found from an earlier one. */
  public TopicSetup.Result topics() {
    return topics;
  }

  /** Records read back from the schema topic at start (0 on a first start). */
  public int schemasReplayed() {
    return schemasReplayed;
  }

  /** The configuration the stack runs with. */
  public DevStackConfig config() {
    return config;
  }

  /** Lines that say where each part listens, for people. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    lines.add("data folder      " + config.dataDir());
    if (security == null) {
      lines.add(
          "security         NOT SECURED: no TLS, no passwords, open to anyone who reaches"
              + " these ports (loopback only by default); security.enabled=true secures it");
    } else {
      lines.add(
          "security         secured: TLS with a local CA ("
              + security.caPem()
              + "), a password per principal in "
              + security.credentialsFile()
              + "; the admin's Kafka settings in "
              + security.adminProperties());
    }
    lines.add(
        "kafka            "
            + bootstrapServers()
            + (security == null
                ? "   (bootstrap.servers)"
                : "   (bootstrap.servers; SASL_SSL, SCRAM-SHA-512, ACLs)"));
    lines.add(
        "schema registry  "
            + registryUrl()
            + "   (schema.registry.url; "
            + schemasReplayed
            + " records in "
            + config.registryTopic()
            + ")");
    if (questdb != null) {
      lines.add("questdb console  " + questdb.httpUrl());
      if (security == null) {
        lines.add("questdb sql      " + questdb.jdbcUrl() + "   (user admin, password quest)");
        lines.add("questdb ilp      " + questdb.ilpAddress() + "   (tcp)");
      } else {
        lines.add(
            "questdb sql      "
                + questdb.jdbcUrl()
                + "   (users admin and "
                + EmbeddedQuestDb.READONLY_USER
                + " (read only); passwords questdb.* in "
                + security.credentialsFile().getFileName()
                + "; HTTP Basic on the console and ILP)");
      }
      lines.add("questdb metrics  " + questdb.metricsUrl());
    }
    if (connect != null) {
      lines.add(
          "kafka connect    "
              + connect.url()
              + "   (REST; "
              + connectorState
              + "; log "
              + connect.logFile()
              + ")");
      lines.add(
          "connect metrics  " + connect.metricsUrl() + "   (Prometheus: tasks, consumer, JVM)");
    } else if (config.connectEnabled()) {
      lines.add("kafka connect    not started: it needs questdb.enabled=true");
    }
    if (streams != null) {
      lines.add(
          "streams app      "
              + streams.metricsScheme()
              + "://"
              + config.bindHost()
              + ":"
              + streams.metricsPort()
              + "/metrics and /health   (validation, dedup, alerts, daily aggregates"
              + (security == null
                  ? ")"
                  : "; TLS, HTTP Basic user " + LocalSecurity.METRICS_USER + ")"));
    }
    if (ingress != null) {
      for (String line : ingress.describe()) {
        lines.add("ingress " + line);
      }
    }
    if (simulator != null) {
      lines.add(
          "simulator        "
              + config.simulatorPatients()
              + " patients x 10 body sensors, "
              + config.simulatorMeters()
              + " soil meters, speed "
              + config.simulatorSpeed()
              + (simulator.gateway() == null
                  ? "x, producing to the topics above"
                  : "x, its sinks and meters sending through the gateway via "
                      + simulator.gateway().settings().via().label()));
    }
    lines.add(
        "topics           "
            + topics.created().size()
            + " created, "
            + topics.existing().size()
            + " found from an earlier start"
            + (topics.restamped().isEmpty()
                ? ""
                : ", "
                    + topics.restamped().size()
                    + " switched to LogAppendTime (retention counts from arrival)"));
    return lines;
  }

  /** Stops every started part, last started first; a part that fails to stop is logged. */
  @Override
  public synchronized void close() {
    while (!started.isEmpty()) {
      AutoCloseable part = started.pop();
      try {
        part.close();
      } catch (Exception e) {
        log.warn("stopping {} failed: {}", part.getClass().getSimpleName(), e.toString(), e);
      }
    }
  }
}
