package io.biometer.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@code ./biometer bench connector} asked for. */
record ConnectorOptions(
    int readings, int rounds, Duration warmUp, Duration latencyRun, Map<String, String> config) {

  /**
   * Parses {@code --quick}, {@code --readings=N}, {@code --rounds=N} (paired rounds, default 5),
   * {@code --seconds=N} (the latency run) and {@code key=value} (connector config).
   *
   * @throws IllegalArgumentException naming the argument that is wrong
   */
  static ConnectorOptions parse(String[] args) {
    boolean quick = List.of(args).contains("--quick");
    int readings = quick ? 100_000 : 200_000;
    int rounds = PairedRounds.MIN_PAIRS;
    int seconds = quick ? 8 : 20;
    Map<String, String> config = new LinkedHashMap<>();
    for (String a : args) {
      if (a.equals("--quick")) {
        continue;
      }
      if (a.startsWith("--readings=")) {
        readings = Args.positive(a);
      } else if (a.startsWith("--rounds=")) {
        rounds = Args.positive(a);
      } else if (a.startsWith("--seconds=")) {
        seconds = Args.positive(a);
      } else if (!a.startsWith("-") && a.indexOf('=') > 0) {
        config.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
      } else {
        throw new IllegalArgumentException("unknown argument '" + a + "'");
      }
    }
    if (readings < 1000) {
      throw new IllegalArgumentException(
          "--readings=" + readings + " is too few for a steady rate: give at least 1000");
    }
    if (config.containsKey(ConnectorWorkload.TABLE_KEY) || config.containsKey("topics")) {
      throw new IllegalArgumentException(
          "the bench sets "
              + ConnectorWorkload.TABLE_KEY
              + " and reads "
              + ConnectorWorkload.TOPIC
              + " itself");
    }
    Duration warmUp = Duration.ofSeconds(quick ? 2 : 5);
    return new ConnectorOptions(
        readings, rounds, warmUp, Duration.ofSeconds(seconds), Map.copyOf(config));
  }
}
