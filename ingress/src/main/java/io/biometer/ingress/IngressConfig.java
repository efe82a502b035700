package io.biometer.ingress;

import io.biometer.config.ConfigKeys;
import io.biometer.config.ConfigValidators;
import io.biometer.config.LayeredConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;

/**
 * Configuration of the ingress gateway, the one place its defaults live. Sources, later ones
 * winning ({@link LayeredConfig}): these defaults, a properties file ({@code --config FILE}),
 * environment variables ({@code BIOMETER_INGRESS_} + the key in upper case with dots as
 * underscores), then {@code key=value} arguments. Keys starting {@code kafka.} pass to the
 * gateway's Kafka producer and consumers without the prefix. In the local stack the same keys are
 * {@code ingress.*}.
 */
public final class IngressConfig extends AbstractConfig {

  public static final String ENV_PREFIX = "BIOMETER_INGRESS_";
  public static final String KAFKA_PREFIX = "kafka.";

  public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
  public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
  public static final String BIND_HOST_CONFIG = "bind.host";
  public static final String HTTP_PORT_CONFIG = "http.port";
  public static final String MQTT_PORT_CONFIG = "mqtt.port";
  public static final String GRPC_PORT_CONFIG = "grpc.port";
  public static final String UDP_PORT_CONFIG = "udp.port";
  public static final String UDP_REASSEMBLY_TIMEOUT_CONFIG = "udp.reassembly.timeout";
  public static final String UDP_MAX_BATCHES_CONFIG = "udp.max.batches";
  public static final String UDP_MAX_BUFFERED_BYTES_CONFIG = "udp.max.buffered.bytes";
  public static final String METRICS_BASIC_AUTH_USER_INFO_CONFIG = "metrics.basic.auth.user.info";
  public static final String TLS_KEYSTORE_CONFIG = "tls.keystore";
  public static final String TLS_KEYSTORE_PASSWORD_CONFIG = "tls.keystore.password";
  public static final String TLS_TRUSTSTORE_CONFIG = "tls.truststore";
  public static final String TLS_TRUSTSTORE_PASSWORD_CONFIG = "tls.truststore.password";
  public static final String CLOCK_SKEW_CONFIG = "clock.skew";
  public static final String MAX_PAYLOAD_BYTES_CONFIG = "max.payload.bytes";
  public static final String DEVICE_RATE_CONFIG = "device.rate";
  public static final String DEVICE_BURST_CONFIG = "device.burst";
  public static final String LOGIN_FAILURES_PER_AUTH_ID_CONFIG = "login.failures.per.auth.id";
  public static final String LOGIN_FAILURES_PER_ADDRESS_CONFIG = "login.failures.per.address";
  public static final String LOGIN_FAILURE_WINDOW_CONFIG = "login.failure.window";
  public static final String AUTH_CACHE_CONFIG = "auth.cache";
  public static final String IDLE_TIMEOUT_CONFIG = "idle.timeout";
  public static final String CONNECT_TIMEOUT_CONFIG = "connect.timeout";
  public static final String STARTUP_TIMEOUT_CONFIG = "startup.timeout";
  public static final String ID_CONFIG = "id";
  public static final String COMMANDS_ENABLED_CONFIG = "commands.enabled";
  public static final String COMMANDS_MAX_TTL_CONFIG = "commands.max.ttl";
  public static final String HEARTBEAT_INTERVAL_CONFIG = "heartbeat.interval";

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
              BIND_HOST_CONFIG,
              Type.STRING,
              "127.0.0.1",
              Importance.HIGH,
              "Address every front end listens on; 0.0.0.0 to take devices from the network."
                  + " Default: 127.0.0.1.")
          .define(
              HTTP_PORT_CONFIG,
              Type.INT,
              8480,
              Range.between(0, 65535),
              Importance.HIGH,
              "Port of HTTP(S): POST /v1/readings, the WebSocket /v1/stream, GET /health and"
                  + " GET /metrics; 0 for any free port. Default: 8480.")
          .define(
              MQTT_PORT_CONFIG,
              Type.INT,
              1883,
              Range.between(-1, 65535),
              Importance.HIGH,
              "Port of MQTT 3.1.1 and 5 (TLS when tls.keystore is set); 0 for any free port, -1"
                  + " for none. Default: 1883.")
          .define(
              GRPC_PORT_CONFIG,
              Type.INT,
              8490,
              Range.between(-1, 65535),
              Importance.MEDIUM,
              "Port of gRPC (biometer.ingress.v1.Readings); 0 for any free port, -1 for none."
                  + " Default: 8490.")
          .define(
              UDP_PORT_CONFIG,
              Type.INT,
              8491,
              Range.between(-1, 65535),
              Importance.MEDIUM,
              "Port of the UDP batch protocol of soil meters (HMAC-signed); 0 for any free port, -1"
                  + " for none. Default: 8491.")
          .define(
              UDP_REASSEMBLY_TIMEOUT_CONFIG,
              Type.STRING,
              "PT10S",
              ConfigValidators.duration(Duration.ofMillis(100)),
              Importance.LOW,
              "How long the datagrams of one UDP batch may take to arrive, counted from the first;"
                  + " a batch still incomplete then is dropped and refused as truncated, ISO-8601."
                  + " Default: PT10S.")
          .define(
              UDP_MAX_BATCHES_CONFIG,
              Type.INT,
              256,
              Range.atLeast(1),
              Importance.LOW,
              "UDP batches reassembled at once; the first datagram of one more is refused as"
                  + " unavailable (the meter sends again later). Default: 256.")
          .define(
              UDP_MAX_BUFFERED_BYTES_CONFIG,
              Type.INT,
              16 * 1024 * 1024,
              Range.atLeast(1024),
              Importance.LOW,
              "Bytes the UDP batches being reassembled may reserve together (each its declared"
                  + " length plus 32 per datagram, from its first datagram on); a batch beyond is"
                  + " refused as unavailable. Default: 16777216.")
          .define(
              TLS_KEYSTORE_CONFIG,
              Type.STRING,
              null,
              Importance.HIGH,
              "PKCS12 key store with the gateway's certificate: turns on TLS for HTTP, WebSocket,"
                  + " MQTT and gRPC. Default: none, plain text (say so in production).")
          .define(
              METRICS_BASIC_AUTH_USER_INFO_CONFIG,
              Type.PASSWORD,
              null,
              Importance.LOW,
              "user:password that GET /metrics requires (HTTP Basic). Default: none.")
          .define(
              TLS_KEYSTORE_PASSWORD_CONFIG,
              Type.PASSWORD,
              null,
              Importance.HIGH,
              "Password of tls.keystore. Default: none.")
          .define(
              TLS_TRUSTSTORE_CONFIG,
              Type.STRING,
              null,
              Importance.MEDIUM,
              "PKCS12 trust store of the CAs that sign device certificates: asks devices for a"
                  + " certificate (mTLS) and authenticates x509 credentials by subject DN."
                  + " Default: none.")
          .define(
              TLS_TRUSTSTORE_PASSWORD_CONFIG,
              Type.PASSWORD,
              null,
              Importance.MEDIUM,
              "Password of tls.truststore. Default: none.")
          .define(
              CLOCK_SKEW_CONFIG,
              Type.STRING,
              "PT5M",
              ConfigValidators.duration(Duration.ofSeconds(1)),
              Importance.MEDIUM,
              "How far a reading's sentAt may be from the gateway's clock, either way, ISO-8601."
                  + " Default: PT5M.")
          .define(
              MAX_PAYLOAD_BYTES_CONFIG,
              Type.INT,
              65_536,
              Range.between(256, 16 * 1024 * 1024),
              Importance.MEDIUM,
              "Largest body, message or UDP batch in bytes; larger ones are refused as oversize."
                  + " Default: 65536.")
          .define(
              DEVICE_RATE_CONFIG,
              Type.DOUBLE,
              100.0,
              ConfigValidators.greaterThan(0),
              Importance.MEDIUM,
              "Readings per second one device may send on average; more are refused as rate"
                  + " limited. Default: 100.")
          .define(
              DEVICE_BURST_CONFIG,
              Type.INT,
              2_000,
              Range.atLeast(1),
              Importance.LOW,
              "Readings one device may send at once above its rate (a meter's day in one upload)."
                  + " Default: 2000.")
          .define(
              LOGIN_FAILURES_PER_AUTH_ID_CONFIG,
              Type.INT,
              5,
              Range.atLeast(1),
              Importance.MEDIUM,
              "Failed logins of one auth id per login.failure.window before its logins are"
                  + " refused unchecked. Default: 5.")
          .define(
              LOGIN_FAILURES_PER_ADDRESS_CONFIG,
              Type.INT,
              50,
              Range.atLeast(1),
              Importance.MEDIUM,
              "Failed logins from one source address per login.failure.window before its logins"
                  + " are refused unchecked. Default: 50.")
          .define(
              LOGIN_FAILURE_WINDOW_CONFIG,
              Type.STRING,
              "PT1M",
              ConfigValidators.duration(Duration.ofSeconds(1)),
              Importance.LOW,
              "The window of the failed-login limits, ISO-8601. Default: PT1M.")
          .define(
              AUTH_CACHE_CONFIG,
              Type.STRING,
              "PT10M",
              ConfigValidators.duration(Duration.ZERO),
              Importance.LOW,
              "How long a verified password is remembered (as an HMAC, never in the clear), so a"
                  + " reconnect costs no PBKDF2; PT0S to check every time. Default: PT10M.")
          .define(
              IDLE_TIMEOUT_CONFIG,
              Type.STRING,
              "PT2M",
              ConfigValidators.duration(Duration.ofSeconds(1)),
              Importance.MEDIUM,
              "An HTTP, WebSocket or gRPC connection that sends nothing for this long is closed"
                  + " (half-open and slow peers; MQTT closes after 1.5 of the keep-alive the device"
                  + " declares), ISO-8601. Default: PT2M.")
          .define(
              CONNECT_TIMEOUT_CONFIG,
              Type.STRING,
              "PT10S",
              ConfigValidators.duration(Duration.ofMillis(100)),
              Importance.LOW,
              "Time a new connection has to authenticate (MQTT CONNECT, WebSocket handshake),"
                  + " ISO-8601. Default: PT10S.")
          .define(
              STARTUP_TIMEOUT_CONFIG,
              Type.STRING,
              "PT60S",
              ConfigValidators.duration(Duration.ofSeconds(1)),
              Importance.LOW,
              "How long to wait at start for Kafka and the credential, device and replay topics,"
                  + " ISO-8601. Default: PT60S.")
          .define(
              ID_CONFIG,
              Type.STRING,
              "",
              Importance.LOW,
              "Name of this gateway instance in telemetry.connections and command responses; a"
                  + " restarted gateway marks the devices its last run left connected as"
                  + " disconnected. Give each instance on one host its own. Default: the host name.")
          .define(
              COMMANDS_ENABLED_CONFIG,
              Type.BOOLEAN,
              true,
              Importance.MEDIUM,
              "Deliver commands from telemetry.commands to the devices connected here"
                  + " (docs/commands.md). Exactly one gateway instance may route commands."
                  + " Default: true.")
          .define(
              COMMANDS_MAX_TTL_CONFIG,
              Type.STRING,
              "PT1H",
              ConfigValidators.duration(Duration.ofSeconds(1)),
              Importance.LOW,
              "Longest a command may live (expiresAt - issuedAt); longer ones are answered"
                  + " MALFORMED. A starting gateway reads back this much of telemetry.commands and"
                  + " telemetry.command.responses, ISO-8601. Default: PT1H.")
          .define(
              HEARTBEAT_INTERVAL_CONFIG,
              Type.STRING,
              "PT20S",
              ConfigValidators.duration(Duration.ofMillis(100)),
              Importance.LOW,
              "The gateway pings each WebSocket (and each gRPC commands stream's connection) this"
                  + " often, and closes a WebSocket from which nothing, not even a pong, came for"
                  + " two intervals, ISO-8601. Default: PT20S.");

  /** Every key the gateway reads and the environment variables that set them. */
  public static final ConfigKeys KEYS = ConfigKeys.of(ENV_PREFIX, CONFIG_DEF, KAFKA_PREFIX);

  /** A config from explicit values over the defaults. */
  public IngressConfig(Map<?, ?> values) {
    super(CONFIG_DEF, values, false);
  }

  /** The config of {@code layers} (of {@link #KEYS}). */
  public static IngressConfig from(LayeredConfig layers) {
    return layers.build(IngressConfig::new);
  }

  /** Merges the defaults, {@code file} (may be null), {@code env} and {@code args}. */
  public static IngressConfig load(Path file, Map<String, String> env, Map<String, String> args) {
    return from(LayeredConfig.load(KEYS, file, env, args));
  }

  public Duration duration(String key) {
    return Duration.parse(getString(key));
  }

  /** The password of {@code key}, or null. */
  public String password(String key) {
    Password p = getPassword(key);
    return p == null ? null : p.value();
  }

  /** The {@code kafka.*} overrides without the prefix. */
  public Map<String, Object> kafka() {
    return originalsWithPrefix(KAFKA_PREFIX);
  }

  /** {@code id}, or the host name if it is blank. */
  public String id() {
    String id = getString(ID_CONFIG);
    if (!id.isBlank()) {
      return id;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "ingress";
    }
  }

  public boolean tls() {
    return getString(TLS_KEYSTORE_CONFIG) != null;
  }
}
