package io.biometer.ingress.readings;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per device: {@code perSecond} readings a second on average, {@code burst} at once
 * (a meter's day in one upload fits in the burst). A device over its rate is refused, not queued:
 * it keeps the reading and sends it again later.
 */
public final class DeviceRateLimiter {

  private static final class Bucket {
    double tokens;
    long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }
  }

  private final double perNano;
  private final double burst;
  private final LongSupplier nanoClock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  public DeviceRateLimiter(double perSecond, int burst, LongSupplier nanoClock) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.nanoClock = nanoClock;
  }

  /** Takes one token of {@code deviceId}'s bucket; false if it is empty. */
  public boolean tryAcquire(String deviceId) {
    long now = nanoClock.getAsLong();
    Bucket b = buckets.computeIfAbsent(deviceId, k -> new Bucket(burst, now));
    synchronized (b) {
      b.tokens = Math.min(burst, b.tokens + (now - b.at) * perNano);
      b.at = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return true;
      }
      return false;
    }
  }
}
