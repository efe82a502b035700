package io.biometer.simulator.model;

/**
 * A tiny deterministic random generator (SplitMix64) whose whole state is one {@code long}, so a
 * virtual sensor can carry its own stream in 8 bytes and a run is repeatable from its seed whatever
 * order the scheduler's threads visit the sensors in.
 */
public final class Rng {

  private Rng() {}

  /** The state for stream {@code stream} of a run seeded with {@code seed}. */
  public static long seed(long seed, long stream) {
    return mix(seed ^ mix(stream + 0x9E3779B97F4A7C15L));
  }

  /** The next state after {@code state}. */
  public static long next(long state) {
    return state + 0x9E3779B97F4A7C15L;
  }

  /** A uniform double in [0, 1) drawn from {@code state} (advance the state with {@link #next}). */
  public static double uniform(long state) {
    return (mix(state) >>> 11) * 0x1.0p-53;
  }

  /** A standard normal value drawn from {@code state} and the state after it (Box-Muller). */
  public static double gaussian(long state) {
    double u1 = Math.max(uniform(state), 1e-300);
    double u2 = uniform(next(state));
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
