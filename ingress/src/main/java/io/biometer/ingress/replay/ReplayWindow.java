package io.biometer.ingress.replay;

import java.nio.ByteBuffer;

/**
 * The sequences one principal has delivered for one device, as DTLS and OSCORE keep them: the
 * highest sequence accepted and a 64-bit map of the 64 just below it (bit {@code i} set: {@code
 * highest - i} was accepted; bit 0 is the highest itself). A sequence above the highest is new; one
 * inside the map is new if its bit is clear; one below the map is refused as behind (a device that
 * restarted its counter, or very old data). Not thread-safe: {@link ReplayGuard} locks it.
 */
public final class ReplayWindow {

  /** How many sequences below the highest the map remembers. */
  public static final int SIZE = 64;

  /** Version byte of the stored form. */
  static final byte FORMAT = 1;

  /** What {@link #check} found. */
  public enum Verdict {
    NEW,
    REPLAY,
    BEHIND
  }

  private long highest;
  private long bits;

  /** An empty window: every sequence from 0 up is new. */
  public ReplayWindow() {
    this(-1, 0);
  }

  private ReplayWindow(long highest, long bits) {
    this.highest = highest;
    this.bits = bits;
  }

  public Verdict check(long sequence) {
    if (sequence > highest) {
      return Verdict.NEW;
    }
    long back = highest - sequence;
    if (back >= SIZE) {
      return Verdict.BEHIND;
    }
    return (bits & (1L << back)) != 0 ? Verdict.REPLAY : Verdict.NEW;
  }

  /** Marks {@code sequence} accepted; call only after {@link #check} said NEW. */
  public void accept(long sequence) {
    if (sequence > highest) {
      long shift = sequence - highest;
      bits = shift >= SIZE ? 0 : bits << shift;
      bits |= 1;
      highest = sequence;
    } else {
      bits |= 1L << (highest - sequence);
    }
  }

  /**
   * Forgets {@code sequence} again (its record did not reach Kafka), so that the device's re-send
   * is not refused. The highest stays where it is.
   */
  public void release(long sequence) {
    long back = highest - sequence;
    if (back >= 0 && back < SIZE) {
      bits &= ~(1L << back);
    }
  }

  /** Takes in what another copy of this window (another gateway's, or a stored one) accepted. */
  public void merge(ReplayWindow other) {
    if (other.highest > highest) {
      long shift = other.highest - highest;
      bits = shift >= SIZE ? 0 : bits << shift;
      highest = other.highest;
      bits |= other.bits;
    } else {
      long shift = highest - other.highest;
      if (shift < SIZE) {
        bits |= other.bits << shift;
      }
    }
  }

  public long highest() {
    return highest;
  }

  /** The stored form: version 1, the highest, the map; 17 bytes. */
  public byte[] encode() {
    return ByteBuffer.allocate(17).put(FORMAT).putLong(highest).putLong(bits).array();
  }

  /**
   * Reads the stored form.
   *
   * @throws IllegalArgumentException if {@code bytes} is not version 1 of 17 bytes
   */
  public static ReplayWindow decode(byte[] bytes) {
    if (bytes == null || bytes.length != 17 || bytes[0] != FORMAT) {
      throw new IllegalArgumentException(
          "a replay window is 17 bytes of format "
              + FORMAT
              + ", got "
              + (bytes == null ? "null" : bytes.length + " bytes of format " + bytes[0]));
    }
    ByteBuffer b = ByteBuffer.wrap(bytes, 1, 16);
    return new ReplayWindow(b.getLong(), b.getLong());
  }

  @Override
  public String toString() {
    return "highest " + highest + ", map " + Long.toBinaryString(bits);
  }
}
