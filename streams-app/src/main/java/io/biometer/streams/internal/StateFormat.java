package io.biometer.streams.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The rules every state store value follows, since a store outlives the build that wrote it: the
 * first byte is the value's format version; enums are written by name, never by ordinal; a value of
 * a version this build does not know is refused with a {@link StateFormatException} naming the
 * store, the version found and the versions known, never misread. So is a value of a known version
 * that cannot be read: truncated, with bytes after its last field, or with an enum name this build
 * does not know where the format has no fallback for it. Values written before formats were
 * versioned start with a byte no format uses (0 for binary values, an ASCII character for the old
 * strings), so they are refused too: such state must be reset. The processing-exception handler
 * fails the task on a {@link StateFormatException} rather than dead-lettering the record that met
 * it.
 *
 * <p>Also the two field encodings the formats share: a string is an int length (-1 for null) and
 * its UTF-8 bytes; numbers are big-endian.
 */
public final class StateFormat {

  private StateFormat() {}

  /**
   * The version of {@code stored}, one of {@code known}.
   *
   * @param store the store's name, for the error
   * @param what what the store holds, e.g. "a loss-ledger entry", for the error
   * @throws StateFormatException for an empty value or another version
   */
  public static int version(byte[] stored, String store, String what, int... known) {
    if (stored == null || stored.length == 0) {
      throw new StateFormatException(store, what, -1, known);
    }
    int found = stored[0] & 0xff;
    for (int k : known) {
      if (k == found) {
        return found;
      }
    }
    throw new StateFormatException(store, what, found, known);
  }

  /**
   * The error for a value of a known version that ends before its last field; {@code cause} is the
   * underflow that showed it.
   */
  public static StateFormatException truncated(
      byte[] stored, String store, String what, RuntimeException cause) {
    return new StateFormatException(
        store,
        what,
        stored[0] & 0xff,
        "it is truncated (" + stored.length + " bytes end before its last field)",
        cause);
  }

  /**
   * Checks that {@code in}, which read {@code stored}, is at its end.
   *
   * @throws StateFormatException if bytes follow the last field
   */
  public static void end(ByteBuffer in, byte[] stored, String store, String what) {
    if (in.hasRemaining()) {
      throw new StateFormatException(
          store,
          what,
          stored[0] & 0xff,
          "it has " + in.remaining() + " bytes after its end (" + stored.length + " bytes in all)",
          null);
    }
  }

  /**
   * The constant of {@code type} named {@code name}.
   *
   * @param field the field that holds the name, for the error
   * @throws StateFormatException for a name {@code type} does not have (or null)
   */
  public static <E extends Enum<E>> E byName(
      Class<E> type, String name, byte[] stored, String store, String what, String field) {
    if (name != null) {
      try {
        return Enum.valueOf(type, name);
      } catch (IllegalArgumentException unknown) {
        // refused below
      }
    }
    throw new StateFormatException(
        store,
        what,
        stored[0] & 0xff,
        "its "
            + field
            + " is "
            + (name == null ? "missing" : "'" + name + "'")
            + ", which this build does not know",
        null);
  }

  /** The bytes {@link #putString} writes for {@code s}. */
  public static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  /** The size {@link #putString} takes for the UTF-8 bytes {@code b} (null: none). */
  public static int size(byte[] b) {
    return Integer.BYTES + (b == null ? 0 : b.length);
  }

  /** Writes UTF-8 bytes from {@link #utf8} as a string: int length (-1: null), then the bytes. */
  public static ByteBuffer putString(ByteBuffer out, byte[] b) {
    if (b == null) {
      return out.putInt(-1);
    }
    return out.putInt(b.length).put(b);
  }

  /** Reads a string {@link #putString} wrote. */
  public static String getString(ByteBuffer in) {
    int n = in.getInt();
    if (n == -1) {
      return null;
    }
    if (n < -1 || n > in.remaining()) {
      throw new java.nio.BufferUnderflowException();
    }
    String s = new String(in.array(), in.arrayOffset() + in.position(), n, StandardCharsets.UTF_8);
    in.position(in.position() + n);
    return s;
  }

  /** The versions as people read them: "1" or "1, 2". */
  static String list(int... versions) {
    return String.join(
        ", ", Arrays.stream(versions).mapToObj(Integer::toString).toArray(String[]::new));
  }
}
