package io.biometer.streams.alerting;

import io.biometer.streams.internal.StateFormat;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The value of the sink-alert step's store (key: sink id; present while the sink's SINK_DOWN alert
 * is raised): the event time it was raised at. A contract between versions ({@link StateFormat});
 * version {@value #VERSION}, big-endian:
 *
 * <pre>
 * byte    version (1)
 * long    raised at, event time in epoch ms
 * </pre>
 *
 * A value of another length is a {@link io.biometer.streams.internal.StateFormatException} naming
 * the store.
 */
final class SinkDownSerde implements Serde<Long> {

  /** The format version this build writes and reads. */
  static final byte VERSION = 1;

  private static final String WHAT = "a sink's raised alert";

  private final String store;

  /**
   * @param store the name of the store this serde reads, for errors
   */
  SinkDownSerde(String store) {
    this.store = store;
  }

  @Override
  public Serializer<Long> serializer() {
    return (topic, v) ->
        v == null ? null : ByteBuffer.allocate(1 + Long.BYTES).put(VERSION).putLong(v).array();
  }

  @Override
  public Deserializer<Long> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      StateFormat.version(bytes, store, WHAT, VERSION);
      ByteBuffer b = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
      long raisedAt;
      try {
        raisedAt = b.getLong();
      } catch (BufferUnderflowException e) {
        throw StateFormat.truncated(bytes, store, WHAT, e);
      }
      StateFormat.end(b, bytes, store, WHAT);
      return raisedAt;
    };
  }
}
