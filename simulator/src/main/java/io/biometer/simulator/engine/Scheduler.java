package io.biometer.simulator.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives a {@link Simulation} in real time: one thread per shard fires what the {@link SimClock}
 * says is due and parks until the next firing. A thread that falls behind (the producer cannot keep
 * up) simply fires as fast as it can; nothing is skipped.
 */
public final class Scheduler implements AutoCloseable {

  private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final Simulation sim;
  private final SimClock clock;
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running;
  private volatile Throwable failure;

  public Scheduler(Simulation sim, SimClock clock) {
    this.sim = sim;
    this.clock = clock;
  }

  /** Starts one thread per shard. */
  public synchronized void start() {
    running = true;
    for (int i = 0; i < sim.shardCount(); i++) {
      Shard shard = sim.shard(i);
      Thread t = new Thread(() -> loop(shard), "simulator-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  private void loop(Shard shard) {
    try {
      while (running) {
        long now = clock.now();
        int fired = shard.runDue(sim, now, 1024);
        if (fired == 0) {
          long wait = Math.min(MAX_PARK_NANOS, clock.wallNanosUntil(shard.nextDue()));
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
        }
      }
    } catch (RuntimeException | Error e) {
      failure = e;
      running = false;
    }
  }

  /** The error that stopped a scheduler thread, or null. */
  public Throwable failure() {
    return failure;
  }

  /** True while the threads run. */
  public boolean running() {
    return running;
  }

  /** Stops the threads and waits for them. */
  @Override
  public synchronized void close() {
    running = false;
    for (Thread t : threads) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    threads.clear();
  }
}
