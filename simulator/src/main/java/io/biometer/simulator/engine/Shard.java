package io.biometer.simulator.engine;

import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * The actors one scheduler thread owns, ordered by due time. A patient's sensors and sinks are
 * always in one shard, so a shard needs no locks.
 */
final class Shard {

  private static final Comparator<Actor> BY_DUE =
      Comparator.<Actor>comparingLong(a -> a.due).thenComparingInt(a -> a.order);

  private final PriorityQueue<Actor> queue = new PriorityQueue<>(BY_DUE);

  void add(Actor a) {
    queue.add(a);
  }

  int size() {
    return queue.size();
  }

  /** Simulated time of the next firing, or {@link Long#MAX_VALUE} if empty. */
  long nextDue() {
    Actor a = queue.peek();
    return a == null ? Long.MAX_VALUE : a.due;
  }

  /**
   * Fires every actor due at or before {@code now}, each as often as it is due, in due order;
   * returns the number of firings. Stops early after {@code max} firings so the caller can look at
   * the clock and the stop flag.
   */
  int runDue(Simulation sim, long now, int max) {
    int fired = 0;
    while (fired < max) {
      Actor a = queue.peek();
      if (a == null || a.due > now) {
        break;
      }
      queue.poll();
      a.fire(sim);
      queue.add(a);
      fired++;
    }
    return fired;
  }
}
