package io.biometer.ingress.replay;

import io.biometer.ingress.Refusal;
import io.biometer.ingress.Refused;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replay windows of every (principal, device), and the sequences on their way to Kafka.
 *
 * <ul>
 *   <li>{@link #reserve} marks a sequence pending before its record is sent, so two copies in
 *       flight at once cannot both be written; a copy of a pending sequence is refused as {@code
 *       unavailable} (retry: it will then be answered as accepted, or as a replay).
 *   <li>{@link #commit} moves it into the window once Kafka has the record; {@link #release}
 *       forgets it when Kafka did not take it, so the device's re-send is accepted.
 *   <li>Only committed sequences are in the window, in {@link #snapshot} (what the gateway writes
 *       to telemetry.ingress.replay after the reading) and in its checks: a pending or released
 *       sequence never moves the window, so readings refused for their rate, or lost to a Kafka
 *       outage, can be sent again.
 *   <li>{@link #restore} takes stored windows back at start.
 * </ul>
 */
public final class ReplayGuard {

  private static final class Entry {
    final ReplayWindow committed = new ReplayWindow();
    final java.util.Set<Long> pending = new java.util.HashSet<>();
  }

  private final Map<String, Entry> windows = new ConcurrentHashMap<>();

  /** The key of a window: {@code <principal device>|<device>}. */
  public static String key(String principalDevice, String deviceId) {
    return principalDevice + "|" + deviceId;
  }

  /**
   * Marks {@code sequence} of the window {@code key} pending.
   *
   * @throws Refused REPLAY if it was accepted before, SEQUENCE_BEHIND if it is below the window,
   *     UNAVAILABLE if a copy of it is on its way to Kafka now
   */
  public void reserve(String key, String deviceId, long sequence) {
    Entry e = windows.computeIfAbsent(key, k -> new Entry());
    synchronized (e) {
      switch (e.committed.check(sequence)) {
        case NEW -> {
          if (!e.pending.add(sequence)) {
            throw new Refused(
                Refusal.UNAVAILABLE,
                "sequence "
                    + sequence
                    + " of "
                    + deviceId
                    + " is being written to Kafka from an earlier send; send it again shortly:"
                    + " it will be answered as accepted or as a replay");
          }
        }
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
                    + e.committed.highest()
                    + "). If the device restarted its counter, reset its window: ./biometer"
                    + " devices reset "
                    + deviceId);
      }
    }
  }

  /** Kafka has the record of a reserved sequence: it joins the window. */
  public void commit(String key, long sequence) {
    Entry e = windows.get(key);
    if (e != null) {
      synchronized (e) {
        e.pending.remove(sequence);
        if (e.committed.check(sequence) == ReplayWindow.Verdict.NEW) {
          e.committed.accept(sequence);
        }
      }
    }
  }

  /** Forgets a reserved sequence whose record did not reach Kafka. */
  public void release(String key, long sequence) {
    Entry e = windows.get(key);
    if (e != null) {
      synchronized (e) {
        e.pending.remove(sequence);
      }
    }
  }

  /** The stored form of the window {@code key} now: its committed sequences only. */
  public byte[] snapshot(String key) {
    Entry e = windows.get(key);
    if (e == null) {
      return new ReplayWindow().encode();
    }
    synchronized (e) {
      return e.committed.encode();
    }
  }

  /** Applies a stored window; null (a reset) forgets the window. */
  public void restore(String key, byte[] stored) {
    if (stored == null) {
      windows.remove(key);
      return;
    }
    ReplayWindow incoming = ReplayWindow.decode(stored);
    Entry e = windows.computeIfAbsent(key, k -> new Entry());
    synchronized (e) {
      e.committed.merge(incoming);
    }
  }

  public int size() {
    return windows.size();
  }
}
