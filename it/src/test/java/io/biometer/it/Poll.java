package io.biometer.it;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/** Waiting for a condition with a deadline, for the ITs. */
final class Poll {

  private Poll() {}

  /** A probe of the system under test; an {@link IOException} means "not answering yet". */
  @FunctionalInterface
  interface Probe<T> {
    T get() throws Exception;
  }

  /**
   * Polls {@code condition} every 50 ms until it holds; fails with {@code what} at the deadline.
   */
  static void until(Duration deadline, String what, BooleanSupplier condition) {
    Instant end = Instant.now().plus(deadline);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("not within " + deadline + ": " + what);
      }
      park(Duration.ofMillis(50));
    }
  }

  /**
   * Polls {@code probe} every {@code interval} until {@code done} holds for its answer, and returns
   * that answer; at the deadline fails with {@code what} and the last answer (or the last {@link
   * IOException}, when the probe never answered).
   */
  static <T> T await(
      Duration deadline, Duration interval, String what, Probe<T> probe, Predicate<? super T> done)
      throws Exception {
    Last<T> last = poll(deadline, interval, probe, done);
    if (!last.held) {
      throw new AssertionError(
          "not within " + deadline + ": " + what + " (last: " + last.describe() + ")");
    }
    return last.value;
  }

  /**
   * Polls {@code probe} every {@code interval} until {@code done} holds for its answer or the
   * deadline passes, and returns the last answer either way (for a caller that reports what is
   * still missing one by one).
   */
  static <T> T latest(
      Duration deadline, Duration interval, Probe<T> probe, Predicate<? super T> done)
      throws Exception {
    Last<T> last = poll(deadline, interval, probe, done);
    if (last.error != null && !last.answered) {
      throw last.error;
    }
    return last.value;
  }

  private static <T> Last<T> poll(
      Duration deadline, Duration interval, Probe<T> probe, Predicate<? super T> done)
      throws Exception {
    Instant end = Instant.now().plus(deadline);
    Last<T> last = new Last<>();
    while (true) {
      try {
        last.value = probe.get();
        last.answered = true;
        if (done.test(last.value)) {
          last.held = true;
          return last;
        }
      } catch (IOException notYet) {
        last.error = notYet;
      }
      if (Instant.now().isAfter(end)) {
        return last;
      }
      park(interval);
    }
  }

  private static void park(Duration d) {
    LockSupport.parkNanos(d.toNanos());
  }

  private static final class Last<T> {
    T value;
    boolean answered;
    boolean held;
    IOException error;

    String describe() {
      return answered ? String.valueOf(value) : error == null ? "no answer" : error.toString();
    }
  }
}
