package io.biometer.bench;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/** A load paced at 10,000 records a second, for the latency runs and their baselines. */
final class Paced {

  private Paced() {}

  /**
   * Calls {@code send} with record numbers 0, 1, 2, ... at 10,000 a second (in ticks of 100) for
   * {@code warmUp} and then {@code run}; {@code measuring} runs once, when the warm-up ends. The
   * same load first warms up the JIT, the caches and the connections: the first seconds through a
   * fresh app measure its start, not its steady state.
   */
  static void run(Duration warmUp, Duration run, Runnable measuring, LongConsumer send) {
    long start = System.nanoTime();
    long sent = 0;
    boolean measured = false;
    while (System.nanoTime() - start < warmUp.toNanos() + run.toNanos()) {
      if (!measured && System.nanoTime() - start >= warmUp.toNanos()) {
        measured = true;
        measuring.run();
      }
      for (int i = 0; i < 100; i++, sent++) {
        send.accept(sent);
      }
      long wait = start + sent * 100_000L - System.nanoTime(); // 10,000 per second
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
    }
  }
}
