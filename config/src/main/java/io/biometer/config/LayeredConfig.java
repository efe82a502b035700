package io.biometer.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * One app's configuration values in layers, later ones winning, each value knowing where it came
 * from: a properties file, then environment variables (see {@link ConfigKeys} for the scheme), then
 * {@code key=value} arguments. Every app loads its typed {@code AbstractConfig} through {@link
 * #load} and {@link #build}, so every app refuses the same mistakes with the same one line:
 *
 * <ul>
 *   <li>{@code simulator.patients must be an integer >= 0, got x (from argument)}
 *   <li>{@code kafka.port must be 1 to 65535, got 70000 (from env BIOMETER_KAFKA_PORT)}
 *   <li>{@code unknown key 'kafka.prot', got 9092 (from file stack.properties); did you mean
 *       kafka.port?}
 * </ul>
 *
 * <p>Instances are immutable; every {@code with} returns a new one.
 */
public final class LayeredConfig {

  private static final Pattern KAFKA_MESSAGE =
      Pattern.compile("Invalid value (.*) for configuration (\\S+?)(?:: (.*))?", Pattern.DOTALL);

  private final ConfigKeys keys;
  private final String labelPrefix;
  private final Map<String, ConfigValue> values;

  private LayeredConfig(ConfigKeys keys, String labelPrefix, Map<String, ConfigValue> values) {
    this.keys = keys;
    this.labelPrefix = labelPrefix;
    this.values = values;
  }

  /** No values yet: every key at its default. */
  public static LayeredConfig empty(ConfigKeys keys) {
    return new LayeredConfig(keys, "", new LinkedHashMap<>());
  }

  /**
   * The sources in order: {@code file} (may be null), the variables of {@code env} that name keys,
   * then {@code args}.
   *
   * @throws ConfigException one line naming an unknown key, its value and its source
   */
  public static LayeredConfig load(
      ConfigKeys keys, Path file, Map<String, String> env, Map<String, ?> args) {
    return empty(keys).withFile(file).withEnv(env).with(args, ConfigSource.argument());
  }

  /** These values, then the keys of {@code file} (nothing if null). */
  public LayeredConfig withFile(Path file) {
    return file == null ? this : with(PropertiesFiles.read(file), ConfigSource.file(file));
  }

  /** These values, then the variables of {@code env} that name keys. */
  public LayeredConfig withEnv(Map<String, String> env) {
    return withValues(keys.fromEnv(env));
  }

  /** These values, then {@code more}, all from {@code source}. */
  public LayeredConfig with(Map<String, ?> more, ConfigSource source) {
    Map<String, ConfigValue> m = new LinkedHashMap<>();
    more.forEach((k, v) -> m.put(k, new ConfigValue(v, source)));
    return withValues(m);
  }

  /** These values, then {@code more}. */
  public LayeredConfig withValues(Map<String, ConfigValue> more) {
    Map<String, ConfigValue> m = new LinkedHashMap<>(values);
    more.forEach(
        (k, v) -> {
          String key = k.trim();
          if (!keys.accepts(key) || keys.typoOf(key).isPresent()) {
            throw new ConfigException(unknown(key, v));
          }
          m.put(key, v);
        });
    return new LayeredConfig(keys, labelPrefix, m);
  }

  /** {@code defaults} from {@code source}, then these values: values a caller picks for its app. */
  public LayeredConfig withDefaults(Map<String, ?> defaults, ConfigSource source) {
    LayeredConfig base = new LayeredConfig(keys, labelPrefix, new LinkedHashMap<>());
    return base.with(defaults, source).withValues(values);
  }

  /**
   * The values under {@code prefix} (a child of {@link ConfigKeys}) without it, for the child app's
   * config; errors still name the key with the prefix.
   */
  public LayeredConfig child(String prefix) {
    ConfigKeys child = keys.children().get(prefix);
    if (child == null) {
      throw new IllegalArgumentException("no child " + prefix);
    }
    Map<String, ConfigValue> m = new LinkedHashMap<>();
    values.forEach(
        (k, v) -> {
          if (k.startsWith(prefix) && !keys.def().names().contains(k)) {
            m.put(k.substring(prefix.length()), v);
          }
        });
    return new LayeredConfig(child, labelPrefix + prefix, m);
  }

  /** The values of this app's own keys and families (not its children's), for its config class. */
  public Map<String, Object> values() {
    Map<String, Object> m = new LinkedHashMap<>();
    values.forEach(
        (k, v) -> {
          if (!childKey(k)) {
            m.put(k, v.value());
          }
        });
    return m;
  }

  /** The value of {@code key} and its source, if it was given. */
  public Optional<ConfigValue> get(String key) {
    return Optional.ofNullable(values.get(key));
  }

  private boolean childKey(String key) {
    if (keys.def().names().contains(key)) {
      return false;
    }
    return keys.children().keySet().stream().anyMatch(key::startsWith);
  }

  /**
   * The config {@code constructor} builds from {@link #values()}, after checking the type and
   * validator of every given key of the definition.
   *
   * @throws ConfigException one line naming the key, the value, what is allowed and the source
   */
  public <C> C build(Function<Map<String, Object>, C> constructor) {
    ConfigDef def = keys.def();
    for (Map.Entry<String, ConfigValue> e : values.entrySet()) {
      ConfigDef.ConfigKey key = def.configKeys().get(e.getKey());
      if (key == null || e.getValue().value() == null) {
        continue;
      }
      Object parsed;
      try {
        parsed = ConfigDef.parseType(key.name, e.getValue().value(), key.type);
      } catch (ConfigException ex) {
        String range = describe(key.validator);
        String allowed =
            range != null && range.startsWith("one of")
                ? range
                : noun(key.type) + (range == null ? "" : " " + range);
        throw new ConfigException(mustBe(e.getKey(), allowed));
      }
      if (key.validator != null) {
        try {
          key.validator.ensureValid(key.name, parsed);
        } catch (ConfigException ex) {
          String allowed = describe(key.validator);
          throw new ConfigException(
              allowed != null ? mustBe(e.getKey(), allowed) : line(e.getKey(), reason(ex)));
        }
      }
    }
    try {
      return constructor.apply(values());
    } catch (ConfigException ex) {
      Matcher m = KAFKA_MESSAGE.matcher(ex.getMessage() == null ? "" : ex.getMessage());
      if (m.matches() && values.containsKey(m.group(2))) {
        String reason = m.group(3) == null ? "invalid" : m.group(3);
        throw new ConfigException(
            reason.startsWith("must be ")
                ? mustBe(m.group(2), reason.substring("must be ".length()))
                : line(m.group(2), reason));
      }
      throw ex;
    }
  }

  /**
   * The one-line error for a value of {@code key} that is wrong together with others (e.g. two
   * thresholds in the wrong order): {@code <key>: <reason>, got <value> (from <source>)}.
   */
  public ConfigException invalid(String key, String reason) {
    return new ConfigException(line(key, reason));
  }

  /**
   * The one-line error for values of several keys that are wrong together (e.g. a sleep level above
   * the wake level): {@code <key> and <key>: <reason>, got <value> (from <source>) and <value>
   * (default)}, each key named as the user gave it, a key not given as its default.
   */
  public ConfigException invalid(List<String> together, String reason) {
    StringBuilder names = new StringBuilder();
    StringBuilder got = new StringBuilder();
    for (int i = 0; i < together.size(); i++) {
      String key = together.get(i);
      String sep = i == 0 ? "" : i == together.size() - 1 ? " and " : ", ";
      names.append(sep).append(label(key));
      ConfigValue v = values.get(key);
      ConfigDef.ConfigKey def = keys.def().configKeys().get(key);
      got.append(sep)
          .append(label(key))
          .append('=')
          .append(
              v != null
                  ? v.value() + " (from " + v.source() + ")"
                  : (def == null ? null : def.defaultValue) + " (default)");
    }
    return new ConfigException(names + ": " + reason + ", got " + got);
  }

  /**
   * How errors name {@code key}: the option it came from ({@code --patients}), else the key as the
   * user gave it, with the parent's prefix ({@code simulator.patients}).
   */
  public String label(String key) {
    ConfigValue v = values.get(key);
    if (v != null && v.source().kind() == ConfigSource.Kind.OPTION) {
      return v.source().name();
    }
    return labelPrefix + key;
  }

  private String mustBe(String key, String allowed) {
    return label(key) + " must be " + allowed + ", " + got(key);
  }

  private String line(String key, String reason) {
    return label(key) + ": " + reason + ", " + got(key);
  }

  private String got(String key) {
    ConfigValue v = values.get(key);
    return v == null ? "not given" : "got " + v.value() + " (from " + v.source() + ")";
  }

  private String unknown(String key, ConfigValue v) {
    String full = labelPrefix + key;
    String hint =
        keys.closest(key)
            .map(c -> "did you mean " + labelPrefix + c + "?")
            .orElse("no key is close; the configuration reference lists them");
    return "unknown key '" + full + "', got " + v.value() + " (from " + v.source() + "); " + hint;
  }

  private static String reason(ConfigException ex) {
    Matcher m = KAFKA_MESSAGE.matcher(ex.getMessage() == null ? "" : ex.getMessage());
    return m.matches() && m.group(3) != null ? m.group(3) : String.valueOf(ex.getMessage());
  }

  private static String noun(ConfigDef.Type type) {
    return switch (type) {
      case SHORT, INT, LONG -> "an integer";
      case DOUBLE -> "a number";
      case BOOLEAN -> "true or false";
      case LIST -> "a comma-separated list";
      case CLASS -> "a class name";
      default -> "a string";
    };
  }

  /** What a validator allows, in words, or null if it does not say. */
  static String describe(ConfigDef.Validator v) {
    if (v == null) {
      return null;
    }
    String s = v.toString();
    if (v instanceof ConfigDef.Range) {
      Matcher m = Pattern.compile("\\[(.*?),\\.\\.\\.(?:,(.*))?\\]").matcher(s);
      if (m.matches()) {
        boolean noMin = m.group(1).isEmpty();
        if (m.group(2) == null) {
          return ">= " + m.group(1);
        }
        return noMin ? "<= " + m.group(2) : m.group(1) + " to " + m.group(2);
      }
      Matcher upper = Pattern.compile("\\[\\.\\.\\.,(.*)\\]").matcher(s);
      return upper.matches() ? "<= " + upper.group(1) : s;
    }
    if (v instanceof ConfigDef.ValidString) {
      return "one of " + s.substring(1, s.length() - 1);
    }
    if (v.getClass().isSynthetic() || v.getClass().getName().contains("$$Lambda")) {
      return null;
    }
    return s.contains("@") ? null : s;
  }
}
