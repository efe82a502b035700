package io.biometer.simulator.gateway;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** A {@link Loop} on a Vert.x context: an event loop shared with other devices, no own thread. */
final class VertxLoop implements Loop {

  private final Context context;

  VertxLoop(Context context) {
    this.context = context;
  }

  @Override
  public void execute(Runnable task) {
    context.runOnContext(v -> task.run());
  }

  @Override
  public void schedule(long delayMillis, Runnable task) {
    // A timer set from the context fires on it.
    if (Vertx.currentContext() == context) {
      context.owner().setTimer(Math.max(1, delayMillis), id -> task.run());
    } else {
      context.runOnContext(
          v -> context.owner().setTimer(Math.max(1, delayMillis), id -> task.run()));
    }
  }

  @Override
  public long wallMillis() {
    return System.currentTimeMillis();
  }
}
