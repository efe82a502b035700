package io.biometer.streams.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One device's loss-ledger figures for one day, as the completeness store keeps them. The stored
 * form is a contract between versions ({@link StateFormat}): a format byte, then fixed fields; enum
 * values are stored by name, never by ordinal. A stored value of another format is refused with an
 * error naming it, never misread. Format {@value #FORMAT}, big-endian:
 *
 * <pre>
 * byte     format (1)
 * boolean  owner id present, then its modified UTF-8 (DataOutput.writeUTF) if so
 * boolean  sensor type present, then its name as modified UTF-8 if so
 * long     cadence ms (-1: unknown), first event, last event, first sequence, last sequence,
 *          received, copies, late, too late, dlq
 * byte     final row emitted (1) or not (0)
 * byte     pending: changed since last emitted (1) or not (0)
 * </pre>
 */
public final class LedgerEntry {

  /** The format this version writes and reads. */
  public static final byte FORMAT = 1;

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
        || !java.util.Objects.equals(headOwner, ownerId)
        || !java.util.Objects.equals(headType, sensorType)) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(48);
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeByte(FORMAT);
        writeNullable(out, ownerId);
        writeNullable(out, sensorType);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      head = bytes.toByteArray();
      headOwner = ownerId;
      headType = sensorType;
    }
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(head.length + 10 * Long.BYTES + 2);
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
   * Reads a stored entry.
   *
   * @throws StateFormatException for a value of another format, naming it and the store
   */
  public static LedgerEntry decode(byte[] stored, String store) {
    StateFormat.version(stored, store, "a loss-ledger entry", FORMAT);
    LedgerEntry e = new LedgerEntry();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored, 1, 1 << 20))) {
      e.ownerId = readNullable(in);
      e.sensorType = readNullable(in);
      e.cadence = in.readLong();
      e.firstEvent = in.readLong();
      e.lastEvent = in.readLong();
      e.firstSequence = in.readLong();
      e.lastSequence = in.readLong();
      e.received = in.readLong();
      e.copies = in.readLong();
      e.late = in.readLong();
      e.tooLate = in.readLong();
      e.dlq = in.readLong();
      e.finalEmitted = in.readBoolean();
      e.pending = in.readBoolean();
    } catch (IOException ex) {
      throw new IllegalStateException(
          "the state store " + store + " holds a truncated loss-ledger entry: " + ex, ex);
    }
    return e;
  }

  private static void writeNullable(DataOutputStream out, String s) throws IOException {
    out.writeBoolean(s != null);
    if (s != null) {
      out.writeUTF(s);
    }
  }

  private static String readNullable(DataInputStream in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }
}
