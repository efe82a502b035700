package io.biometer.streams.commands;

import io.biometer.avro.SensorType;
import io.biometer.catalog.ChannelSpec;
import io.biometer.catalog.SensorCatalog;
import io.biometer.streams.alerting.SilentDevices;
import io.biometer.streams.alerting.SinkAlerts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
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
import org.apache.kafka.common.config.ConfigException;

/**
 * The {@code rules.*} keys of the streams app: which alert transitions become commands
 * (docs/commands.md, "Rules: alerts that command"). {@code rules.enabled} switches them all off;
 * {@code rules.names} lists the rules; each rule {@code <name>} has the settings {@code
 * rules.<name>.alert}, {@code .target}, {@code .command}, {@code .raised}, {@code .cleared} and
 * {@code .ttl.ms}. The two default rules, {@code fan} and {@code valve}, are defined with their
 * defaults by {@link #define} (so they are documented, checked and set from the environment like
 * any fixed key); a rule of another name is a family of keys, checked by {@link #checkKey}, whose
 * {@code alert}, {@code target}, {@code command} and one of {@code raised}/{@code cleared} must be
 * given. {@link #rules} reads them all.
 */
public final class CommandRulesConfig {

  /** What every key of this class starts with. */
  public static final String PREFIX = "rules.";

  public static final String ENABLED_CONFIG = "rules.enabled";
  public static final String ENABLED_DOC =
      "Whether the command rules turn alert transitions into commands on telemetry.commands;"
          + " false issues none. Default: true.";

  public static final String NAMES_CONFIG = "rules.names";
  public static final String NAMES_DOC =
      "The command rules in force, comma-separated; each name's settings are the keys"
          + " rules.<name>.*. A name is lower-case letters and digits. fan and valve have"
          + " defaults; another name needs its rules.<name>.alert, .target, .command and .raised or"
          + " .cleared. Default: fan,valve.";

  /** The setting naming the {@code Alert.rule} id a rule acts on. */
  public static final String ALERT = "alert";

  /** The setting naming the target device, a template. */
  public static final String TARGET = "target";

  /** The setting naming the command. */
  public static final String COMMAND = "command";

  /** The setting with the arguments of the command sent on RAISED. */
  public static final String RAISED = "raised";

  /** The setting with the arguments of the command sent on CLEARED. */
  public static final String CLEARED = "cleared";

  /** The setting with the commands' time to live. */
  public static final String TTL_MS = "ttl.ms";

  /** Every setting of a rule, in their documented order. */
  public static final List<String> SETTINGS =
      List.of(ALERT, TARGET, COMMAND, RAISED, CLEARED, TTL_MS);

  public static final long TTL_MS_DEFAULT = 60_000L;

  /** The defaults of one rule's settings. */
  record Defaults(String alert, String target, String command, String raised, String cleared) {}

  /** The default rules, as in docs/commands.md's table. */
  static final Map<String, Defaults> DEFAULT_RULES = defaultRules();

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*");

  private CommandRulesConfig() {}

  private static Map<String, Defaults> defaultRules() {
    Map<String, Defaults> m = new LinkedHashMap<>();
    m.put(
        "fan",
        new Defaults(
            "BODY_TEMPERATURE.body_temperature.high",
            "{owner}.fan",
            "set_power",
            "state=on",
            "state=off"));
    m.put(
        "valve",
        new Defaults(
            "SOIL_METER.soil_humidity.low",
            "{owner}.valve",
            "set_valve",
            "state=open",
            "state=closed"));
    return m;
  }

  /** The key of {@code setting} of the rule {@code rule}: {@code rules.<rule>.<setting>}. */
  public static String key(String rule, String setting) {
    return PREFIX + rule + "." + setting;
  }

  /** Adds {@code rules.enabled}, {@code rules.names} and the default rules' keys to {@code def}. */
  public static ConfigDef define(ConfigDef def) {
    def.define(ENABLED_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, ENABLED_DOC)
        .define(
            NAMES_CONFIG,
            Type.LIST,
            String.join(",", DEFAULT_RULES.keySet()),
            (name, value) -> {
              for (Object n : (List<?>) value) {
                checkName(name, value, String.valueOf(n));
              }
            },
            Importance.MEDIUM,
            NAMES_DOC);
    DEFAULT_RULES.forEach((name, defaults) -> defineRule(def, name, defaults));
    return def;
  }

