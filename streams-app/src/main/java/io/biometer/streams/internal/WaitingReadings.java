package io.biometer.streams.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The stored form of a reading that waits for its device to be registered: a contract like the Avro
 * schemas, since a store outlives the build that wrote it ({@link StateFormat}). Keys are the
 * reading's arrival number in its task, 8 bytes big-endian, so the store iterates in arrival order.
 * Values, version {@value #VERSION}:
 *
 * <pre>
 * byte    version (1)
 * string  device id                 (string: int length, then UTF-8 bytes)
 * long    arrived at, wall-clock ms
 * string  source topic
 * int     source partition
 * long    source offset
 * long    record timestamp (event time)
 * bytes   original key              (bytes: int length, -1 for null, then the bytes)
 * bytes   original value
 * int     header count, then per header: string key, bytes value
 * </pre>
 *
 * All numbers are big-endian. A value of another version, a truncated value or bytes after its end
 * are a {@link StateFormatException} naming the store, never a guess.
 */
public final class WaitingReadings {

  /** The format version this build writes and reads. */
  public static final byte VERSION = 1;

  private static final String WHAT = "a reading waiting for its device";

  /**
   * A reading that waits.
   *
   * @param deviceId the device it waits for
   * @param arrivedAt when it arrived, wall-clock milliseconds
   * @param source the record as it arrived
   */
  public record Entry(String deviceId, long arrivedAt, SourceRecord source) {}

  private WaitingReadings() {}

  /** The store key of the reading that arrived {@code n}th in its task. */
  public static byte[] key(long n) {
    return ByteBuffer.allocate(Long.BYTES).putLong(n).array();
  }

  /** The arrival number of a store key. */
  public static long arrival(byte[] key) {
    return ByteBuffer.wrap(key).getLong();
  }

  public static byte[] encode(Entry e) {
    SourceRecord s = e.source();
    ByteArrayOutputStream buf =
        new ByteArrayOutputStream(64 + (s.value() == null ? 0 : s.value().length));
    try (DataOutputStream out = new DataOutputStream(buf)) {
      out.writeByte(VERSION);
      string(out, e.deviceId());
      out.writeLong(e.arrivedAt());
      string(out, s.topic());
      out.writeInt(s.partition());
      out.writeLong(s.offset());
      out.writeLong(s.timestamp());
      bytes(out, s.key());
      bytes(out, s.value());
      Header[] headers = s.headers() == null ? new Header[0] : s.headers().toArray();
      out.writeInt(headers.length);
      for (Header h : headers) {
        string(out, h.key());
        bytes(out, h.value());
      }
    } catch (IOException impossible) {
      throw new UncheckedIOException(impossible);
    }
    return buf.toByteArray();
  }

  /**
   * Reads a stored entry.
   *
   * @param store the store's name, for errors
   * @throws StateFormatException for another version, a truncated value or bytes after its end,
   *     naming the store
   */
  public static Entry decode(byte[] stored, String store) {
    StateFormat.version(stored, store, WHAT, VERSION);
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(stored))) {
      in.readByte(); // the version, checked above
      String deviceId = string(in);
      long arrivedAt = in.readLong();
      String topic = string(in);
      int partition = in.readInt();
      long offset = in.readLong();
      long timestamp = in.readLong();
      byte[] key = bytes(in);
      byte[] value = bytes(in);
      int count = in.readInt();
      Headers headers = new RecordHeaders();
      for (int i = 0; i < count; i++) {
        headers.add(string(in), bytes(in));
      }
      if (in.available() > 0) {
        throw new StateFormatException(
            store,
            WHAT,
            VERSION,
            "it has "
                + in.available()
                + " bytes after its end ("
                + stored.length
                + " bytes in all)",
            null);
      }
      return new Entry(
          deviceId,
          arrivedAt,
          new SourceRecord(topic, partition, offset, timestamp, key, value, headers));
    } catch (EOFException e) {
      throw new StateFormatException(
          store,
          WHAT,
          VERSION,
          "it is truncated (" + stored.length + " bytes end before its last field)",
          e);
    } catch (IOException e) {
      throw new StateFormatException(
          store, WHAT, VERSION, e.getMessage() + " (" + stored.length + " bytes)", e);
    }
  }

  private static void string(DataOutputStream out, String s) throws IOException {
    bytes(out, s.getBytes(StandardCharsets.UTF_8));
  }

  private static void bytes(DataOutputStream out, byte[] b) throws IOException {
    if (b == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(b.length);
      out.write(b);
    }
  }

  private static String string(DataInputStream in) throws IOException {
    byte[] b = bytes(in);
    if (b == null) {
      throw new IOException("a string that cannot be null is null");
    }
    return new String(b, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < -1) {
      throw new IOException("a negative length " + n);
    }
    if (n == -1) {
      return null;
    }
    if (n > in.available()) {
      throw new EOFException("length " + n + " runs past the end");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }
}
