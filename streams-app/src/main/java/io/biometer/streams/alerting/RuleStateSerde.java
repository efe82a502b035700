package io.biometer.streams.alerting;

import io.biometer.streams.internal.StateFormat;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The value of the threshold step's store: where one rule stands for one device (key {@code
 * deviceId|ruleId}). A contract between versions ({@link StateFormat}); version {@value #VERSION},
 * big-endian:
 *
 * <pre>
 * byte    version (1)
 * string  status, by name: PENDING or RAISED (NORMAL is never stored)
 *                                  (string: int length, -1 for null, then UTF-8 bytes)
 * long    since, event time in epoch ms
 * </pre>
 *
 * A truncated value, bytes after its end or a status name this build does not know are a {@link
 * io.biometer.streams.internal.StateFormatException} naming the store.
 */
public final class RuleStateSerde implements Serde<RuleState> {

  /** The format version this build writes and reads. */
  public static final byte VERSION = 1;

  private static final String WHAT = "an alert rule's state";
  private static final Map<RuleState.Status, byte[]> NAMES = new EnumMap<>(RuleState.Status.class);

  static {
    for (RuleState.Status s : RuleState.Status.values()) {
      NAMES.put(s, StateFormat.utf8(s.name()));
    }
  }

  private final String store;

  /**
   * @param store the name of the store this serde reads, for errors
   */
  public RuleStateSerde(String store) {
    this.store = store;
  }

  @Override
  public Serializer<RuleState> serializer() {
    return (topic, v) -> v == null ? null : encode(v);
  }

  @Override
  public Deserializer<RuleState> deserializer() {
    return (topic, bytes) -> bytes == null ? null : decode(bytes);
  }

  byte[] encode(RuleState v) {
    byte[] status = NAMES.get(v.status());
    ByteBuffer b = ByteBuffer.allocate(1 + StateFormat.size(status) + Long.BYTES).put(VERSION);
    StateFormat.putString(b, status);
    return b.putLong(v.since()).array();
  }

  RuleState decode(byte[] bytes) {
    StateFormat.version(bytes, store, WHAT, VERSION);
    ByteBuffer b = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
    String status;
    long since;
    try {
      status = StateFormat.getString(b);
      since = b.getLong();
    } catch (BufferUnderflowException e) {
      throw StateFormat.truncated(bytes, store, WHAT, e);
    }
    StateFormat.end(b, bytes, store, WHAT);
    return new RuleState(
        StateFormat.byName(RuleState.Status.class, status, bytes, store, WHAT, "status"), since);
  }
}
