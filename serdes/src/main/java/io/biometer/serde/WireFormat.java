package io.biometer.serde;

import java.nio.ByteBuffer;

/**
 * The Confluent wire format: byte 0 is the magic byte {@value #MAGIC_BYTE}, bytes 1 to 4 the schema
 * id as a big-endian int, then the Avro binary encoding of the value with that schema.
 */
public final class WireFormat {

  /** The only magic byte this format defines. */
  public static final byte MAGIC_BYTE = 0x0;

  /** Magic byte plus schema id. */
  public static final int HEADER_SIZE = 5;

  private WireFormat() {}

  /**
   * Why {@code data} is not a framed value (too short, or another magic byte), naming the case and
   * the topic; null if its header is fine. {@code hint} ends the message: what to check.
   */
  public static String frameProblem(byte[] data, String topic, String hint) {
    if (data.length < HEADER_SIZE) {
      return "truncated value on topic "
          + topic
          + ": "
          + data.length
          + " bytes, but a Confluent-framed Avro value has at least "
          + HEADER_SIZE
          + " (magic byte and 4-byte schema id); "
          + hint;
    }
    if (data[0] != MAGIC_BYTE) {
      return String.format(
          "unknown magic byte 0x%02x on topic %s (expected 0x00): the value is not in the"
              + " Confluent wire format; %s",
          data[0] & 0xff, topic, hint);
    }
    return null;
  }

  /** The schema id in a framed value; the caller has checked length and magic byte. */
  public static int schemaId(byte[] framed) {
    return ByteBuffer.wrap(framed, 1, 4).getInt();
  }

  /** Writes the 5-byte header for {@code schemaId} into {@code out}. */
  public static void writeHeader(ByteBuffer out, int schemaId) {
    out.put(MAGIC_BYTE).putInt(schemaId);
  }

  /** The subject a topic's keys or values are registered under ({@code <topic>-key|-value}). */
  public static String subject(String topic, boolean isKey) {
    return topic + (isKey ? "-key" : "-value");
  }
}
