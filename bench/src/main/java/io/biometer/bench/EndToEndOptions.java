package io.biometer.bench;

import io.biometer.streams.StreamsAppConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;

/**
 * What {@code ./biometer bench e2e} asked for.
 *
 * @param rate the readings/s offered (each relayed twice: twice as many records/s)
 * @param run how long the load runs
 * @param guarantee the streams app's processing guarantee
 * @param overrides app config for the run, as in the app's properties file
 * @param reference a run for reference beside the one with the app's defaults: no verdict
 */
record EndToEndOptions(
    int rate, Duration run, String guarantee, Map<String, Object> overrides, boolean reference) {

  /** These options with {@code config} added to the app config, as a run for reference. */
  EndToEndOptions reference(Map<String, Object> config) {
    Map<String, Object> o = new LinkedHashMap<>(overrides);
    o.putAll(config);
    return new EndToEndOptions(rate, run, guarantee, Map.copyOf(o), true);
  }

  /**
   * Parses {@code --quick} (a 10 s run), {@code --seconds=N} (default 60), {@code --rate=N}
   * (readings/s, default 50,000), {@code --guarantee=exactly_once_v2|at_least_once} (default the
   * app's, exactly-once) and {@code key=value} (app config, checked now).
   *
   * @throws IllegalArgumentException naming the argument that is wrong
   */
  static EndToEndOptions parse(String[] args) {
    boolean quick = List.of(args).contains("--quick");
    int seconds = quick ? 10 : 60;
    int rate = 50_000;
    String guarantee = StreamsConfig.EXACTLY_ONCE_V2;
    Map<String, Object> overrides = new LinkedHashMap<>();
    for (String a : args) {
      if (a.equals("--quick")) {
        continue;
      }
      if (a.startsWith("--seconds=")) {
        seconds = Args.positive(a);
      } else if (a.startsWith("--rate=")) {
        rate = Args.positive(a);
      } else if (a.startsWith("--guarantee=")) {
        guarantee = a.substring(a.indexOf('=') + 1);
        if (!guarantee.equals(StreamsConfig.EXACTLY_ONCE_V2)
            && !guarantee.equals(StreamsConfig.AT_LEAST_ONCE)) {
          throw new IllegalArgumentException(a + ": expected exactly_once_v2 or at_least_once");
        }
      } else if (!a.startsWith("-") && a.indexOf('=') > 0) {
        overrides.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
      } else {
        throw new IllegalArgumentException("unknown argument '" + a + "'");
      }
    }
    try {
      new StreamsAppConfig(overrides);
    } catch (org.apache.kafka.common.config.ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return new EndToEndOptions(
        rate, Duration.ofSeconds(seconds), guarantee, Map.copyOf(overrides), false);
  }
}
