package io.biometer.bench;

import java.time.Duration;

/** What {@code ./biometer bench simulator} asked for. */
record SimulatorOptions(boolean quick, int rounds, Duration round, Duration warmUp) {

  /**
   * Parses {@code --quick} and {@code --rounds=N} (paired rounds, default 5).
   *
   * @throws IllegalArgumentException naming the argument that is wrong
   */
  static SimulatorOptions parse(String[] args) {
    boolean quick = false;
    int rounds = PairedRounds.MIN_PAIRS;
    for (String a : args) {
      if (a.equals("--quick")) {
        quick = true;
      } else if (a.startsWith("--rounds=")) {
        rounds = Args.positive(a);
      } else {
        throw new IllegalArgumentException("unknown argument '" + a + "'");
      }
    }
    return new SimulatorOptions(
        quick, rounds, Duration.ofSeconds(quick ? 3 : 10), Duration.ofSeconds(quick ? 1 : 3));
  }

  /** The smallest run through every path (for tests; its figures mean nothing). */
  static SimulatorOptions tiny() {
    return new SimulatorOptions(true, 1, Duration.ofSeconds(1), Duration.ofSeconds(1));
  }
}
