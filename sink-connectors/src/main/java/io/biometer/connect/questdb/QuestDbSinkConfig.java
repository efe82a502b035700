package io.biometer.connect.questdb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.config.types.Password;

/**
 * The configuration of the QuestDB sink. Its {@link #CONFIG_DEF} docs are the user documentation
 * (the README's table is generated from the same text).
 *
 * <p>The mapping keys ({@code table}, {@code timestamp.field.name}, {@code symbols}, {@code
 * dedup.keys}, {@code explode}) apply to every topic; each can be set for one topic with the prefix
 * {@code topic.<topic>.}, e.g. {@code topic.telemetry.alerts.table=alerts}. Key names follow
 * QuestDB's own Kafka connector where they mean the same.
 */
public final class QuestDbSinkConfig extends AbstractConfig {

  public static final String CLIENT_CONF_STRING = "client.conf.string";
  public static final String TABLE = "table";
  public static final String TIMESTAMP_FIELD_NAME = "timestamp.field.name";
  public static final String DESIGNATED_TIMESTAMP_COLUMN = "designated.timestamp.column.name";
  public static final String SYMBOLS = "symbols";
  public static final String DEDUP_KEYS = "dedup.keys";
  public static final String EXPLODE = "explode";
  public static final String COLUMN_NAMING = "column.naming";
  public static final String SKIP_UNSUPPORTED_TYPES = "skip.unsupported.types";
  public static final String CREATE_TABLES = "create.tables";
  public static final String ALLOWED_LAG = "allowed.lag";
  public static final String FLUSH_MAX_RECORDS = "flush.max.records";
  public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
  public static final String RETRY_BACKOFF_MAX_MS = "retry.backoff.max.ms";
  public static final String MAX_RETRIES = "max.retries";

  /** Connect's key for subscribing by pattern: its topics are not known from the configuration. */
  static final String TOPICS_REGEX = "topics.regex";

  /** The per-topic prefix: {@code topic.<topic>.<key>}. */
  public static final String TOPIC_PREFIX = "topic.";

  /** The keys that can be set per topic. */
  public static final List<String> PER_TOPIC_KEYS =
      List.of(TABLE, TIMESTAMP_FIELD_NAME, SYMBOLS, DEDUP_KEYS, EXPLODE);

  public static final String SNAKE_CASE = "snake_case";
  public static final String AS_IS = "as_is";

  private static final String MAPPING = "Mapping";
  private static final String DELIVERY = "Delivery";

