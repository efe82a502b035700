package io.biometer.streams.aggregation;

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
 * The value of the daily-aggregate store: a day's statistics of one channel and what the output
 * needs besides (owner, sensor type). A contract between versions ({@link StateFormat}); version
 * {@value #VERSION}, big-endian:
 *
 * <pre>
 * byte    version (1)
 * long    count
 * double  min
 * double  max
 * double  sum
 * long    first event time, epoch ms
 * long    last event time, epoch ms
 * string  sensor type, by name     (string: int length, -1 for null, then UTF-8 bytes)
 * string  owner id
 * </pre>
 *
 * A sensor type name this build does not know reads as UNKNOWN: a type added by a later build is
 * still a day of readings, and the output carries the type only as a label. A truncated value or
 * bytes after its end are a {@link io.biometer.streams.internal.StateFormatException} naming the
 * store.
 */
public final class DayStatsSerde implements Serde<DayStatsSerde.Value> {

  /** The format version this build writes and reads. */
  public static final byte VERSION = 1;

  private static final String WHAT = "a day's statistics";
  private static final Map<SensorType, byte[]> NAMES = new EnumMap<>(SensorType.class);

  static {
    for (SensorType t : SensorType.values()) {
      NAMES.put(t, StateFormat.utf8(t.name()));
    }
  }

  /** A stored day: its statistics, owner and sensor type. */
  public record Value(DailyStats stats, String owner, SensorType type) {}

  private final String store;

  /**
   * @param store the name of the store this serde reads, for errors
   */
  public DayStatsSerde(String store) {
    this.store = store;
  }

  @Override
  public Serializer<Value> serializer() {
    return (topic, v) -> v == null ? null : encode(v);
  }

  @Override
  public Deserializer<Value> deserializer() {
    return (topic, bytes) -> bytes == null ? null : decode(bytes);
  }

  byte[] encode(Value v) {
    byte[] owner = StateFormat.utf8(v.owner());
    byte[] type = v.type() == null ? null : NAMES.get(v.type());
    DailyStats s = v.stats();
    ByteBuffer b =
        ByteBuffer.allocate(1 + 8 * 6 + StateFormat.size(type) + StateFormat.size(owner))
            .put(VERSION)
            .putLong(s.count())
            .putDouble(s.min())
            .putDouble(s.max())
            .putDouble(s.sum())
            .putLong(s.first())
            .putLong(s.last());
    StateFormat.putString(b, type);
    StateFormat.putString(b, owner);
    return b.array();
  }

  Value decode(byte[] bytes) {
    StateFormat.version(bytes, store, WHAT, VERSION);
    ByteBuffer b = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
    Value v;
    try {
      DailyStats s =
          new DailyStats(
              b.getLong(), b.getDouble(), b.getDouble(), b.getDouble(), b.getLong(), b.getLong());
      String type = StateFormat.getString(b);
      String owner = StateFormat.getString(b);
      v = new Value(s, owner, type == null ? null : sensorType(type));
    } catch (BufferUnderflowException e) {
      throw StateFormat.truncated(bytes, store, WHAT, e);
    }
    StateFormat.end(b, bytes, store, WHAT);
    return v;
  }

  private static SensorType sensorType(String name) {
    try {
      return SensorType.valueOf(name);
    } catch (IllegalArgumentException e) {
      return SensorType.UNKNOWN;
    }
  }
}
