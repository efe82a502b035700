package io.biometer.streams.alerting;

import io.biometer.avro.SensorType;
import io.biometer.streams.internal.StateFormat;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The value of the silent-device step's store (key: device id): when the device was last heard of.
 * A contract between versions ({@link StateFormat}); version {@value #VERSION}, big-endian:
 *
 * <pre>
 * byte    version (1)
 * long    last reading arrived, wall-clock epoch ms
 * long    silent after, ms
 * byte    silent alert raised (1) or not (0)
 * string  owner id                 (string: int length, -1 for null, then UTF-8 bytes)
 * string  sensor type, by name
 * </pre>
 *
 * A sensor type name this build does not know reads as UNKNOWN (the type only labels the alert). A
 * truncated value or bytes after its end are a {@link
 * io.biometer.streams.internal.StateFormatException} naming the store. Reading sets {@code
 * storedAt} to {@code last}.
 */
final class LastSeenSerde implements Serde<LastSeen> {

  /** The format version this build writes and reads. */
  static final byte VERSION = 1;

  private static final String WHAT = "a device's last-seen time";
  private static final Map<SensorType, byte[]> NAMES = new EnumMap<>(SensorType.class);

  static {
    for (SensorType t : SensorType.values()) {
      NAMES.put(t, StateFormat.utf8(t.name()));
    }
  }

  private final String store;

  /**
   * @param store the name of the store this serde reads, for errors
   */
  LastSeenSerde(String store) {
    this.store = store;
  }

  @Override
  public Serializer<LastSeen> serializer() {
    return (topic, v) -> v == null ? null : encode(v);
  }

  @Override
  public Deserializer<LastSeen> deserializer() {
    return (topic, bytes) -> bytes == null ? null : decode(bytes);
  }

  byte[] encode(LastSeen v) {
    byte[] owner = StateFormat.utf8(v.owner);
    byte[] type = v.type == null ? null : NAMES.get(v.type);
    ByteBuffer b =
        ByteBuffer.allocate(1 + 8 + 8 + 1 + StateFormat.size(owner) + StateFormat.size(type))
            .put(VERSION)
            .putLong(v.last)
            .putLong(v.silentAfter)
            .put((byte) (v.silent ? 1 : 0));
    StateFormat.putString(b, owner);
    StateFormat.putString(b, type);
    return b.array();
  }

  LastSeen decode(byte[] bytes) {
    StateFormat.version(bytes, store, WHAT, VERSION);
    ByteBuffer b = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
    LastSeen s = new LastSeen();
    try {
      s.last = b.getLong();
      s.silentAfter = b.getLong();
      s.silent = b.get() != 0;
      s.owner = StateFormat.getString(b);
      String type = StateFormat.getString(b);
      s.type = type == null ? null : sensorType(type);
      s.storedAt = s.last;
    } catch (BufferUnderflowException e) {
      throw StateFormat.truncated(bytes, store, WHAT, e);
    }
    StateFormat.end(b, bytes, store, WHAT);
    return s;
  }

  private static SensorType sensorType(String name) {
    try {
      return SensorType.valueOf(name);
    } catch (IllegalArgumentException e) {
      return SensorType.UNKNOWN;
    }
  }
}
