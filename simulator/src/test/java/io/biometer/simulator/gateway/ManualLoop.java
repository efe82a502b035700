package io.biometer.simulator.gateway;

import java.util.ArrayDeque;
import java.util.PriorityQueue;

/**
 * A {@link Loop} turned by hand: tasks run in {@link #run}, timers when {@link #advance} passes.
 */
final class ManualLoop implements Loop {

  private record Timer(long due, long order, Runnable task) {}

  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private final PriorityQueue<Timer> timers =
      new PriorityQueue<>(
          (a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.order, b.order));
  private long now = 1_800_000_000_000L;
  private long order;

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
  }

  @Override
  public void schedule(long delayMillis, Runnable task) {
    timers.add(new Timer(now + Math.max(1, delayMillis), order++, task));
  }

  @Override
  public long wallMillis() {
    return now;
  }

  /** Runs every task queued, and those they queue. */
  void run() {
    for (Runnable t; (t = tasks.poll()) != null; ) {
      t.run();
    }
  }

  /** Moves the clock by {@code millis}, running each timer as its time comes, and the tasks. */
  void advance(long millis) {
    long end = now + millis;
    run();
    while (!timers.isEmpty() && timers.peek().due() <= end) {
      Timer t = timers.poll();
      now = Math.max(now, t.due());
      t.task().run();
      run();
    }
    now = end;
    run();
  }
}