  public static final ConfigDef CONFIG_DEF =
      new ConfigDef()
          .define(
              CLIENT_CONF_STRING,
              Type.PASSWORD,
              ConfigDef.NO_DEFAULT_VALUE,
              Importance.HIGH,
              "QuestDB's ILP client configuration, e.g. 'http::addr=127.0.0.1:9000;' or"
                  + " 'https::addr=db:9000;username=u;password=p;'. Only http and https are"
                  + " accepted. The sink flushes by itself, so auto_flush is turned off;"
                  + " retry_timeout defaults to 1000 ms (the client's own retries; the task's"
                  + " back-off follows). The same address serves the SQL the sink runs to check"
                  + " and create tables.")
          .define(
              TABLE,
              Type.STRING,
              "${topic}",
              Importance.HIGH,
              "Target table. ${topic} stands for the record's topic. Per topic:"
                  + " topic.<topic>.table.",
              MAPPING,
              1,
              ConfigDef.Width.MEDIUM,
              TABLE)
          .define(
              TIMESTAMP_FIELD_NAME,
              Type.STRING,
              "",
              Importance.HIGH,
              "The value field that becomes the designated timestamp (a Connect Timestamp, Date,"
                  + " or an int64 of epoch milliseconds; a nested field as parent.child). Empty:"
                  + " the record's Kafka timestamp. The field is not written again as a column."
                  + " Per topic: topic.<topic>.timestamp.field.name.",
              MAPPING,
              2,
              ConfigDef.Width.MEDIUM,
              TIMESTAMP_FIELD_NAME)
          .define(
              DESIGNATED_TIMESTAMP_COLUMN,
              Type.STRING,
              "ts",
              Importance.LOW,
              "Name of the designated timestamp column of the tables the sink creates.",
              MAPPING,
              3,
              ConfigDef.Width.SHORT,
              DESIGNATED_TIMESTAMP_COLUMN)
          .define(
              SYMBOLS,
              Type.LIST,
              "",
              Importance.MEDIUM,
              "Columns written as SYMBOL (QuestDB's indexed-dictionary strings, for values that"
                  + " repeat: ids, names). Enum fields are always SYMBOL. Per topic:"
                  + " topic.<topic>.symbols.",
              MAPPING,
              4,
              ConfigDef.Width.LONG,
              SYMBOLS)
          .define(
              DEDUP_KEYS,
              Type.LIST,
              "",
              Importance.HIGH,
              "Columns that, with the designated timestamp, identify a row: the table's DEDUP"
                  + " UPSERT KEYS. A redelivered record then overwrites its row instead of adding"
                  + " one; two records with the same keys are one row (the last one wins). Required"
                  + " for every topic unless create.tables is false; with topics.regex, set it"
                  + " globally. Per topic: topic.<topic>.dedup.keys.",
              MAPPING,
              5,
              ConfigDef.Width.LONG,
              DEDUP_KEYS)
          .define(
              EXPLODE,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "An array-of-records field whose elements each become a row, with the element's"
                  + " fields as columns next to the record's other fields (biometer's readings:"
                  + " 'values', one row per channel). Empty: one row per record. Per topic:"
                  + " topic.<topic>.explode.",
              MAPPING,
              6,
              ConfigDef.Width.MEDIUM,
              EXPLODE)
          .define(
              COLUMN_NAMING,
              Type.STRING,
              SNAKE_CASE,
              ValidString.in(SNAKE_CASE, AS_IS),
              Importance.LOW,
              "How field names become column names: snake_case (deviceId -> device_id) or"
                  + " as_is. Fields of a nested record become columns of their own name; one that"
                  + " clashes with another column gets its parent's name as a prefix"
                  + " (parent_child).",
              MAPPING,
              7,
              ConfigDef.Width.SHORT,
              COLUMN_NAMING)
          .define(
              SKIP_UNSUPPORTED_TYPES,
              Type.BOOLEAN,
              false,
              Importance.LOW,
              "Fields of a type QuestDB has no column for (bytes, maps, arrays other than the"
                  + " exploded one) are skipped when true; when false (the default) a record"
                  + " with such a field goes to the DLQ.",
              MAPPING,
              8,
              ConfigDef.Width.SHORT,
              SKIP_UNSUPPORTED_TYPES)
          .define(
              CREATE_TABLES,
              Type.BOOLEAN,
              true,
              Importance.MEDIUM,
              "Create missing tables (WAL, PARTITION BY DAY, DEDUP UPSERT KEYS(ts, <dedup.keys>))"
                  + " from the first record's schema. An existing table is always checked: one"
                  + " without WAL or without the dedup keys stops the task with the SQL that"
                  + " fixes it.",
              MAPPING,
              9,
              ConfigDef.Width.SHORT,
              CREATE_TABLES)
          .define(
              ALLOWED_LAG,
              Type.LONG,
              500L,
              Range.atLeast(0),
              Importance.MEDIUM,
              "The longest a received record waits before the sink sends it to QuestDB, in"
                  + " milliseconds. Lower: fresher rows; higher: bigger, cheaper batches.",
              DELIVERY,
              1,
              ConfigDef.Width.SHORT,
              ALLOWED_LAG)
          .define(
              FLUSH_MAX_RECORDS,
              Type.INT,
              50_000,
              Range.atLeast(1),
              Importance.LOW,
              "Send to QuestDB as soon as this many records wait, whatever allowed.lag says.",
              DELIVERY,
              2,
              ConfigDef.Width.SHORT,
              FLUSH_MAX_RECORDS)
          .define(
              RETRY_BACKOFF_MS,
              Type.LONG,
              500L,
              Range.atLeast(1),
              Importance.LOW,
              "First wait after QuestDB could not be reached, in milliseconds; doubles with every"
                  + " failed attempt up to retry.backoff.max.ms. The records wait (offsets are not"
                  + " committed) and are sent again; the task does not fail.",
              DELIVERY,
              3,
              ConfigDef.Width.SHORT,
              RETRY_BACKOFF_MS)
          .define(
              RETRY_BACKOFF_MAX_MS,
              Type.LONG,
              30_000L,
              Range.atLeast(1),
              Importance.LOW,
              "The longest wait between two attempts to reach QuestDB, in milliseconds.",
              DELIVERY,
              4,
              ConfigDef.Width.SHORT,
              RETRY_BACKOFF_MAX_MS)
          .define(
              MAX_RETRIES,
              Type.INT,
              -1,
              Range.atLeast(-1),
              Importance.LOW,
              "Attempts in a row after which an unreachable QuestDB fails the task; -1 (the"
                  + " default): never, the task waits for QuestDB however long it is down.",
              DELIVERY,
              5,
              ConfigDef.Width.SHORT,
              MAX_RETRIES);

