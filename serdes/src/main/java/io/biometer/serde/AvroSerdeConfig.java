package io.biometer.serde;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;

/**
 * Configuration of biometer's Avro serializer, deserializer and serde. Key names follow Confluent's
 * serdes where they exist, so a client configured for those works unchanged.
 */
public final class AvroSerdeConfig extends AbstractConfig {

  public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
  public static final String SCHEMA_REGISTRY_URL_DOC =
      "Comma-separated base URLs of a Confluent-compatible schema registry, e.g."
          + " http://127.0.0.1:8081; mock://<scope> selects an in-memory registry for tests."
          + " Required unless a client instance is given in "
          + "'schema.registry.client'.";

  public static final String SCHEMA_REGISTRY_CLIENT_CONFIG = "schema.registry.client";
  public static final String SCHEMA_REGISTRY_CLIENT_DOC =
      "An io.biometer.registry.SchemaRegistryClient instance to use instead of creating one from"
          + " 'schema.registry.url' (only settable from code). Default: none.";

  public static final String AUTO_REGISTER_SCHEMAS_CONFIG = "auto.register.schemas";
  public static final String AUTO_REGISTER_SCHEMAS_DOC =
      "Whether the serializer registers the record's schema under <topic>-value (or -key) when it"
          + " is not yet there. When false, the schema must already be registered and is only"
          + " looked up. Default: true.";
  public static final boolean AUTO_REGISTER_SCHEMAS_DEFAULT = true;

  public static final String SPECIFIC_AVRO_READER_CONFIG = "specific.avro.reader";
  public static final String SPECIFIC_AVRO_READER_DOC =
      "Whether a deserializer created without a target class returns generated specific classes"
          + " (found by the writer schema's full name) instead of GenericRecord. Default: false.";
  public static final boolean SPECIFIC_AVRO_READER_DEFAULT = false;

  public static final String CONNECT_TIMEOUT_MS_CONFIG = "schema.registry.connect.timeout.ms";
  public static final String CONNECT_TIMEOUT_MS_DOC =
      "How long to wait for a TCP connection to the schema registry, in milliseconds. Default:"
          + " 5000.";
  public static final int CONNECT_TIMEOUT_MS_DEFAULT = 5_000;

  public static final String REQUEST_TIMEOUT_MS_CONFIG = "schema.registry.request.timeout.ms";
  public static final String REQUEST_TIMEOUT_MS_DOC =
      "How long to wait for one answer of the schema registry, in milliseconds. Default: 10000.";
  public static final int REQUEST_TIMEOUT_MS_DEFAULT = 10_000;

  public static final String MAX_RETRIES_CONFIG = "schema.registry.max.retries";
  public static final String MAX_RETRIES_DOC =
      "How often a registry request is retried after a connection error, a timeout or a 5xx"
          + " answer (4xx answers are never retried). Default: 3.";
  public static final int MAX_RETRIES_DEFAULT = 3;

  public static final String RETRY_BACKOFF_MS_CONFIG = "schema.registry.retry.backoff.ms";
  public static final String RETRY_BACKOFF_MS_DOC =
      "Wait before the first retry of a registry request, in milliseconds; doubles with every"
          + " retry up to schema.registry.retry.backoff.max.ms. Default: 200.";
  public static final int RETRY_BACKOFF_MS_DEFAULT = 200;

  public static final String RETRY_BACKOFF_MAX_MS_CONFIG = "schema.registry.retry.backoff.max.ms";
  public static final String RETRY_BACKOFF_MAX_MS_DOC =
      "The longest wait between two retries of a registry request, in milliseconds. Default:"
          + " 5000.";
  public static final int RETRY_BACKOFF_MAX_MS_DEFAULT = 5_000;

  public static final String SSL_TRUSTSTORE_LOCATION_CONFIG =
      "schema.registry.ssl.truststore.location";
  public static final String SSL_TRUSTSTORE_PASSWORD_CONFIG =
      "schema.registry.ssl.truststore.password";
  public static final String SSL_TRUSTSTORE_TYPE_CONFIG = "schema.registry.ssl.truststore.type";

  public static final String BASIC_AUTH_USER_INFO_CONFIG = "basic.auth.user.info";
  public static final String BASIC_AUTH_USER_INFO_DOC =
      "Credentials for HTTP basic authentication to the registry, as user:password. Default: none"
          + " (no authentication).";

  public static final String BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG = "basic.auth.credentials.source";
  public static final String BASIC_AUTH_CREDENTIALS_SOURCE_DOC =
      "Where the registry's basic-auth credentials come from, Confluent's key: USER_INFO, from"
          + " basic.auth.user.info (the only source supported). Default: USER_INFO.";

