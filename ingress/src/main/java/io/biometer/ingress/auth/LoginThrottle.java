package io.biometer.ingress.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Limits failed logins: at most {@code maxFailures} per {@code windowMillis} for one auth id and
 * for one source address. Beyond that a login is refused before its secret is even checked, so that
 * guessing a password (or burning the gateway's CPU on PBKDF2) costs a window per few guesses.
 * Fixed windows. At most {@link #MAX_KEYS} ids and addresses are counted each: past that, expired
 * ones are dropped, and a newcomer to a full map is not counted.
 */
public final class LoginThrottle {

  private record Window(long start, int failures) {}

  private final int maxPerAuthId;
  private final int maxPerAddress;
  private final long windowMillis;
  private final LongSupplier clock;
  private final Map<String, Window> byAuthId = new ConcurrentHashMap<>();
  private final Map<String, Window> byAddress = new ConcurrentHashMap<>();

  public LoginThrottle(int maxPerAuthId, int maxPerAddress, long windowMillis, LongSupplier clock) {
    this.maxPerAuthId = maxPerAuthId;
    this.maxPerAddress = maxPerAddress;
    this.windowMillis = windowMillis;
    this.clock = clock;
  }

  /** True if a login of {@code authId} from {@code address} may be tried now. */
  public boolean allows(String authId, String address) {
    long now = clock.getAsLong();
    return below(byAuthId, authId, maxPerAuthId, now)
        && below(byAddress, address, maxPerAddress, now);
  }

  /** Counts a failed login; a null auth id or address counts for the other only. */
  public void failed(String authId, String address) {
    long now = clock.getAsLong();
    count(byAuthId, authId, now);
    count(byAddress, address, now);
  }

  private boolean below(Map<String, Window> m, String key, int max, long now) {
    if (key == null) {
      return true;
    }
    Window w = m.get(key);
    return w == null || now - w.start() >= windowMillis || w.failures() < max;
  }

  private void count(Map<String, Window> m, String key, long now) {
    if (key == null) {
      return;
    }
    if (m.size() >= MAX_KEYS && !m.containsKey(key)) {
      // Full (a flood of made-up ids or spoofed addresses): drop what has expired, at most once
      // a tenth of a window; if still full, the newcomer is not recorded, so memory stays bounded
      // and the ids and addresses already counted stay throttled.
      long last = lastSweep;
      if (now - last >= windowMillis / 10) {
        lastSweep = now;
        m.values().removeIf(w -> now - w.start() >= windowMillis);
      }
      if (m.size() >= MAX_KEYS) {
        return;
      }
    }
    m.compute(
        key,
        (k, w) ->
            w == null || now - w.start() >= windowMillis
                ? new Window(now, 1)
                : new Window(w.start(), w.failures() + 1));
  }

  /** Keys counted at most, per map. */
  static final int MAX_KEYS = 100_000;

  private volatile long lastSweep = Long.MIN_VALUE / 2;
}