  private static final Pattern CLIENT_SCHEMA = Pattern.compile("^(https?)::.*", Pattern.DOTALL);

  private final Map<String, String> originals;

  /**
   * Reads and checks {@code props}.
   *
   * @throws ConfigException listing every error found, not only the first
   */
  public QuestDbSinkConfig(Map<String, String> props) {
    super(CONFIG_DEF, checked(props), false);
    this.originals = Map.copyOf(props);
  }

  /**
   * {@code props}, if valid. Checked before {@link AbstractConfig} parses them, because that stops
   * at the first error {@link ConfigDef} finds, and a user should fix all in one go.
   *
   * @throws ConfigException listing every error: {@link ConfigDef}'s and {@link #perKeyErrors}
   */
  private static Map<String, String> checked(Map<String, String> props) {
    List<String> errors = new ArrayList<>();
    for (ConfigValue v : CONFIG_DEF.validate(props)) {
      v.errorMessages().forEach(m -> errors.add(v.name() + ": " + m));
    }
    perKeyErrors(props).forEach((k, v) -> v.forEach(m -> errors.add(k + ": " + m)));
    if (!errors.isEmpty()) {
      throw new ConfigException("invalid QuestDB sink configuration: " + String.join("; ", errors));
    }
    return props;
  }

  /** The ILP client configuration as given. */
  public String clientConf() {
    Password p = getPassword(CLIENT_CONF_STRING);
    return p == null ? "" : p.value();
  }

  /**
   * The errors of the keys {@link ConfigDef} cannot check, by key: the client configuration, the
   * per-topic keys and the dedup keys each topic needs.
   */
  static Map<String, List<String>> perKeyErrors(Map<String, String> props) {
    Map<String, List<String>> errors = new LinkedHashMap<>();
    String conf = props.get(CLIENT_CONF_STRING);
    if (conf != null) {
      try {
        ClientConf.parse(conf);
      } catch (ConfigException e) {
        errors.computeIfAbsent(CLIENT_CONF_STRING, k -> new ArrayList<>()).add(e.getMessage());
      }
    }
    for (String key : props.keySet()) {
      if (key.startsWith(TOPIC_PREFIX) && perTopicKey(key) == null) {
        errors
            .computeIfAbsent(key, k -> new ArrayList<>())
            .add(
                "unknown per-topic key: a key under topic.<topic>. ends with one of "
                    + PER_TOPIC_KEYS);
      }
    }
    boolean create = !"false".equalsIgnoreCase(props.getOrDefault(CREATE_TABLES, "true").trim());
    if (create) {
      for (String topic : topicsOf(props)) {
        String keys = value(props, topic, DEDUP_KEYS);
        if (keys == null || keys.isBlank()) {
          errors
              .computeIfAbsent(TOPIC_PREFIX + topic + "." + DEDUP_KEYS, k -> new ArrayList<>())
              .add(
                  "missing: list the columns that with the timestamp identify a row of topic "
                      + topic
                      + "'s table (or set "
                      + DEDUP_KEYS
                      + " for every topic); without them a redelivered record would be a"
                      + " second row");
        }
      }
      String regex = props.get(TOPICS_REGEX);
      String global = props.get(DEDUP_KEYS);
      if (regex != null && !regex.isBlank() && (global == null || global.isBlank())) {
        errors
            .computeIfAbsent(DEDUP_KEYS, k -> new ArrayList<>())
            .add(
                "missing: the topics "
                    + TOPICS_REGEX
                    + " matches are only known when their records arrive, so set "
                    + DEDUP_KEYS
                    + " for them all (topic.<topic>."
                    + DEDUP_KEYS
                    + " still overrides it), or set "
                    + CREATE_TABLES
                    + "=false; without them the sink cannot create those topics' tables");
      }
    }
    return errors;
  }

