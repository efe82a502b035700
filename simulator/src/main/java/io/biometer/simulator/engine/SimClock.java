package io.biometer.simulator.engine;

/**
 * Simulated time: {@code start} plus the wall time since creation times {@code speed} (1 for a live
 * demo, 1440 for a day per minute).
 */
public final class SimClock {

  private final long start;
  private final double speed;
  private final long wallStartNanos;

  public SimClock(long start, double speed) {
    if (!(speed > 0)) {
      throw new IllegalArgumentException("speed must be > 0, got " + speed);
    }
    this.start = start;
    this.speed = speed;
    this.wallStartNanos = System.nanoTime();
  }

  /** Simulated epoch milliseconds now. */
  public long now() {
    return start + (long) ((System.nanoTime() - wallStartNanos) / 1e6 * speed);
  }

  /** Wall nanoseconds until simulated time {@code t}, 0 if it has passed. */
  public long wallNanosUntil(long t) {
    long sim = t - now();
    return sim <= 0 ? 0 : (long) (sim * 1e6 / speed);
  }

  public double speed() {
    return speed;
  }
}