  /** The keys of one rule, with {@code defaults} (null: a rule of another name, no defaults). */
  private static ConfigDef defineRule(ConfigDef def, String name, Defaults defaults) {
    Object none = ConfigDef.NO_DEFAULT_VALUE;
    String rule = "rule " + name;
    return def.define(
            key(name, ALERT),
            Type.STRING,
            defaults == null ? none : defaults.alert(),
            (k, v) -> checkAlertRule(k, (String) v),
            Importance.MEDIUM,
            "The alert rule (Alert.rule) whose transitions "
                + rule
                + " acts on: <SENSOR_TYPE>.<channel>.high|low, <SENSOR_TYPE>.battery.low,"
                + " device.silent or sink.down. Late alerts are never acted on."
                + defaultDoc(defaults == null ? null : defaults.alert()))
        .define(
            key(name, TARGET),
            Type.STRING,
            defaults == null ? none : defaults.target(),
            (k, v) -> checkTarget(k, (String) v),
            Importance.MEDIUM,
            "The device "
                + rule
                + " commands, a template: {owner} is the alert's owner (patient or site), {device}"
                + " the alert's device."
                + defaultDoc(defaults == null ? null : defaults.target()))
        .define(
            key(name, COMMAND),
            Type.STRING,
            defaults == null ? none : defaults.command(),
            (k, v) -> checkWord(k, (String) v),
            Importance.MEDIUM,
            "The name of the command "
                + rule
                + " sends (DeviceCommand.name)."
                + defaultDoc(defaults == null ? null : defaults.command()))
        .define(
            key(name, RAISED),
            Type.LIST,
            defaults == null ? "" : defaults.raised(),
            (k, v) -> arguments(k, (List<?>) v),
            Importance.MEDIUM,
            "The arguments of the command "
                + rule
                + " sends when the alert is RAISED, comma-separated key=value pairs; empty sends"
                + " nothing on RAISED."
                + defaultDoc(defaults == null ? "" : defaults.raised()))
        .define(
            key(name, CLEARED),
            Type.LIST,
            defaults == null ? "" : defaults.cleared(),
            (k, v) -> arguments(k, (List<?>) v),
            Importance.MEDIUM,
            "The arguments of the command "
                + rule
                + " sends when the alert is CLEARED, comma-separated key=value pairs; empty sends"
                + " nothing on CLEARED."
                + defaultDoc(defaults == null ? "" : defaults.cleared()))
        .define(
            key(name, TTL_MS),
            Type.LONG,
            TTL_MS_DEFAULT,
            Range.atLeast(1),
            Importance.LOW,
            "How long after the alert was detected a command of "
                + rule
                + " may still be delivered (its expiresAt), in milliseconds; a device that is not"
                + " connected meanwhile never gets it. Default: "
                + TTL_MS_DEFAULT
                + " (1 minute).");
  }

  private static String defaultDoc(String value) {
    if (value == null) {
      return " Required for a rule without defaults.";
    }
    return " Default: " + (value.isEmpty() ? "empty" : value) + ".";
  }

  /**
   * Checks the shape of a {@code rules.<name>.<setting>} key that is not one of the defined keys:
   * {@code name} lower-case letters and digits, {@code setting} one of {@link #SETTINGS}.
   *
   * @throws ConfigException naming the key, its value and what is expected
   */
  public static void checkKey(String key, Object value) {
    String rest = key.substring(PREFIX.length());
    int dot = rest.indexOf('.');
    if (dot < 0) {
      throw new ConfigException(
          key,
          value,
          "expected " + ENABLED_CONFIG + ", " + NAMES_CONFIG + " or rules.<name>.<setting>");
    }
    checkName(key, value, rest.substring(0, dot));
    String setting = rest.substring(dot + 1);
    if (!SETTINGS.contains(setting)) {
      throw new ConfigException(
          key,
          value,
          "'"
              + setting
              + "' is not a rule setting (settings: "
              + String.join(", ", SETTINGS)
              + ")");
    }
  }

  private static void checkName(String key, Object value, String name) {
    if (!NAME.matcher(name).matches()) {
      throw new ConfigException(
          key,
          value,
          "'" + name + "' is not a rule name: lower-case letters and digits, a letter first");
    }
  }

  private static void checkAlertRule(String key, String id) {
    if (id == null || !isAlertRule(id)) {
      throw new ConfigException(
          key,
          id,
          "not an alert rule id: expected <SENSOR_TYPE>.<channel>.high|low with a channel of the"
              + " sensor catalogue, <SENSOR_TYPE>.battery.low, "
              + SilentDevices.RULE
              + " or "
              + SinkAlerts.RULE);
    }
  }

  /**
   * Whether {@code id} can be the rule id of an alert: a value rule of a catalogue channel (high or
   * low: a low rule the catalogue leaves out may come from a device's own thresholds), a battery
   * rule, or the silent-device or sink-down rule.
   */
  static boolean isAlertRule(String id) {
    if (id.equals(SilentDevices.RULE) || id.equals(SinkAlerts.RULE)) {
      return true;
    }
    String[] parts = id.split("\\.", -1);
    if (parts.length != 3) {
      return false;
    }
    SensorType type;
    try {
      type = SensorType.valueOf(parts[0]);
    } catch (IllegalArgumentException e) {
      return false;
    }
    SensorCatalog catalog = SensorCatalog.standard();
    if (!catalog.contains(type)) {
      return false;
    }
    if (parts[1].equals("battery")) {
      return parts[2].equals("low");
    }
    return (parts[2].equals("high") || parts[2].equals("low"))
        && catalog.spec(type).channels().stream().map(ChannelSpec::name).anyMatch(parts[1]::equals);
  }

