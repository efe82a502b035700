package io.biometer.connect.avro;

import io.biometer.serde.AvroSerdeConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Configuration of {@link AvroConverter}. The keys are Confluent's AvroConverter keys, so a worker
 * or connector configured for Confluent's converter works unchanged; Connect passes them with the
 * {@code value.converter.} or {@code key.converter.} prefix stripped. The registry's connection
 * keys (timeouts, retries) are biometer's serde keys of {@link AvroSerdeConfig}.
 *
 * <p>Confluent keys this converter cannot honour are refused when set to anything but Confluent's
 * default, rather than silently ignored: a subject name strategy other than the topic name, {@code
 * use.latest.version}, generalized sum types, name scrubbing, optional map keys, bearer
 * authentication and SASL_INHERIT basic authentication.
 */
public final class AvroConverterConfig extends AbstractConfig {

  public static final String SCHEMA_REGISTRY_URL_CONFIG =
      AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG;
  public static final String SCHEMA_REGISTRY_URL_DOC =
      "Comma-separated base URLs of a Confluent-compatible schema registry, e.g."
          + " http://127.0.0.1:8081; with basic.auth.credentials.source=URL they may carry the"
          + " credentials as http://user:password@host:8081. mock://<scope> selects an in-memory"
          + " registry for tests. Required.";

  public static final String BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG = "basic.auth.credentials.source";
  public static final String BASIC_AUTH_CREDENTIALS_SOURCE_DOC =
      "Where the credentials for HTTP basic authentication to the registry come from: URL (the"
          + " user:password@ part of schema.registry.url; no authentication if there is none) or"
          + " USER_INFO (basic.auth.user.info). SASL_INHERIT is not supported. Default: URL.";
  public static final String BASIC_AUTH_CREDENTIALS_SOURCE_DEFAULT = "URL";

  public static final String BASIC_AUTH_USER_INFO_CONFIG =
      AvroSerdeConfig.BASIC_AUTH_USER_INFO_CONFIG;
  public static final String BASIC_AUTH_USER_INFO_DOC =
      "Credentials for HTTP basic authentication to the registry as user:password, used when"
          + " basic.auth.credentials.source is USER_INFO. Default: none.";

  public static final String AUTO_REGISTER_SCHEMAS_CONFIG =
      AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG;
  public static final String AUTO_REGISTER_SCHEMAS_DOC =
      "Whether fromConnectData registers the Avro schema it derives from the Connect schema under"
          + " <topic>-value (or <topic>-key). When false the schema must already be registered"
          + " there and is only looked up. Default: true.";
  public static final boolean AUTO_REGISTER_SCHEMAS_DEFAULT = true;

  public static final String SCHEMAS_CACHE_SIZE_CONFIG = "schemas.cache.config";
  public static final String SCHEMAS_CACHE_SIZE_DOC =
      "How many schemas each of the converter's caches holds, least recently used evicted first:"
          + " schema id to Connect schema, and Connect schema to Avro schema. Default: 1000.";
  public static final int SCHEMAS_CACHE_SIZE_DEFAULT = 1000;

  public static final String CONNECT_META_DATA_CONFIG = "connect.meta.data";
  public static final String CONNECT_META_DATA_DOC =
      "Whether the converter reads and writes Connect's metadata in the Avro schema: the"
          + " connect.name, connect.doc, connect.version, connect.parameters and connect.default"
          + " properties, and the Avro docs and defaults kept as Connect schema parameters, so"
          + " that a round trip through Connect keeps them. Default: true.";
  public static final boolean CONNECT_META_DATA_DEFAULT = true;

