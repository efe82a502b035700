package io.biometer.it;

import io.biometer.devstack.*;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waiting for a condition with a deadline, for the ITs. */
final class Poll {

  private Poll() {}

  /**
   * Polls {@code condition} every 50 ms until it holds; fails with {@code what} at the deadline.
   */
  static void until(Duration deadline, String what, BooleanSupplier condition) {
    Instant end = Instant.now().plus(deadline);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("not within " + deadline + ": " + what);
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
  }
}
