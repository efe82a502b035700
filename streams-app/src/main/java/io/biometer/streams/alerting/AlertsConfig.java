package io.biometer.streams.alerting;

import io.biometer.avro.SensorType;
import io.biometer.avro.Severity;
import io.biometer.catalog.ChannelSpec;
import io.biometer.catalog.SensorCatalog;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The {@code alerts.*} keys of the streams app, beside the {@link RuleBook} they build: the fixed
 * keys (silent devices, late alerts, default minimum duration, battery hysteresis), defined into
 * the app's {@link ConfigDef} by {@link #define}, and the keys per sensor type and channel, {@code
 * alerts.<SENSOR_TYPE>.min.duration.ms}, {@code alerts.<SENSOR_TYPE>.severity} and {@code
 * alerts.<SENSOR_TYPE>.<channel>.low|high|hysteresis}, checked by {@link #checkKey} and read by
 * {@link #ruleBook()}.
 */
public final class AlertsConfig {

  /** What every key of this class starts with. */
  public static final String PREFIX = "alerts.";

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

  /** Default severity of value alerts per sensor type (IEC 60601-1-8 priorities). */
  static final Map<SensorType, Severity> DEFAULT_SEVERITIES = defaultSeverities();

  private final AbstractConfig config;

  /** The alert settings of {@code config}, whose definition includes {@link #define}'s keys. */
  public AlertsConfig(AbstractConfig config) {
    this.config = config;
  }

  /** Adds the fixed {@code alerts.*} keys to {@code def}, in their documented order. */
  public static ConfigDef define(ConfigDef def) {
    return def.define(
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
            BATTERY_HYSTERESIS_DOC);
  }

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

  /**
   * Checks the shape of a key per sensor type: {@code alerts.TYPE.min.duration.ms}, {@code
   * alerts.TYPE.severity} or {@code alerts.TYPE.channel.low|high|hysteresis}, where {@code TYPE} is
   * a {@link SensorType} name and {@code channel} one of that type's channels in the {@link
   * SensorCatalog}.
   *
   * @return the key split at its dots
   * @throws ConfigException naming the key, its value and what is expected
   */
  public static String[] checkKey(String key, Object value) {
    String[] parts = key.split("\\.");
    if (parts.length < 3) {
      throw new ConfigException(key, value, "expected alerts.<SENSOR_TYPE>.<setting>");
    }
    SensorType type;
    try {
      type = SensorType.valueOf(parts[1]);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, value, "'" + parts[1] + "' is not a sensor type");
    }
    String rest = key.substring((PREFIX + parts[1] + ".").length());
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
          value,
          "expected min.duration.ms, severity, or <channel>.low|high|hysteresis after alerts.<SENSOR_TYPE>.");
    }
    if (parts.length == 4 && !channels(type).contains(parts[2])) {
      List<String> known = channels(type);
      throw new ConfigException(
          key,
          value,
          "'"
              + parts[2]
              + "' is not a channel of "
              + type
              + (known.isEmpty()
                  ? " (it has none in the sensor catalogue)"
                  : " (channels: " + String.join(", ", known) + ")"));
    }
    return parts;
  }

  private static List<String> channels(SensorType type) {
    SensorCatalog catalog = SensorCatalog.standard();
    return catalog.contains(type)
        ? catalog.spec(type).channels().stream().map(ChannelSpec::name).toList()
        : List.of();
  }

  /**
   * Every key per sensor type and channel that {@link #checkKey} accepts, in their exact spelling
   * (sensor types upper case, channels as in the catalogue): an environment variable's name, upper
   * case with underscores for dots, is resolved against them.
   */
  public static List<String> perTypeKeys() {
    List<String> keys = new ArrayList<>();
    for (SensorType t : SensorType.values()) {
      keys.add(PREFIX + t + ".min.duration.ms");
      keys.add(PREFIX + t + ".severity");
      for (String c : channels(t)) {
        for (String bound : List.of("low", "high", "hysteresis")) {
          keys.add(PREFIX + t + "." + c + "." + bound);
        }
      }
    }
    return List.copyOf(keys);
  }

  /**
   * The alert rules these settings ask for, over the standard catalogue.
   *
   * @throws ConfigException naming the first per-type key whose value is not allowed
   */
  public RuleBook ruleBook() {
    Map<SensorType, Severity> severities = new EnumMap<>(DEFAULT_SEVERITIES);
    Map<SensorType, Long> minDurations = new EnumMap<>(SensorType.class);
    Map<String, RuleBook.ChannelOverride> channels = new HashMap<>();
    long globalMin = config.getLong(MIN_DURATION_MS_CONFIG);
    for (SensorType t : SensorType.values()) {
      minDurations.put(t, globalMin);
    }
    Map<String, Map<String, Double>> perChannel = new HashMap<>();
    for (Map.Entry<String, Object> e : new TreeMap<>(config.originals()).entrySet()) {
      String key = e.getKey();
      if (!key.startsWith(PREFIX) || config.values().containsKey(key)) {
        continue;
      }
      String[] parts = checkKey(key, e.getValue());
      SensorType type = SensorType.valueOf(parts[1]);
      String value = String.valueOf(e.getValue()).trim();
      if (key.endsWith(".min.duration.ms")) {
        minDurations.put(type, parse(key, value, Long::parseLong, "an integer >= 0", 0L));
      } else if (key.endsWith(".severity")) {
        severities.put(
            type,
            parse(
                key,
                value,
                v -> Severity.valueOf(v.toUpperCase(Locale.ROOT)),
                "one of LOW, MEDIUM, HIGH",
                null));
      } else {
        perChannel
            .computeIfAbsent(parts[1] + "." + parts[2], k -> new HashMap<>())
            .put(parts[3], parse(key, value, Double::parseDouble, "a number", null));
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
        config.getDouble(BATTERY_HYSTERESIS_CONFIG));
  }

  private static <T extends Comparable<T>> T parse(
      String key, String value, Function<String, T> parser, String allowed, T min) {
    T parsed;
    try {
      parsed = parser.apply(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, value, "must be " + allowed);
    }
    if (min != null && parsed.compareTo(min) < 0) {
      throw new ConfigException(key, value, "must be " + allowed);
    }
    return parsed;
  }

  /** {@value #SILENT_FACTOR_CONFIG}. */
  public double silentFactor() {
    return config.getDouble(SILENT_FACTOR_CONFIG);
  }

  /** {@value #SILENT_METER_AFTER_MS_CONFIG}, ms. */
  public long silentMeterAfterMs() {
    return config.getLong(SILENT_METER_AFTER_MS_CONFIG);
  }

  /** {@value #SILENT_CHECK_INTERVAL_MS_CONFIG}, wall-clock ms. */
  public long silentCheckIntervalMs() {
    return config.getLong(SILENT_CHECK_INTERVAL_MS_CONFIG);
  }

  /** {@value #LATE_AFTER_MS_CONFIG}, ms. */
  public long lateAfterMs() {
    return config.getLong(LATE_AFTER_MS_CONFIG);
  }
}