  public static final String ENHANCED_AVRO_SCHEMA_SUPPORT_CONFIG = "enhanced.avro.schema.support";
  public static final String ENHANCED_AVRO_SCHEMA_SUPPORT_DOC =
      "Whether a Connect string that came from an Avro enum is written back as that enum (with"
          + " its symbols) instead of a plain string, and record, enum and fixed branches of a"
          + " union are named by their full name (with namespace) instead of their simple name."
          + " Turn it on when consumers read the records with generated classes that have enums."
          + " Default: false.";
  public static final boolean ENHANCED_AVRO_SCHEMA_SUPPORT_DEFAULT = false;

  public static final String IGNORE_DEFAULT_FOR_NULLABLES_CONFIG = "ignore.default.for.nullables";
  public static final String IGNORE_DEFAULT_FOR_NULLABLES_DOC =
      "Whether a null value of a nullable field stays null. When false, a nullable Avro field's"
          + " default becomes the Connect field's default, so Struct.get and fromConnectData"
          + " replace a null value with it; when true, nullable fields carry no default into"
          + " Connect and fromConnectData writes null as null. Default: false.";
  public static final boolean IGNORE_DEFAULT_FOR_NULLABLES_DEFAULT = false;

  /** Confluent keys that are refused unless set to Confluent's default (or absent). */
  private static final Map<String, String> UNSUPPORTED_UNLESS_DEFAULT =
      Map.of(
          "generalized.sum.type.support", "false",
          "scrub.invalid.names", "false",
          "allow.optional.map.keys", "false",
          "flatten.singleton.unions", "true",
          "use.latest.version", "false",
          "key.subject.name.strategy", "io.confluent.kafka.serializers.subject.TopicNameStrategy",
          "value.subject.name.strategy",
              "io.confluent.kafka.serializers.subject.TopicNameStrategy");

  private static final String BEARER_AUTH_CREDENTIALS_SOURCE_CONFIG =
      "bearer.auth.credentials.source";

  /** The definition of every key the converter reads. */
  public static final ConfigDef CONFIG_DEF =
      new ConfigDef()
          .define(
              SCHEMA_REGISTRY_URL_CONFIG,
              Type.LIST,
              List.of(),
              Importance.HIGH,
              SCHEMA_REGISTRY_URL_DOC)
          .define(
              BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG,
              Type.STRING,
              BASIC_AUTH_CREDENTIALS_SOURCE_DEFAULT,
              ValidString.in("URL", "USER_INFO", "SASL_INHERIT"),
              Importance.MEDIUM,
              BASIC_AUTH_CREDENTIALS_SOURCE_DOC)
          .define(
              BASIC_AUTH_USER_INFO_CONFIG,
              Type.PASSWORD,
              null,
              Importance.MEDIUM,
              BASIC_AUTH_USER_INFO_DOC)
          .define(
              AUTO_REGISTER_SCHEMAS_CONFIG,
              Type.BOOLEAN,
              AUTO_REGISTER_SCHEMAS_DEFAULT,
              Importance.MEDIUM,
              AUTO_REGISTER_SCHEMAS_DOC)
          .define(
              SCHEMAS_CACHE_SIZE_CONFIG,
              Type.INT,
              SCHEMAS_CACHE_SIZE_DEFAULT,
              Range.atLeast(1),
              Importance.LOW,
              SCHEMAS_CACHE_SIZE_DOC)
          .define(
              CONNECT_META_DATA_CONFIG,
              Type.BOOLEAN,
              CONNECT_META_DATA_DEFAULT,
              Importance.LOW,
              CONNECT_META_DATA_DOC)
          .define(
              ENHANCED_AVRO_SCHEMA_SUPPORT_CONFIG,
              Type.BOOLEAN,
              ENHANCED_AVRO_SCHEMA_SUPPORT_DEFAULT,
              Importance.MEDIUM,
              ENHANCED_AVRO_SCHEMA_SUPPORT_DOC)
          .define(
              IGNORE_DEFAULT_FOR_NULLABLES_CONFIG,
              Type.BOOLEAN,
              IGNORE_DEFAULT_FOR_NULLABLES_DEFAULT,
              Importance.MEDIUM,
              IGNORE_DEFAULT_FOR_NULLABLES_DOC)
          .define(
              AvroSerdeConfig.CONNECT_TIMEOUT_MS_CONFIG,
              Type.INT,
              AvroSerdeConfig.CONNECT_TIMEOUT_MS_DEFAULT,
              Range.atLeast(1),
              Importance.LOW,
              AvroSerdeConfig.CONNECT_TIMEOUT_MS_DOC)
          .define(
              AvroSerdeConfig.REQUEST_TIMEOUT_MS_CONFIG,
              Type.INT,
              AvroSerdeConfig.REQUEST_TIMEOUT_MS_DEFAULT,
              Range.atLeast(1),
              Importance.LOW,
              AvroSerdeConfig.REQUEST_TIMEOUT_MS_DOC)
          .define(
              AvroSerdeConfig.MAX_RETRIES_CONFIG,
              Type.INT,
              AvroSerdeConfig.MAX_RETRIES_DEFAULT,
              Range.atLeast(0),
              Importance.LOW,
              AvroSerdeConfig.MAX_RETRIES_DOC)
          .define(
              AvroSerdeConfig.RETRY_BACKOFF_MS_CONFIG,
              Type.INT,
              AvroSerdeConfig.RETRY_BACKOFF_MS_DEFAULT,
              Range.atLeast(0),
              Importance.LOW,
              AvroSerdeConfig.RETRY_BACKOFF_MS_DOC)
          .define(
              AvroSerdeConfig.RETRY_BACKOFF_MAX_MS_CONFIG,
              Type.INT,
              AvroSerdeConfig.RETRY_BACKOFF_MAX_MS_DEFAULT,
              Range.atLeast(0),
              Importance.LOW,
              AvroSerdeConfig.RETRY_BACKOFF_MAX_MS_DOC);

