package io.biometer.streams.aggregation;

import io.biometer.avro.SensorType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The value of the daily-aggregate store: a day's statistics of one channel and what the output
 * needs besides (owner, sensor type), in a fixed binary layout. Internal state, not a contract.
 */
public final class DayStatsSerde implements Serde<DayStatsSerde.Value> {

  /** A stored day: its statistics, owner and sensor type. */
  public record Value(DailyStats stats, String owner, SensorType type) {}

  @Override
  public Serializer<Value> serializer() {
    return (topic, v) -> {
      if (v == null) {
        return null;
      }
      byte[] owner = v.owner().getBytes(StandardCharsets.UTF_8);
      DailyStats s = v.stats();
      return ByteBuffer.allocate(8 * 6 + 4 + 4 + owner.length)
          .putLong(s.count())
          .putDouble(s.min())
          .putDouble(s.max())
          .putDouble(s.sum())
          .putLong(s.first())
          .putLong(s.last())
          .putInt(v.type().ordinal())
          .putInt(owner.length)
          .put(owner)
          .array();
    };
  }

  @Override
  public Deserializer<Value> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      ByteBuffer b = ByteBuffer.wrap(bytes);
      DailyStats s =
          new DailyStats(
              b.getLong(), b.getDouble(), b.getDouble(), b.getDouble(), b.getLong(), b.getLong());
      SensorType type = SensorType.values()[b.getInt()];
      byte[] owner = new byte[b.getInt()];
      b.get(owner);
      return new Value(s, new String(owner, StandardCharsets.UTF_8), type);
    };
  }
}