  private static void checkTarget(String key, String target) {
    if (target == null || target.isBlank()) {
      throw new ConfigException(key, target, "must name a device, e.g. {owner}.fan");
    }
    String rest = target.replace(CommandRule.OWNER, "").replace(CommandRule.DEVICE, "");
    if (rest.contains("{")
        || rest.contains("}")
        || target.chars().anyMatch(Character::isWhitespace)) {
      throw new ConfigException(
          key,
          target,
          "a device id without spaces, whose only placeholders are "
              + CommandRule.OWNER
              + " and "
              + CommandRule.DEVICE);
    }
  }

  private static void checkWord(String key, String value) {
    if (value == null || value.isBlank() || value.chars().anyMatch(Character::isWhitespace)) {
      throw new ConfigException(
          key, value, "must be a command name without spaces, e.g. set_power");
    }
  }

  /**
   * The {@code key=value} pairs of {@code items}, in order.
   *
   * @throws ConfigException naming {@code key} if an item is not {@code key=value} or a key repeats
   */
  static Map<String, String> arguments(String key, List<?> items) {
    Map<String, String> args = new LinkedHashMap<>();
    for (Object item : items) {
      String pair = String.valueOf(item).trim();
      int eq = pair.indexOf('=');
      if (eq <= 0 || pair.substring(0, eq).isBlank()) {
        throw new ConfigException(
            key,
            items,
            "'" + pair + "' is not key=value (e.g. state=on; pairs separated by commas)");
      }
      String name = pair.substring(0, eq).trim();
      if (args.put(name, pair.substring(eq + 1).trim()) != null) {
        throw new ConfigException(key, items, "argument '" + name + "' is given twice");
      }
    }
    return args;
  }

  /**
   * The command rules {@code config} asks for, in the order of {@code rules.names}; none if {@code
   * rules.enabled} is false. Every {@code rules.*} key is checked either way.
   *
   * @throws ConfigException naming the first key that is wrong: a rule key of a name not in {@code
   *     rules.names}, a setting missing for a rule without defaults, a value not allowed, a rule
   *     with neither raised nor cleared arguments
   */
  public static List<CommandRule> rules(AbstractConfig config) {
    List<String> names = config.getList(NAMES_CONFIG);
    Set<String> seen = new HashSet<>();
    for (String name : names) {
      if (!seen.add(name)) {
        throw new ConfigException(NAMES_CONFIG, names, "rule '" + name + "' is listed twice");
      }
    }
    Map<String, Object> originals = new TreeMap<>(config.originalsWithPrefix(PREFIX, false));
    for (Map.Entry<String, Object> e : originals.entrySet()) {
      String key = e.getKey();
      if (key.equals(ENABLED_CONFIG) || key.equals(NAMES_CONFIG)) {
        continue;
      }
      checkKey(key, e.getValue());
      String name = key.substring(PREFIX.length(), key.indexOf('.', PREFIX.length()));
      if (!names.contains(name)) {
        throw new ConfigException(
            key,
            e.getValue(),
            "rule '"
                + name
                + "' is not listed in "
                + NAMES_CONFIG
                + " ("
                + String.join(",", names)
                + "): add it there or remove the key");
      }
    }
    List<CommandRule> rules = new ArrayList<>();
    for (String name : names) {
      rules.add(rule(name, config, originals));
    }
    return config.getBoolean(ENABLED_CONFIG) ? List.copyOf(rules) : List.of();
  }

  private static CommandRule rule(
      String name, AbstractConfig config, Map<String, Object> originals) {
    Map<String, Object> values;
    if (DEFAULT_RULES.containsKey(name)) {
      // Defined keys: parsed and checked with the app's config already.
      values = new LinkedHashMap<>();
      for (String s : SETTINGS) {
        values.put(key(name, s), config.values().get(key(name, s)));
      }
    } else {
      Map<String, Object> given = new LinkedHashMap<>();
      for (String s : SETTINGS) {
        Object v = originals.get(key(name, s));
        if (v != null) {
          given.put(key(name, s), v);
        } else if (s.equals(ALERT) || s.equals(TARGET) || s.equals(COMMAND)) {
          throw new ConfigException(
              key(name, s)
                  + ": missing; rule '"
                  + name
                  + "' is listed in "
                  + NAMES_CONFIG
                  + " and has no default "
                  + s
                  + ", so set it (or take the rule out of "
                  + NAMES_CONFIG
                  + ")");
        }
      }
      values = defineRule(new ConfigDef(), name, null).parse(given);
    }
    Map<String, String> raised =
        arguments(key(name, RAISED), (List<?>) values.get(key(name, RAISED)));
    Map<String, String> cleared =
        arguments(key(name, CLEARED), (List<?>) values.get(key(name, CLEARED)));
    if (raised.isEmpty() && cleared.isEmpty()) {
      throw new ConfigException(
          key(name, RAISED)
              + " and "
              + key(name, CLEARED)
              + ": both empty, so rule '"
              + name
              + "' would never command; set at least one, e.g. state=on");
    }
    return new CommandRule(
        name,
        (String) values.get(key(name, ALERT)),
        (String) values.get(key(name, TARGET)),
        (String) values.get(key(name, COMMAND)),
        raised,
        cleared,
        Duration.ofMillis((Long) values.get(key(name, TTL_MS))));
  }
}