  /**
   * Reads and checks {@code props} (prefix already stripped by Connect).
   *
   * @throws ConfigException naming the key and what to set instead, for SASL_INHERIT, a missing
   *     registry URL, or a Confluent option this converter does not implement
   */
  public AvroConverterConfig(Map<?, ?> props) {
    super(CONFIG_DEF, props, false);
    if ("SASL_INHERIT".equals(credentialsSource())) {
      throw new ConfigException(
          BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG,
          "SASL_INHERIT",
          "biometer's AvroConverter cannot inherit the Kafka client's SASL credentials for the"
              + " schema registry; set it to USER_INFO with basic.auth.user.info=user:password, or"
              + " to URL with the credentials in schema.registry.url");
    }
    if (getList(SCHEMA_REGISTRY_URL_CONFIG).isEmpty()) {
      throw new ConfigException(
          "Missing required configuration '"
              + SCHEMA_REGISTRY_URL_CONFIG
              + "' of biometer's AvroConverter: set value.converter."
              + SCHEMA_REGISTRY_URL_CONFIG
              + " (or key.converter.…) to the schema registry's URL, e.g. http://127.0.0.1:8081");
    }
    for (Map.Entry<String, String> e : UNSUPPORTED_UNLESS_DEFAULT.entrySet()) {
      Object given = props.get(e.getKey());
      if (given != null && !e.getValue().equalsIgnoreCase(given.toString().trim())) {
        throw new ConfigException(
            e.getKey(),
            given,
            "biometer's AvroConverter supports only "
                + e.getValue()
                + " (Confluent's default); remove the key or use Confluent's converter for this"
                + " option");
      }
    }
    if (props.get(BEARER_AUTH_CREDENTIALS_SOURCE_CONFIG) != null) {
      throw new ConfigException(
          BEARER_AUTH_CREDENTIALS_SOURCE_CONFIG,
          props.get(BEARER_AUTH_CREDENTIALS_SOURCE_CONFIG),
          "biometer's AvroConverter supports basic authentication only; use"
              + " basic.auth.credentials.source=USER_INFO or URL");
    }
  }

