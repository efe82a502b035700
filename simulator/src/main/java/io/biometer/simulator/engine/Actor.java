package io.biometer.simulator.engine;

/** Something the scheduler fires when the simulated clock reaches {@link #due}. */
abstract class Actor {

  /** Simulated time of the next firing. */
  long due;

  /** Stable tie-breaker, so actors due at the same time fire in the same order every run. */
  final int order;

  Actor(int order, long due) {
    this.order = order;
    this.due = due;
  }

  /** Does what is due at {@link #due} and moves {@link #due} forward. */
  abstract void fire(Simulation sim);
}