  /** The topics named in {@code topics} and in per-topic keys. */
  static Set<String> topicsOf(Map<String, String> props) {
    Set<String> topics = new java.util.TreeSet<>();
    String list = props.get("topics");
    if (list != null) {
      for (String t : list.split(",")) {
        if (!t.isBlank()) {
          topics.add(t.trim());
        }
      }
    }
    for (String key : props.keySet()) {
      String[] tk = perTopicKey(key);
      if (tk != null) {
        topics.add(tk[0]);
      }
    }
    return topics;
  }

  /** {@code [topic, key]} of a per-topic key, or null if {@code key} is not one. */
  static String[] perTopicKey(String key) {
    if (!key.startsWith(TOPIC_PREFIX)) {
      return null;
    }
    for (String k : PER_TOPIC_KEYS) {
      String suffix = "." + k;
      if (key.endsWith(suffix) && key.length() > TOPIC_PREFIX.length() + suffix.length()) {
        return new String[] {
          key.substring(TOPIC_PREFIX.length(), key.length() - suffix.length()), k
        };
      }
    }
    return null;
  }

  private static String value(Map<String, String> props, String topic, String key) {
    String own = props.get(TOPIC_PREFIX + topic + "." + key);
    return own != null ? own : props.get(key);
  }

  /** The mapping of one topic: its own keys over the global ones. */
  public TopicMapping mapping(String topic) {
    Map<String, String> merged = new HashMap<>();
    for (String k : PER_TOPIC_KEYS) {
      String v = value(originals, topic, k);
      merged.put(k, v != null ? v : String.valueOf(CONFIG_DEF.defaultValues().get(k)));
    }
    return new TopicMapping(
        topic,
        merged.get(TABLE).replace("${topic}", topic),
        merged.get(TIMESTAMP_FIELD_NAME).trim(),
        getString(DESIGNATED_TIMESTAMP_COLUMN),
        Set.copyOf(list(merged.get(SYMBOLS))),
        list(merged.get(DEDUP_KEYS)),
        merged.get(EXPLODE).trim(),
        AS_IS.equals(getString(COLUMN_NAMING)),
        getBoolean(SKIP_UNSUPPORTED_TYPES));
  }

  /** Every per-topic key that is set, by topic (for logs). */
  public Map<String, Map<String, String>> perTopicKeys() {
    Map<String, Map<String, String>> out = new TreeMap<>();
    originals.forEach(
        (k, v) -> {
          String[] tk = perTopicKey(k);
          if (tk != null) {
            out.computeIfAbsent(tk[0], t -> new TreeMap<>()).put(tk[1], v);
          }
        });
    return out;
  }

  private static List<String> list(String s) {
    List<String> out = new ArrayList<>();
    if (s == null || s.equals("[]")) {
      return out;
    }
    for (String part : s.split(",")) {
      if (!part.isBlank()) {
        out.add(part.trim());
      }
    }
    return out;
  }

  static boolean isHttp(String conf) {
    return CLIENT_SCHEMA.matcher(conf.trim()).matches();
  }
}
