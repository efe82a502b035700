package io.biometer.ingress.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Limits failed logins: at most {@code maxFailures} per {@code windowMillis} for one auth id and
 * for one source address. Beyond that a login is refused before its secret is even checked, so that
 * guessing a password (or burning the gateway's CPU on PBKDF2) costs a window per few guesses.
 * Fixed windows; entries of past windows are dropped as new ones come, so memory stays bounded by
 * the addresses and ids that failed recently.
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

  /** Counts a failed login. */
  public void failed(String authId, String address) {
    long now = clock.getAsLong();
    count(byAuthId, authId, now);
    count(byAddress, address, now);
    if ((byAuthId.size() + byAddress.size()) > 100_000) {
      byAuthId.values().removeIf(w -> now - w.start() >= windowMillis);
      byAddress.values().removeIf(w -> now - w.start() >= windowMillis);
    }
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
    m.compute(
        key,
        (k, w) ->
            w == null || now - w.start() >= windowMillis
                ? new Window(now, 1)
                : new Window(w.start(), w.failures() + 1));
  }
}
