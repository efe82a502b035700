package io.biometer.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The keys one app accepts and the environment variables that set them: the names of its {@link
 * ConfigDef}, families of keys by prefix (e.g. {@code kafka.} keys passed to a Kafka client), and
 * other apps' keys under a prefix (the local stack's {@code streams.*} are the streams app's keys).
 *
 * <p>Environment variables follow one scheme: the app's prefix plus the key in upper case with dots
 * and dashes as underscores ({@code BIOMETER_STREAMS_} + {@code dedup.horizon.ms} = {@code
 * BIOMETER_STREAMS_DEDUP_HORIZON_MS}). An app reads only variables that name one of its own keys
 * (or start with a family's prefix), so a variable of another app that shares the prefix (the local
 * stack's {@code BIOMETER_STREAMS_ENABLED}) is never read as this app's key. A child's prefix is
 * its parent's variable for the child's key prefix ({@code BIOMETER_} + {@code streams.} = {@code
 * BIOMETER_STREAMS_}), so the local stack's {@code streams.metrics.port} and the streams app's
 * {@code metrics.port} are the same variable and the same setting.
 */
public final class ConfigKeys {

  private final String envPrefix;
  private final ConfigDef def;
  private final List<String> families;
  private final Map<String, ConfigKeys> children;
  private final List<String> familyKeys;

  private ConfigKeys(
      String envPrefix,
      ConfigDef def,
      List<String> families,
      Map<String, ConfigKeys> children,
      List<String> familyKeys) {
    this.envPrefix = envPrefix;
    this.def = def;
    this.families = List.copyOf(families);
    this.children = children;
    this.familyKeys = List.copyOf(familyKeys);
  }

  /**
   * These keys, knowing the exact spelling of {@code keys} of the families (e.g. {@code
   * alerts.ECG.heart_rate.high}): a variable naming one of them sets it as spelled, where the
   * variable's name alone (upper case, underscores for both dots and underscores) could not tell.
   */
  public ConfigKeys withFamilyKeys(java.util.Collection<String> keys) {
    List<String> all = new ArrayList<>(familyKeys);
    all.addAll(keys);
    return new ConfigKeys(envPrefix, def, families, children, all);
  }

  /**
   * The keys of {@code def} plus every key starting with one of {@code families}, set from the
   * environment by variables starting {@code envPrefix}.
   */
  public static ConfigKeys of(String envPrefix, ConfigDef def, String... families) {
    return new ConfigKeys(envPrefix, def, List.of(families), new LinkedHashMap<>(), List.of());
  }

  /**
   * These keys plus {@code child}'s under {@code prefix} (ending in a dot). {@code child}'s
   * environment prefix must be this one's variable for {@code prefix}, so one variable means one
   * setting; a key of this app's own under {@code prefix} (e.g. {@code streams.enabled}) must not
   * be one of {@code child}'s.
   */
  public ConfigKeys withChild(String prefix, ConfigKeys child) {
    String expected = envName(prefix.substring(0, prefix.length() - 1)) + "_";
    if (!prefix.endsWith(".") || !child.envPrefix.equals(expected)) {
      throw new IllegalArgumentException(
          "child prefix " + prefix + " needs environment prefix " + expected);
    }
    for (String own : def.names()) {
      if (own.startsWith(prefix) && child.accepts(own.substring(prefix.length()))) {
        throw new IllegalArgumentException(own + " is both a key here and a key of the child");
      }
    }
    Map<String, ConfigKeys> c = new LinkedHashMap<>(children);
    c.put(prefix, child);
    return new ConfigKeys(envPrefix, def, families, c, familyKeys);
  }

  /** The definition of this app's own keys. */
  public ConfigDef def() {
    return def;
  }

  /** The prefixes of the key families, e.g. {@code kafka.}. */
  public List<String> families() {
    return families;
  }

  /** The other apps whose keys pass through, by prefix. */
  public Map<String, ConfigKeys> children() {
    return Map.copyOf(children);
  }

  /** The environment prefix, e.g. {@code BIOMETER_STREAMS_}. */
  public String envPrefix() {
    return envPrefix;
  }

  /** Whether {@code key} is one of these keys. */
  public boolean accepts(String key) {
    if (def.names().contains(key)) {
      return true;
    }
    for (String f : families) {
      if (key.startsWith(f) && key.length() > f.length()) {
        return true;
      }
    }
    for (Map.Entry<String, ConfigKeys> c : children.entrySet()) {
      if (key.startsWith(c.getKey()) && c.getValue().accepts(key.substring(c.getKey().length()))) {
        return true;
      }
    }
    return false;
  }

  /** The environment variable that sets {@code key}. */
  public String envName(String key) {
    return envPrefix + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /**
   * The values {@code env} sets: one per variable naming a key of {@link #def()}, one per variable
   * under a family's prefix (the key of {@link #withFamilyKeys} it names, else the rest of its name
   * in lower case, underscores as dots), and the children's, under their prefixes. Other variables
   * are not read.
   */
  public Map<String, ConfigValue> fromEnv(Map<String, String> env) {
    Map<String, String> known = new java.util.HashMap<>();
    familyKeys.forEach(k -> known.put(envName(k), k));
    Map<String, ConfigValue> out = new LinkedHashMap<>();
    for (String key : def.names()) {
      String var = envName(key);
      String v = env.get(var);
      if (v != null) {
        out.put(key, new ConfigValue(v.trim(), ConfigSource.env(var)));
      }
    }
    for (String family : families) {
      String start = envName(family);
      for (Map.Entry<String, String> e : new java.util.TreeMap<>(env).entrySet()) {
        String var = e.getKey();
        if (var.startsWith(start) && var.length() > start.length()) {
          String key =
              known.getOrDefault(
                  var,
                  family
                      + var.substring(start.length()).toLowerCase(Locale.ROOT).replace('_', '.'));
          out.put(key, new ConfigValue(e.getValue().trim(), ConfigSource.env(var)));
        }
      }
    }
    children.forEach(
        (prefix, child) -> child.fromEnv(env).forEach((k, v) -> out.put(prefix + k, v)));
    return out;
  }

  /**
   * For a key accepted only as a family's ({@code alerts.silent.factr}), a fixed key one or two
   * letters away ({@code alerts.silent.factor}): the key is then far more likely a typo than a new
   * member of the family.
   */
  public Optional<String> typoOf(String key) {
    for (Map.Entry<String, ConfigKeys> c : children.entrySet()) {
      if (key.startsWith(c.getKey()) && !def.names().contains(key)) {
        return c.getValue().typoOf(key.substring(c.getKey().length())).map(k -> c.getKey() + k);
      }
    }
    if (def.names().contains(key)) {
      return Optional.empty();
    }
    for (String known : def.names()) {
      if (distance(key, known) <= 2) {
        return Optional.of(known);
      }
    }
    return Optional.empty();
  }

  /** The known key closest to {@code key} (a likely typo), if one is close. */
  public Optional<String> closest(String key) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String known : names()) {
      int d = distance(key, known);
      if (d < bestDistance) {
        best = known;
        bestDistance = d;
      }
    }
    return best != null && bestDistance <= Math.max(2, key.length() / 4)
        ? Optional.of(best)
        : Optional.empty();
  }

  /** Every fixed key, the children's with their prefixes, sorted. */
  public List<String> names() {
    TreeSet<String> all = new TreeSet<>(def.names());
    children.forEach((prefix, child) -> child.names().forEach(k -> all.add(prefix + k)));
    return new ArrayList<>(all);
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
