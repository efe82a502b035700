package io.biometer.ingress;

import io.biometer.Topics;
import io.biometer.avro.CommandGrant;
import io.biometer.avro.ConnectionEvent;
import io.biometer.ingress.auth.Authenticator;
import io.biometer.ingress.auth.DeviceLogin;
import io.biometer.ingress.auth.Directory;
import io.biometer.ingress.auth.LoginThrottle;
import io.biometer.ingress.commands.AccessMap;
import io.biometer.ingress.commands.CommandFeed;
import io.biometer.ingress.commands.CommandRouter;
import io.biometer.ingress.commands.ConnectionTracker;
import io.biometer.ingress.commands.Sessions;
import io.biometer.ingress.grpc.GrpcFrontEnd;
import io.biometer.ingress.http.HttpFrontEnd;
import io.biometer.ingress.kafka.CompactedView;
import io.biometer.ingress.kafka.ReadingProducer;
import io.biometer.ingress.mqtt.MqttFrontEnd;
import io.biometer.ingress.readings.Admission;
import io.biometer.ingress.readings.DeviceRateLimiter;
import io.biometer.ingress.replay.ReplayGuard;
import io.biometer.ingress.udp.UdpFrontEnd;
import io.biometer.serde.AvroDeserializer;
import io.biometer.serde.AvroSerdeConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.mqtt.MqttServerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.CommonClientConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingress gateway: reads the device registry, the credentials and its replay windows, then
 * opens its front ends. One Vert.x instance carries them all; one idempotent producer writes every
 * accepted reading.
 */
