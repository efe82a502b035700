package io.biometer.ingress.replay;

import java.nio.ByteBuffer;

/**
 * The sequences one principal has delivered for one device, as DTLS and OSCORE keep them: the
 * highest sequence accepted and a map of the {@link #SIZE} sequences up to it. A sequence above the
 * highest is new; one inside the map is new if its bit is clear; one below the map is refused as
 * behind (a device that restarted its counter, or very old data). {@link #SIZE} is 256, so a soil
 * meter's day of 96 samples at the default 15 minutes fits in one window, and one batch. Not
 * thread-safe: {@link ReplayGuard} locks it.
 */
public final class ReplayWindow {

  /** How many sequences, up to and including the highest, the map remembers. */
  public static final int SIZE = 256;

  private static final int WORDS = SIZE / 64;

  /** Version byte of the stored form. */
  static final byte FORMAT = 1;

  /** Bytes of the stored form: the version, the highest, the map. */
  static final int STORED_BYTES = 1 + 8 + SIZE / 8;

  /** What {@link #check} found. */
  public enum Verdict {
    NEW,
    REPLAY,
    BEHIND
  }

  private long highest;

  /** Bit {@code s mod SIZE} is set if sequence {@code s} of the window was accepted. */
  private final long[] ring = new long[WORDS];

  /** An empty window: every sequence from 0 up is new. */
  public ReplayWindow() {
    this.highest = -1;
  }

  private boolean bit(long s) {
    int i = (int) Math.floorMod(s, (long) SIZE);
    return (ring[i >>> 6] & (1L << (i & 63))) != 0;
  }

  private void set(long s, boolean on) {
    int i = (int) Math.floorMod(s, (long) SIZE);
    if (on) {
      ring[i >>> 6] |= 1L << (i & 63);
    } else {
      ring[i >>> 6] &= ~(1L << (i & 63));
    }
  }

  /** True if {@code s} is inside the window and was accepted. */
  private boolean has(long s) {
    return s <= highest && highest - s < SIZE && s >= 0 && bit(s);
  }

  public Verdict check(long sequence) {
    if (sequence > highest) {
      return Verdict.NEW;
    }
    if (highest - sequence >= SIZE) {
      return Verdict.BEHIND;
    }
    return bit(sequence) ? Verdict.REPLAY : Verdict.NEW;
  }

  /** Marks {@code sequence} accepted; call only after {@link #check} said NEW. */
  public void accept(long sequence) {
    if (sequence > highest) {
      moveTo(sequence);
    }
    set(sequence, true);
  }

  /** Moves the highest up to {@code top}, forgetting what falls out of the window. */
  private void moveTo(long top) {
    // top >= 0 (sequences are never negative), so top - SIZE cannot overflow; top - highest
    // could (highest is -1 in an empty window), and the loop below would never end.
    if (highest < 0 || top - SIZE >= highest) {
      java.util.Arrays.fill(ring, 0);
    } else {
      for (long s = highest + 1; s <= top; s++) {
        set(s, false);
      }
    }
    highest = top;
  }

  /**
   * Forgets {@code sequence} again (its record did not reach Kafka), so that the device's re-send
   * is not refused. The highest stays where it is.
   */
  public void release(long sequence) {
    if (sequence <= highest && highest - sequence < SIZE) {
      set(sequence, false);
    }
  }

  /** Takes in what another copy of this window (another gateway's, or a stored one) accepted. */
  public void merge(ReplayWindow other) {
    long top = Math.max(highest, other.highest);
    boolean[] accepted = new boolean[SIZE];
    for (int i = 0; i < SIZE; i++) {
      long s = top - i;
      accepted[i] = has(s) || other.has(s);
    }
    highest = top;
    java.util.Arrays.fill(ring, 0);
    for (int i = 0; i < SIZE; i++) {
      if (accepted[i]) {
        set(top - i, true);
      }
    }
  }

  public long highest() {
    return highest;
  }

  /**
   * The stored form, {@value #STORED_BYTES} bytes: version 1, the highest, then the map with bit
   * {@code i} (of byte {@code i / 8}, from its lowest bit) set if {@code highest - i} was accepted.
   */
  public byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(STORED_BYTES).put(FORMAT).putLong(highest);
    byte[] map = new byte[SIZE / 8];
    for (int i = 0; i < SIZE; i++) {
      if (has(highest - i)) {
        map[i >>> 3] |= (byte) (1 << (i & 7));
      }
    }
    return b.put(map).array();
  }

  /**
   * Reads the stored form.
   *
   * @throws IllegalArgumentException if {@code bytes} is not version 1 of {@value #STORED_BYTES}
   *     bytes
   */
  public static ReplayWindow decode(byte[] bytes) {
    if (bytes == null || bytes.length != STORED_BYTES || bytes[0] != FORMAT) {
      throw new IllegalArgumentException(
          "a replay window is "
              + STORED_BYTES
              + " bytes of format "
              + FORMAT
              + ", got "
              + (bytes == null
                  ? "null"
                  : bytes.length + " bytes of format " + (bytes.length > 0 ? bytes[0] : "none")));
    }
    ByteBuffer b = ByteBuffer.wrap(bytes, 1, STORED_BYTES - 1);
    ReplayWindow w = new ReplayWindow();
    w.highest = b.getLong();
    for (int i = 0; i < SIZE; i++) {
      if ((bytes[9 + (i >>> 3)] & (1 << (i & 7))) != 0 && w.highest - i >= 0) {
        w.set(w.highest - i, true);
      }
    }
    return w;
  }

  @Override
  public String toString() {
    return "highest " + highest;
  }
}
