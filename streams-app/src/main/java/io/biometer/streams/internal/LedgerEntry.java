package io.biometer.streams.internal;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One device's loss-ledger figures for one day, as the completeness store keeps them. The stored
 * form is a contract between versions ({@link StateFormat}): a format byte, then fixed fields; enum
 * values are stored by name, never by ordinal. Format {@value #FORMAT}, big-endian, written with
 * the shared string encoding of the other stores:
 *
 * <pre>
 * byte     format (2)
 * string   owner id                 (string: int length, -1 for null, then UTF-8 bytes)
 * string   sensor type, by name
 * long     cadence ms (-1: unknown), first event, last event, first sequence, last sequence,
 *          received, copies, late, too late, dlq
 * byte     final row emitted (1) or not (0)
 * byte     pending: changed since last emitted (1) or not (0)
 * </pre>
 *
 * Format 1, which the builds before wrote, is still read (never written): the same fields, but each
 * string as a boolean (present or not) followed, if present, by its modified UTF-8 ({@code
 * DataOutput.writeUTF}). A value of another format, truncated, or with bytes after its end is a
 * {@link StateFormatException} naming the store, never misread. A sensor type name is kept as read:
 * the completeness step reads a name it does not know as UNKNOWN.
 */
public final class LedgerEntry {

  /** The format this version writes. */
  public static final byte FORMAT = 2;

  /** The format the builds before wrote, still read. */
  public static final byte FORMAT_1 = 1;

  private static final String WHAT = "a loss-ledger entry";

  public String ownerId;
  public String sensorType; // the SensorType's name
  public long cadence = -1; // -1: unknown
  public long firstEvent = -1;
  public long lastEvent = -1;
  public long firstSequence = -1;
  public long lastSequence = -1;
  public long received;
  public long copies;
  public long late;
  public long tooLate;
  public long dlq;
  public boolean finalEmitted;

  /** Changed since it was last emitted. */
  public boolean pending;

  /** Copies of the day's readings that dedup removed. */
  public long duplicates() {
    return Math.max(0, copies - received);
  }

  /** Sequence numbers missing between the first and the last received. */
  public long gaps() {
    return received == 0 ? 0 : Math.max(0, lastSequence - firstSequence + 1 - received);
  }

  /** Readings expected at the cadence between the first and the last reading of the day. */
  public long expected() {
    if (received == 0 || cadence <= 0) {
      return 0;
    }
    return (lastEvent - firstEvent) / cadence + 1;
  }

  // The encoded format byte, owner and sensor type: they rarely change, and every put needs them.
  private byte[] head;
  private String headOwner;
  private String headType;

  public byte[] encode() {
    if (head == null
        || !Objects.equals(headOwner, ownerId)
        || !Objects.equals(headType, sensorType)) {
      byte[] owner = StateFormat.utf8(ownerId);
      byte[] type = StateFormat.utf8(sensorType);
      ByteBuffer h =
          ByteBuffer.allocate(1 + StateFormat.size(owner) + StateFormat.size(type)).put(FORMAT);
      StateFormat.putString(h, owner);
      StateFormat.putString(h, type);
      head = h.array();
      headOwner = ownerId;
      headType = sensorType;
    }
    ByteBuffer b = ByteBuffer.allocate(head.length + 10 * Long.BYTES + 2);
    b.put(head)
        .putLong(cadence)
        .putLong(firstEvent)
        .putLong(lastEvent)
        .putLong(firstSequence)
        .putLong(lastSequence)
        .putLong(received)
        .putLong(copies)
        .putLong(late)
        .putLong(tooLate)
        .putLong(dlq)
        .put((byte) (finalEmitted ? 1 : 0))
        .put((byte) (pending ? 1 : 0));
    return b.array();
  }

  /**
   * Reads a stored entry of format {@value #FORMAT} or {@value #FORMAT_1}.
   *
   * @throws StateFormatException for a value of another format, truncated or with bytes after its
   *     end, naming the store
   */
  public static LedgerEntry decode(byte[] stored, String store) {
    if (StateFormat.version(stored, store, WHAT, FORMAT_1, FORMAT) == FORMAT_1) {
      return decodeFormat1(stored, store);
    }
    LedgerEntry e = new LedgerEntry();
    ByteBuffer in = ByteBuffer.wrap(stored, 1, stored.length - 1);
    try {
      e.ownerId = StateFormat.getString(in);
      e.sensorType = StateFormat.getString(in);
      e.readNumbers(in);
    } catch (BufferUnderflowException ex) {
      throw StateFormat.truncated(stored, store, WHAT, ex);
    }
    StateFormat.end(in, stored, store, WHAT);
    return e;
  }

  private void readNumbers(ByteBuffer in) {
    cadence = in.getLong();
    firstEvent = in.getLong();
    lastEvent = in.getLong();
    firstSequence = in.getLong();
    lastSequence = in.getLong();
    received = in.getLong();
    copies = in.getLong();
    late = in.getLong();
    tooLate = in.getLong();
    dlq = in.getLong();
    finalEmitted = in.get() != 0;
    pending = in.get() != 0;
  }

  private static LedgerEntry decodeFormat1(byte[] stored, String store) {
    LedgerEntry e = new LedgerEntry();
    ByteArrayInputStream bytes = new ByteArrayInputStream(stored, 1, stored.length - 1);
    try (DataInputStream in = new DataInputStream(bytes)) {
      e.ownerId = readNullable(in);
      e.sensorType = readNullable(in);
      int at = stored.length - bytes.available();
      ByteBuffer numbers = ByteBuffer.wrap(stored, at, stored.length - at);
      try {
        e.readNumbers(numbers);
      } catch (BufferUnderflowException ex) {
        throw StateFormat.truncated(stored, store, WHAT, ex);
      }
      StateFormat.end(numbers, stored, store, WHAT);
    } catch (EOFException ex) {
      throw new StateFormatException(
          store,
          WHAT,
          FORMAT_1,
          "it is truncated (" + stored.length + " bytes end before its last field)",
          ex);
    } catch (IOException ex) {
      throw new StateFormatException(
          store, WHAT, FORMAT_1, ex + " (" + stored.length + " bytes)", ex);
    }
    return e;
  }

  private static String readNullable(DataInputStream in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }
}
