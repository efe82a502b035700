package io.biometer.streams.internal;

import io.biometer.avro.Device;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Registry lookups of one processor, remembered for {@code ttlMillis} of wall time: reading the
 * global store deserializes a Device on every get, which would dominate the hot path. A registry
 * change is seen within the TTL. A lookup that finds nothing is never remembered: a device's
 * registration and its first readings race across two topics, and a remembered miss would turn a
 * race of milliseconds into seconds of refused readings (a miss costs no deserialization). Not
 * thread-safe: one per processor instance.
 */
public final class DeviceCache {

  private record Entry(Device device, long fetchedAt) {}

  private final TimestampedKeyValueStore<String, Device> store;
  private final long ttlMillis;
  private final Map<String, Entry> entries = new HashMap<>();

  public DeviceCache(TimestampedKeyValueStore<String, Device> store, long ttlMillis) {
    this.store = store;
    this.ttlMillis = ttlMillis;
  }

  /** The registered device, or null if it is not (or no longer) registered. */
  public Device get(String id, long now) {
    Entry e = entries.get(id);
    if (e == null || now - e.fetchedAt() >= ttlMillis) {
      ValueAndTimestamp<Device> v = store.get(id);
      if (v == null || v.value() == null) {
        entries.remove(id);
        return null;
      }
      e = new Entry(v.value(), now);
      entries.put(id, e);
    }
    return e.device();
  }
}
