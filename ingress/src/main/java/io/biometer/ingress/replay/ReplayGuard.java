package io.biometer.ingress.replay;

import io.biometer.ingress.Refusal;
import io.biometer.ingress.Refused;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replay windows of every (principal, device). {@link #reserve} marks a sequence accepted
 * before its record is sent, so two copies in flight at once cannot both pass; {@link #release}
 * undoes that when Kafka did not take the record. {@link #snapshot} is what the gateway writes to
 * telemetry.ingress.replay with the reading, and {@link #restore} takes such records back at start
 * (and from other gateway instances while running).
 */
public final class ReplayGuard {

  private final Map<String, ReplayWindow> windows = new ConcurrentHashMap<>();

  /** The key of a window: {@code <principal device>|<device>}. */
  public static String key(String principalDevice, String deviceId) {
    return principalDevice + "|" + deviceId;
  }

  /**
   * Marks {@code sequence} of the window {@code key} accepted.
   *
   * @throws Refused REPLAY if it was accepted before, SEQUENCE_BEHIND if it is below the window
   */
  public void reserve(String key, String deviceId, long sequence) {
    ReplayWindow w = windows.computeIfAbsent(key, k -> new ReplayWindow());
    synchronized (w) {
      switch (w.check(sequence)) {
        case NEW -> w.accept(sequence);
        case REPLAY ->
            throw new Refused(
                Refusal.REPLAY,
                "sequence " + sequence + " of " + deviceId + " was accepted before (a replay)");
        case BEHIND ->
            throw new Refused(
                Refusal.SEQUENCE_BEHIND,
                "sequence "
                    + sequence
                    + " of "
                    + deviceId
                    + " is more than "
                    + ReplayWindow.SIZE
                    + " below the highest accepted ("
                    + w.highest()
                    + "). If the device restarted its counter, reset its window: ./biometer"
                    + " devices reset "
                    + deviceId);
      }
    }
  }

  /** Forgets a reserved sequence whose record did not reach Kafka. */
  public void release(String key, long sequence) {
    ReplayWindow w = windows.get(key);
    if (w != null) {
      synchronized (w) {
        w.release(sequence);
      }
    }
  }

  /** The stored form of the window {@code key} now. */
  public byte[] snapshot(String key) {
    ReplayWindow w = windows.get(key);
    if (w == null) {
      return new ReplayWindow().encode();
    }
    synchronized (w) {
      return w.encode();
    }
  }

  /** Applies a stored window; null (a reset) forgets the window. */
  public void restore(String key, byte[] stored) {
    if (stored == null) {
      windows.remove(key);
      return;
    }
    ReplayWindow incoming = ReplayWindow.decode(stored);
    ReplayWindow w = windows.computeIfAbsent(key, k -> new ReplayWindow());
    synchronized (w) {
      w.merge(incoming);
    }
  }

  public int size() {
    return windows.size();
  }
}
