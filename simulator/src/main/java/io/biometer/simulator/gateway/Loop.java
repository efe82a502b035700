package io.biometer.simulator.gateway;

/**
 * Where one simulated device's work runs: one task at a time, in the order given, never inside the
 * caller (a Vert.x event-loop context in a run; a queue with a hand-turned clock in tests). A
 * device's state is touched only from its loop, so it needs no locks.
 */
public interface Loop {

  /** Runs {@code task} later on this loop, after the tasks given before it. */
  void execute(Runnable task);

  /** Runs {@code task} on this loop once {@code delayMillis} have passed. */
  void schedule(long delayMillis, Runnable task);

  /** The wall clock, epoch milliseconds: what a device writes as {@code sentAt}. */
  long wallMillis();
}