  /** {@code URL}, {@code USER_INFO} or {@code SASL_INHERIT} (refused by the constructor). */
  public String credentialsSource() {
    return getString(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG).toUpperCase(Locale.ROOT);
  }

  /** Size of each schema cache. */
  public int cacheSize() {
    return getInt(SCHEMAS_CACHE_SIZE_CONFIG);
  }

  /** Whether {@code connect.*} metadata is read and written. */
  public boolean connectMetaData() {
    return getBoolean(CONNECT_META_DATA_CONFIG);
  }

  /** Whether enums are written back as enums and union branches named by full name. */
  public boolean enhancedAvroSchemaSupport() {
    return getBoolean(ENHANCED_AVRO_SCHEMA_SUPPORT_CONFIG);
  }

  /** Whether null values of nullable fields stay null instead of taking the default. */
  public boolean ignoreDefaultForNullables() {
    return getBoolean(IGNORE_DEFAULT_FOR_NULLABLES_CONFIG);
  }

  /** Whether fromConnectData registers schemas (else it only looks them up). */
  public boolean autoRegisterSchemas() {
    return getBoolean(AUTO_REGISTER_SCHEMAS_CONFIG);
  }

  /**
   * The properties for biometer's registry client ({@link AvroSerdeConfig}): {@code props} with the
   * credentials taken from where {@code basic.auth.credentials.source} says, and stripped from the
   * URLs, so that no credential ever appears in a URL the client logs.
   */
  public Map<String, Object> registryClientProps(Map<String, ?> props) {
    Map<String, Object> out = new HashMap<>(props);
    List<String> urls = new ArrayList<>();
    String urlUserInfo = null;
    for (String url : getList(SCHEMA_REGISTRY_URL_CONFIG)) {
      String trimmed = url.trim();
      String userInfo = userInfo(trimmed);
      if (userInfo != null) {
        if (urlUserInfo != null && !urlUserInfo.equals(userInfo)) {
          throw new ConfigException(
              SCHEMA_REGISTRY_URL_CONFIG,
              "(credentials hidden)",
              "the URLs carry different credentials; use the same user:password in every URL");
        }
        urlUserInfo = userInfo;
        trimmed = withoutUserInfo(trimmed);
      }
      urls.add(trimmed);
    }
    out.put(SCHEMA_REGISTRY_URL_CONFIG, String.join(",", urls));
    out.remove(BASIC_AUTH_USER_INFO_CONFIG);
    if ("USER_INFO".equals(credentialsSource())) {
      Password p = getPassword(BASIC_AUTH_USER_INFO_CONFIG);
      if (p == null || p.value().isEmpty()) {
        throw new ConfigException(
            BASIC_AUTH_USER_INFO_CONFIG,
            "(none)",
            "basic.auth.credentials.source is USER_INFO, so basic.auth.user.info must be set to"
                + " user:password");
      }
      out.put(BASIC_AUTH_USER_INFO_CONFIG, p.value());
    } else if (urlUserInfo != null) {
      out.put(BASIC_AUTH_USER_INFO_CONFIG, urlUserInfo);
    }
    return out;
  }

  /** Whether basic.auth.user.info is set although the source (URL) means it is not used. */
  boolean userInfoIgnored() {
    return "URL".equals(credentialsSource()) && getPassword(BASIC_AUTH_USER_INFO_CONFIG) != null;
  }

  private static String userInfo(String url) {
    try {
      return new URI(url).getUserInfo();
    } catch (URISyntaxException e) {
      return null; // the registry client reports the malformed URL by name
    }
  }

  private static String withoutUserInfo(String url) {
    int start = url.indexOf("://") + 3;
    int end = url.indexOf('/', start);
    int at = url.lastIndexOf('@', end < 0 ? url.length() - 1 : end - 1);
    return url.substring(0, start) + url.substring(at + 1);
  }
}
