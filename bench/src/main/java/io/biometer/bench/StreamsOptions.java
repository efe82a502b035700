package io.biometer.bench;

import io.biometer.streams.StreamsAppConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * What {@code ./biometer bench streams} asked for.
 *
 * @param quick shorter runs, fewer readings, no exactly-once throughput runs
 * @param latencyOnly skip the throughput rounds
 * @param rounds paired rounds of full topology and pass-through
 * @param eosThroughput also measure the full topology's exactly-once throughput in each round
 * @param cacheOn also measure exactly-once latency with Kafka Streams' default record cache
 * @param overrides app config for every run, as in the app's properties file
 */
record StreamsOptions(
    boolean quick,
    boolean latencyOnly,
    int rounds,
    boolean eosThroughput,
    boolean cacheOn,
    Map<String, Object> overrides,
    int readings,
    Duration latencyRun,
    Duration warmUp) {

  /** The app config key of Kafka Streams' record cache. */
  static final String CACHE_KEY = "kafka.statestore.cache.max.bytes";

  /**
   * Parses {@code --quick}, {@code --latency-only}, {@code --rounds=N} (default 5) and {@code
   * key=value} (app config, checked now so a wrong key fails before minutes of runs).
   *
   * @throws IllegalArgumentException naming the argument that is wrong
   */
  static StreamsOptions parse(String[] args) {
    boolean quick = false;
    boolean latencyOnly = false;
    int rounds = PairedRounds.MIN_PAIRS;
    Map<String, Object> overrides = new HashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (a.equals("--quick")) {
        quick = true;
      } else if (a.equals("--latency-only")) {
        latencyOnly = true;
      } else if (a.startsWith("--rounds=")) {
        rounds = Args.positive(a);
      } else if (eq > 0 && !a.startsWith("-")) {
        overrides.put(a.substring(0, eq), a.substring(eq + 1));
      } else {
        throw new IllegalArgumentException("unknown argument '" + a + "'");
      }
    }
    try {
      new StreamsAppConfig(overrides);
    } catch (org.apache.kafka.common.config.ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return new StreamsOptions(
        quick,
        latencyOnly,
        rounds,
        !quick,
        !overrides.containsKey(CACHE_KEY),
        overrides,
        quick ? 60_000 : 300_000,
        Duration.ofSeconds(quick ? 8 : 20),
        Duration.ofSeconds(quick ? 3 : 5));
  }

  /** The smallest run through every path (for tests; its figures mean nothing). */
  static StreamsOptions tiny() {
    return new StreamsOptions(
        true,
        false,
        1,
        false,
        false,
        Map.of(),
        10_000,
        Duration.ofSeconds(2),
        Duration.ofSeconds(1));
  }

  /** The same options without the record-cache latency run (the whole-pipeline bench's). */
  StreamsOptions withoutCacheRun() {
    return new StreamsOptions(
        quick, latencyOnly, rounds, eosThroughput, false, overrides, readings, latencyRun, warmUp);
  }
}
