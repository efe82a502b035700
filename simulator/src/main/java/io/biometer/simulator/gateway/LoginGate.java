package io.biometer.simulator.gateway;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Lets the simulated devices log in a few at a time, and only one at a time while the gateway
 * refuses logins.
 *
 * <p>Why: every device of a run connects from one address, and the gateway refuses every login from
 * an address after {@code login.failures.per.address} failures a minute. Right after the simulator
 * wrote its credentials the gateway may not have read them yet, so the first logins fail; if a
 * thousand devices tried at once, the address would be throttled for a minute. So after a refused
 * login only one device at a time tries (a different one each time, since a refused device queues
 * again at the back), with a backoff that doubles up to {@link #MAX_BACKOFF_MILLIS}; the first
 * login that succeeds opens the gate to {@code permits} at once again. Each login also costs the
 * gateway a PBKDF2 check, which {@code permits} bounds as well.
 */
final class LoginGate {

  static final long MIN_BACKOFF_MILLIS = 250;
  static final long MAX_BACKOFF_MILLIS = 5_000;

  /** How a login that held a permit ended. */
  enum Outcome {
    /** The gateway accepted the credential. */
    LOGGED_IN,
    /** The gateway refused the credential. */
    REFUSED,
    /** The gateway could not be reached: says nothing of the credential. */
    FAILED,
    /** Connected, but the credential is only proven by a later answer (HTTP). */
    UNPROVEN
  }

  private final int permits;
  private final Loop timers;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int inProgress;
  private boolean probing;
  private long backoff;
  private long notBefore;
  private boolean timerSet;

  LoginGate(int permits, Loop timers) {
    this.permits = permits;
    this.timers = timers;
  }

  /** Queues a login; {@code granted} runs (in the caller's thread or a timer's) when it may go. */
  void acquire(Runnable granted) {
    synchronized (this) {
      waiting.add(granted);
    }
    dispatch();
  }

  /** Ends a login that {@link #acquire} granted. */
  void release(Outcome outcome) {
    synchronized (this) {
      inProgress--;
      apply(outcome);
    }
    dispatch();
  }

  /** A credential refused after its login's permit was released (HTTP's first answer). */
  void refusedLater() {
    synchronized (this) {
      apply(Outcome.REFUSED);
    }
    dispatch();
  }

  /** A credential proven after its login's permit was released. */
  void provenLater() {
    synchronized (this) {
      apply(Outcome.LOGGED_IN);
    }
    dispatch();
  }

  /** True while logins go one at a time because the last one was refused. */
  synchronized boolean probing() {
    return probing;
  }

  private void apply(Outcome outcome) {
    if (outcome == Outcome.REFUSED) {
      probing = true;
      backoff = backoff == 0 ? MIN_BACKOFF_MILLIS : Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
      long jittered = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
      notBefore = timers.wallMillis() + jittered;
    } else if (outcome == Outcome.LOGGED_IN) {
      probing = false;
      backoff = 0;
      notBefore = 0;
    }
  }

  private void dispatch() {
    List<Runnable> go = new ArrayList<>();
    long wait = 0;
    synchronized (this) {
      while (!waiting.isEmpty() && inProgress < (probing ? 1 : permits)) {
        long now = timers.wallMillis();
        if (now < notBefore) {
          if (!timerSet) {
            timerSet = true;
            wait = notBefore - now;
          }
          break;
        }
        inProgress++;
        go.add(waiting.poll());
      }
    }
    if (wait > 0) {
      timers.schedule(
          wait,
          () -> {
            synchronized (this) {
              timerSet = false;
            }
            dispatch();
          });
    }
    go.forEach(Runnable::run);
  }
}