  /** The definition of every key above. */
  public static final ConfigDef CONFIG_DEF =
      new ConfigDef()
          .define(
              SSL_TRUSTSTORE_LOCATION_CONFIG,
              Type.STRING,
              null,
              Importance.MEDIUM,
              "Trust store of the CA that signed an https registry's certificate (Confluent's key)."
                  + " Default: none, the JDK's trusted CAs.")
          .define(
              SSL_TRUSTSTORE_PASSWORD_CONFIG,
              Type.PASSWORD,
              null,
              Importance.MEDIUM,
              "Password of schema.registry.ssl.truststore.location. Default: none.")
          .define(
              SSL_TRUSTSTORE_TYPE_CONFIG,
              Type.STRING,
              "PKCS12",
              ConfigDef.ValidString.in("PKCS12", "JKS"),
              Importance.LOW,
              "PKCS12 or JKS. Default: PKCS12.")
          .define(
              SCHEMA_REGISTRY_URL_CONFIG,
              Type.LIST,
              List.of(),
              Importance.HIGH,
              SCHEMA_REGISTRY_URL_DOC)
          .define(
              AUTO_REGISTER_SCHEMAS_CONFIG,
              Type.BOOLEAN,
              AUTO_REGISTER_SCHEMAS_DEFAULT,
              Importance.MEDIUM,
              AUTO_REGISTER_SCHEMAS_DOC)
          .define(
              SPECIFIC_AVRO_READER_CONFIG,
              Type.BOOLEAN,
              SPECIFIC_AVRO_READER_DEFAULT,
              Importance.MEDIUM,
              SPECIFIC_AVRO_READER_DOC)
          .define(
              CONNECT_TIMEOUT_MS_CONFIG,
              Type.INT,
              CONNECT_TIMEOUT_MS_DEFAULT,
              Range.atLeast(1),
              Importance.LOW,
              CONNECT_TIMEOUT_MS_DOC)
          .define(
              REQUEST_TIMEOUT_MS_CONFIG,
              Type.INT,
              REQUEST_TIMEOUT_MS_DEFAULT,
              Range.atLeast(1),
              Importance.LOW,
              REQUEST_TIMEOUT_MS_DOC)
          .define(
              MAX_RETRIES_CONFIG,
              Type.INT,
              MAX_RETRIES_DEFAULT,
              Range.atLeast(0),
              Importance.LOW,
              MAX_RETRIES_DOC)
          .define(
              RETRY_BACKOFF_MS_CONFIG,
              Type.INT,
              RETRY_BACKOFF_MS_DEFAULT,
              Range.atLeast(0),
              Importance.LOW,
              RETRY_BACKOFF_MS_DOC)
          .define(
              RETRY_BACKOFF_MAX_MS_CONFIG,
              Type.INT,
              RETRY_BACKOFF_MAX_MS_DEFAULT,
              Range.atLeast(0),
              Importance.LOW,
              RETRY_BACKOFF_MAX_MS_DOC)
          .define(
              BASIC_AUTH_USER_INFO_CONFIG,
              Type.PASSWORD,
              null,
              Importance.LOW,
              BASIC_AUTH_USER_INFO_DOC)
          .define(
              BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG,
              Type.STRING,
              "USER_INFO",
              ConfigDef.ValidString.in("USER_INFO"),
              Importance.LOW,
              BASIC_AUTH_CREDENTIALS_SOURCE_DOC);

  /** Reads and checks {@code props}; unknown keys (a client's own) are ignored. */
  public AvroSerdeConfig(Map<?, ?> props) {
    super(CONFIG_DEF, props, false);
  }

  /** The configured registry URLs. */
  public List<String> registryUrls() {
    return getList(SCHEMA_REGISTRY_URL_CONFIG);
  }

  /** The basic-auth user info, or null. */
  public String basicAuthUserInfo() {
    Password p = getPassword(BASIC_AUTH_USER_INFO_CONFIG);
    return p == null ? null : p.value();
  }

  /**
   * The keys of the registry's credentials and of auto-registration, as Confluent's serdes take.
   */
  public static final List<String> CLIENT_KEYS =
      List.of(
          BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG,
          BASIC_AUTH_USER_INFO_CONFIG,
          AUTO_REGISTER_SCHEMAS_CONFIG,
          SSL_TRUSTSTORE_LOCATION_CONFIG,
          SSL_TRUSTSTORE_PASSWORD_CONFIG,
          SSL_TRUSTSTORE_TYPE_CONFIG);

  /**
   * The serde settings among an app's Kafka client settings: as with Confluent's serdes, {@code
   * basic.auth.credentials.source}, {@code basic.auth.user.info}, {@code auto.register.schemas} and
   * {@code schema.registry.ssl.truststore.*} ride with the producer's or consumer's settings (an
   * app's {@code kafka.*} or {@code producer.*} keys).
   */
  public static Map<String, Object> clientSettings(Map<String, ?> kafkaClient) {
    Map<String, Object> m = new java.util.HashMap<>();
    for (String key : CLIENT_KEYS) {
      Object v = kafkaClient.get(key);
      if (v != null) {
        m.put(key, v);
      }
    }
    return m;
  }
}