public final class Gateway implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  private final IngressConfig config;
  private final IngressMetrics metrics = new IngressMetrics();
  private final Directory directory = new Directory();
  private final ReplayGuard guard = new ReplayGuard();
  private final AtomicBoolean replayLoaded = new AtomicBoolean();
  private final List<CompactedView> views = new ArrayList<>();
  private final ReadingProducer producer;
  // Command responses wait for nothing: a DELIVERED record is on the path of every command to its
  // device, so it goes out at once (no linger, no compression) on a producer of its own.
  private final ReadingProducer commandProducer;
  private final Vertx vertx;
  private final Admission admission;
  private final DeviceLogin login;
  private HttpFrontEnd http;
  private MqttFrontEnd mqtt;
  private GrpcFrontEnd grpc;
  private UdpFrontEnd udp;
  private volatile String health = "STARTING";
  private final AccessMap access = new AccessMap();
  private final Map<String, ConnectionEvent> lastConnections = new HashMap<>();
  private final ConnectionTracker connections;
  private final CommandRouter router;
  private final CommandFeed feed;
  private final CompactedView replayView;
  private final CompactedView connectionsView;

  private Gateway(IngressConfig config) {
    this.config = config;
    Map<String, Object> serde = new HashMap<>();
    serde.put(
        AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG,
        config.getString(IngressConfig.SCHEMA_REGISTRY_URL_CONFIG));
    serde.put(AvroSerdeConfig.SPECIFIC_AVRO_READER_CONFIG, true);
    serde.putAll(AvroSerdeConfig.clientSettings(config.kafka()));
    Map<String, Object> kafka = new HashMap<>(config.kafka());
    kafka.put(
        CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
        config.getString(IngressConfig.BOOTSTRAP_SERVERS_CONFIG));
    this.producer = new ReadingProducer(kafka, serde);
    Map<String, Object> commandKafka = new HashMap<>(kafka);
    commandKafka.putIfAbsent(org.apache.kafka.clients.producer.ProducerConfig.LINGER_MS_CONFIG, 0);
    commandKafka.putIfAbsent(
        org.apache.kafka.clients.producer.ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    commandKafka.put(
        org.apache.kafka.clients.producer.ProducerConfig.CLIENT_ID_CONFIG,
        "biometer-ingress-commands");
    this.commandProducer = new ReadingProducer(commandKafka, serde);
    this.vertx = vertx();
    LoginThrottle throttle =
        new LoginThrottle(
            config.getInt(IngressConfig.LOGIN_FAILURES_PER_AUTH_ID_CONFIG),
            config.getInt(IngressConfig.LOGIN_FAILURES_PER_ADDRESS_CONFIG),
            config.duration(IngressConfig.LOGIN_FAILURE_WINDOW_CONFIG).toMillis(),
            System::currentTimeMillis);
    Authenticator authenticator =
        new Authenticator(
            directory,
            throttle,
            System::currentTimeMillis,
            config.duration(IngressConfig.AUTH_CACHE_CONFIG).toMillis());
    this.login = new DeviceLogin(vertx, authenticator, metrics);
    this.admission =
        new Admission(
            directory,
            guard,
            producer,
            metrics,
            new DeviceRateLimiter(
                config.getDouble(IngressConfig.DEVICE_RATE_CONFIG),
                config.getInt(IngressConfig.DEVICE_BURST_CONFIG),
                System::nanoTime),
            config.duration(IngressConfig.CLOCK_SKEW_CONFIG).toMillis(),
            System::currentTimeMillis);
    Map<String, Object> consumer = new HashMap<>(kafka);
    consumer.put("client.id", "biometer-ingress-views");
    views.addAll(directory.views(consumer, serde));
    AvroDeserializer<CommandGrant> grants = new AvroDeserializer<>(CommandGrant.class);
    grants.configure(serde, false);
    views.add(
        new CompactedView(
            Topics.COMMAND_ACCESS,
            consumer,
            (k, v) -> access.put(k, grants.deserialize(Topics.COMMAND_ACCESS, v))));
    // The stored windows are read once, at start. After that this gateway's own windows are the
    // truth: merging its own writes back could re-mark a sequence it released after a failed send.
    replayView =
        new CompactedView(
            Topics.INGRESS_REPLAY,
            consumer,
            (k, v) -> {
              if (!replayLoaded.get()) {
                guard.restore(k, v);
              }
            });
    // The connection states are read once too: to mark what a killed run left connected.
    AvroDeserializer<ConnectionEvent> events = new AvroDeserializer<>(ConnectionEvent.class);
    events.configure(serde, false);
    connectionsView =
        new CompactedView(
            Topics.CONNECTIONS,
            consumer,
            (k, v) -> {
              synchronized (lastConnections) {
                if (v == null) {
                  lastConnections.remove(k);
                } else {
                  lastConnections.put(k, events.deserialize(Topics.CONNECTIONS, v));
                }
              }
            });
    String id = config.id();
    this.connections = new ConnectionTracker(producer, metrics, id, System::currentTimeMillis);
    long maxTtl = config.duration(IngressConfig.COMMANDS_MAX_TTL_CONFIG).toMillis();
    if (config.getBoolean(IngressConfig.COMMANDS_ENABLED_CONFIG)) {
      router =
          new CommandRouter(
              directory, access, commandProducer, metrics, System::currentTimeMillis, maxTtl, id);
      feed = new CommandFeed(router, commandProducer, metrics, kafka, serde, maxTtl);
    } else {
      router = null;
      feed = null;
    }
  }

  /**
   * A Vert.x that resolves host names with the JDK: its own DNS resolver holds a UDP socket bound
   * to every address (0.0.0.0), which a gateway that only listens on {@code bind.host} must not.
   */
  public static Vertx vertx() {
    if (System.getProperty("vertx.disableDnsResolver") == null) {
      System.setProperty("vertx.disableDnsResolver", "true");
    }
    return Vertx.vertx();
  }

  /**
   * Starts a gateway: waits for its views of the registry, credentials and replay windows, then
   * listens.
   *
   * @throws Exception naming what did not come up (Kafka, a topic, a port)
   */
  public static Gateway start(IngressConfig config) throws Exception {
    Gateway g = new Gateway(config);
    try {
      g.open();
      return g;
    } catch (Exception e) {
      g.close();
      throw e;
    }
  }

  private void open() throws Exception {
    Duration timeout = config.duration(IngressConfig.STARTUP_TIMEOUT_CONFIG);
    List<CompactedView> once = List.of(replayView, connectionsView);
    for (CompactedView v : views) {
      v.start();
    }
    once.forEach(CompactedView::start);
    for (CompactedView v : views) {
      v.awaitLoaded(timeout);
    }
    for (CompactedView v : once) {
      v.awaitLoaded(timeout);
    }
    replayLoaded.set(true);
    // The windows were read; from now on this gateway's own are the truth (see above), and
    // following its own writes would cost a consumer for nothing.
    once.forEach(CompactedView::close);
    producer.warmUp(
        List.of(
            Topics.BODY_READINGS,
            Topics.METER_READINGS,
            Topics.INGRESS_REPLAY,
            Topics.CONNECTIONS));
    if (router != null) {
      commandProducer.warmUp(List.of(Topics.COMMAND_RESPONSES, Topics.DLQ));
    }
    synchronized (lastConnections) {
      connections.restarted(lastConnections);
      lastConnections.clear();
    }
    if (feed != null) {
      feed.start().awaitLoaded(timeout);
      vertx.setPeriodic(200, t -> router.tick());
    }
    Sessions sessions =
        new Sessions(
            router,
            connections,
            config.duration(IngressConfig.HEARTBEAT_INTERVAL_CONFIG).toMillis());
    log.info(
        "ingress: {} devices, {} credentials, {} replay windows loaded",
        directory.deviceCount(),
        directory.credentials().size(),
        guard.size());
    String host = config.getString(IngressConfig.BIND_HOST_CONFIG);
    int max = config.getInt(IngressConfig.MAX_PAYLOAD_BYTES_CONFIG);
    int idle = (int) config.duration(IngressConfig.IDLE_TIMEOUT_CONFIG).toSeconds();
    http = new HttpFrontEnd(vertx, login, admission, metrics, max, this::health, sessions);
    http.metricsLogin(config.password(IngressConfig.METRICS_BASIC_AUTH_USER_INFO_CONFIG));
    HttpServerOptions httpOptions = new HttpServerOptions();
    httpOptions.setHost(host).setPort(config.getInt(IngressConfig.HTTP_PORT_CONFIG));
    tls(httpOptions);
    httpOptions.setIdleTimeout(idle).setIdleTimeoutUnit(TimeUnit.SECONDS);
    httpOptions.setMaxInitialLineLength(4096).setMaxHeaderSize(8192);
    onEachLoop(
        "HTTP",
        httpOptions.getPort(),
        port -> http.listen(new HttpServerOptions(httpOptions).setPort(port)));
    int mqttPort = config.getInt(IngressConfig.MQTT_PORT_CONFIG);
    if (mqttPort >= 0) {
      mqtt = new MqttFrontEnd(vertx, login, admission, metrics, max, sessions);
      MqttServerOptions mqttOptions = new MqttServerOptions();
      mqttOptions.setHost(host).setPort(mqttPort);
      tls(mqttOptions);
      // Twice the limit, so that a message over it is read and answered oversize (0x99); only
      // one over twice the limit is cut off by the decoder, which closes the connection.
      mqttOptions.setMaxMessageSize(2 * max + 1024);
      mqttOptions.setTimeoutOnConnect(
          (int) Math.max(1, config.duration(IngressConfig.CONNECT_TIMEOUT_CONFIG).toSeconds()));
      // No idle timeout here: vert.x MQTT closes a connection silent for 1.5 keep-alives itself
      // (and a second "idle" handler would clash with its own); a device must declare one.
      onEachLoop(
          "MQTT", mqttPort, port -> mqtt.listen(new MqttServerOptions(mqttOptions).setPort(port)));
    }
    int grpcPort = config.getInt(IngressConfig.GRPC_PORT_CONFIG);
    if (grpcPort >= 0) {
      grpc = new GrpcFrontEnd(vertx, login, admission, metrics, max, sessions);
      HttpServerOptions grpcOptions = new HttpServerOptions();
      grpcOptions.setHost(host).setPort(grpcPort);
      tls(grpcOptions);
      grpcOptions.setIdleTimeout(idle).setIdleTimeoutUnit(TimeUnit.SECONDS);
      await(grpc.listen(grpcOptions), "gRPC", grpcPort);
    }
    int udpPort = config.getInt(IngressConfig.UDP_PORT_CONFIG);
    if (udpPort >= 0) {
      UdpFrontEnd.Limits limits =
          new UdpFrontEnd.Limits(
              max,
              config.getInt(IngressConfig.UDP_MAX_BATCHES_CONFIG),
              config.getInt(IngressConfig.UDP_MAX_BUFFERED_BYTES_CONFIG),
              config.duration(IngressConfig.UDP_REASSEMBLY_TIMEOUT_CONFIG).toMillis(),
              config.duration(IngressConfig.CLOCK_SKEW_CONFIG).toMillis());
      udp =
          new UdpFrontEnd(
              vertx,
              login.authenticator(),
              admission::admit,
              metrics,
              limits,
              System::currentTimeMillis,
              () -> System.nanoTime() / 1_000_000);
      await(udp.listen(host, udpPort), "UDP", udpPort);
    }
    health = "UP";
  }

  /**
   * Starts one server of a front end per core, each on an event loop of its own (a verticle
   * instance), all on one port: a server created outside a verticle would carry every connection on
   * one event loop. The first listens on {@code port} (0: any free one), the others on the port it
   * got.
   */
  private void onEachLoop(String what, int port, java.util.function.IntFunction<Future<?>> listen)
      throws Exception {
    int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
    // Vert.x shares a listening socket among servers that ask for the same host and port; servers
    // that ask for port 0 would each get one of their own. So port 0 becomes a free port first.
    int chosen = port == 0 ? freePort(config.getString(IngressConfig.BIND_HOST_CONFIG)) : port;
    await(deploy(loops, () -> listen.apply(chosen)), what, chosen);
  }

  private static int freePort(String host) throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket()) {
      s.bind(new java.net.InetSocketAddress(host, 0));
      return s.getLocalPort();
    }
  }

  private Future<String> deploy(int instances, java.util.function.Supplier<Future<?>> start) {
    return vertx.deployVerticle(
        () ->
            new io.vertx.core.VerticleBase() {
              @Override
              public Future<?> start() {
                return start.get();
              }
            },
        new io.vertx.core.DeploymentOptions().setInstances(instances));
  }

  private void tls(NetServerOptions options) {
    if (!config.tls()) {
      return;
    }
    options
        .setSsl(true)
        .setKeyCertOptions(
            new PfxOptions()
                .setPath(config.getString(IngressConfig.TLS_KEYSTORE_CONFIG))
                .setPassword(config.password(IngressConfig.TLS_KEYSTORE_PASSWORD_CONFIG)));
    String trust = config.getString(IngressConfig.TLS_TRUSTSTORE_CONFIG);
    if (trust != null) {
      options
          .setTrustOptions(
              new PfxOptions()
                  .setPath(trust)
                  .setPassword(config.password(IngressConfig.TLS_TRUSTSTORE_PASSWORD_CONFIG)))
          .setClientAuth(ClientAuth.REQUEST);
    }
  }

  private static <T> T await(Future<T> f, String what, int port) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(
          "ingress "
              + what
              + " could not listen on port "
              + port
              + ": "
              + e.getCause().getMessage(),
          e.getCause());
    }
  }

  public int httpPort() {
    return http.port();
  }

  /** The MQTT port, or -1 if MQTT is off. */
  public int mqttPort() {
    return mqtt == null ? -1 : mqtt.port();
  }

  /** The gRPC port, or -1 if gRPC is off. */
  public int grpcPort() {
    return grpc == null ? -1 : grpc.port();
  }

  /** The UDP port of meters' batches, or -1 if UDP is off. */
  public int udpPort() {
    return udp == null ? -1 : udp.port();
  }

  public IngressMetrics metrics() {
    return metrics;
  }

  public Directory directory() {
    return directory;
  }

  /**
   * What listens where, for people: one line per front end, each a label of up to 8 characters,
   * blanks, then the address and what it takes; last, whether TLS is off.
   */
  public List<String> describe() {
    String host = config.getString(IngressConfig.BIND_HOST_CONFIG);
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            "%-8s %s://%s:%d/v1/readings (POST), /v1/stream (WebSocket), /health, /metrics",
            "http", httpScheme(), host, httpPort()));
    if (mqtt != null) {
      lines.add(
          String.format(
              "%-8s mqtt%s://%s:%d   (MQTT 3.1.1 and 5; biometer/<device>/readings, /commands,"
                  + " /responses)",
              "mqtt", config.tls() ? "s" : "", host, mqttPort()));
    }
    if (grpc != null) {
      lines.add(
          String.format(
              "%-8s %s:%d   (%s; biometer.ingress.v1.Readings/Send and /Commands)",
              "grpc", host, grpcPort(), config.tls() ? "TLS" : "plaintext h2c"));
    }
    if (udp != null) {
      lines.add(String.format("%-8s %s:%d   (HMAC-signed meter batches)", "udp", host, udpPort()));
    }
    lines.add(
        String.format(
            "%-8s %d devices, %d credentials; ./biometer devices"
                + " add|list|rotate|revoke|command|grant",
            "devices", directory.deviceCount(), directory.credentials().size()));
    if (!config.tls()) {
      lines.add(
          String.format(
              "%-8s plain text: no tls.keystore; passwords cross the network in the clear. Set"
                  + " tls.keystore before bind.host takes devices from a network",
              "tls"));
    }
    return lines;
  }

  /**
   * UP once every front end listens and while the device, credential, access and command topics are
   * followed; DOWN naming the topic if reading one failed (a revocation would then go unseen).
   */
  public String health() {
    for (CompactedView v : views) {
      if (v.failure() != null) {
        return "DOWN: reading " + v.topic() + " failed";
      }
    }
    if (feed != null && feed.failure() != null) {
      return "DOWN: reading " + Topics.COMMANDS + " failed";
    }
    return health;
  }

  /** The URL scheme of the HTTP front end. */
  public String httpScheme() {
    return config.tls() ? "https" : "http";
  }

  @Override
  public void close() {
    health = "STOPPING";
    if (feed != null) {
      feed.close();
      // Commands whose DELIVERED is being written reach their connections before these close.
      router.stop(Duration.ofSeconds(2));
    }
    // Said before the sockets close, so that their close handlers find nothing left to say.
    connections.closeAll("gateway stopped", Duration.ofSeconds(5));
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("ingress: closing Vert.x: {}", e.toString());
    }
    producer.close();
    commandProducer.close();
    for (CompactedView v : views) {
      v.close();
    }
    replayView.close();
    connectionsView.close();
  }
}
