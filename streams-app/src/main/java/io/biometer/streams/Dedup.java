package io.biometer.streams;

import io.biometer.avro.CleanReading;
import io.biometer.streams.internal.PipelineMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Passes the first copy of each (device id, sequence) within {@code dedup.horizon.ms} of event time
 * and drops the others (a second sink's copy, a spool replay, a re-uploaded batch), counting them
 * per relay. Input must be keyed by device id.
 *
 * <p>Copies of a reading share its event time, which is part of the identity: a device that
 * restarts its sequence numbers is not mistaken for a replay. The seen readings are in a
 * changelogged key-value store, keyed by the time bucket of the reading's event time first (every
 * copy carries the reading's event time, so a lookup is one get), so a stream-time punctuator drops
 * whole buckets once they are older than the horizon: the state stays bounded by the horizon. A
 * key-value store rather than a window store because it keeps its changelog offsets across a clean
 * restart under exactly-once, where Kafka Streams 4.3 wipes and rebuilds a window store.
 */
public final class Dedup {

  public static final String STEP = "dedup";
  public static final String STORE = "dedup-store";

  private Dedup() {}

  public static KStream<String, CleanReading> apply(
      StreamsBuilder builder,
      KStream<String, CleanReading> readings,
      StreamsAppConfig config,
      PipelineMetrics metrics) {
    builder.addStateStore(
        // No caching: the keys hardly ever repeat, so a cache would save nothing.
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.Long()));
    long horizon = config.dedupHorizonMs();
    return readings.processValues(
        () -> new Step(horizon, metrics), Named.as("dedup-readings"), STORE);
  }

  /** The bucket length for a horizon: 1/24 of it, at least a second. */
  static long bucketMillis(long horizon) {
    return Math.max(1000, horizon / 24);
  }

  private static final class Step implements FixedKeyProcessor<String, CleanReading, CleanReading> {
    private final long horizon;
    private final long bucket;
    private final PipelineMetrics metrics;
    private final PipelineMetrics.Step meters;
    private final PipelineMetrics.Latency latency;
    private FixedKeyProcessorContext<String, CleanReading> context;
    private KeyValueStore<String, Long> seen;

    Step(long horizon, PipelineMetrics metrics) {
      this.horizon = horizon;
      this.bucket = bucketMillis(horizon);
      this.metrics = metrics;
      this.meters = metrics.step(STEP);
      this.latency = metrics.latency("clean");
    }

    @Override
    public void init(FixedKeyProcessorContext<String, CleanReading> context) {
      this.context = context;
      this.seen = context.getStateStore(STORE);
      context.schedule(Duration.ofMillis(bucket), PunctuationType.STREAM_TIME, this::expire);
    }

    private String key(CleanReading r, long t) {
      // Zero-padded bucket first, so keys sort by time and old buckets are a key range. The event
      // time is part of the identity: copies share it, while a device that restarted its
      // sequence numbers measures at other times and is not a duplicate.
      return bucketPrefix(Math.floorDiv(t, bucket), 48 + r.getDeviceId().length())
          .append(r.getDeviceId())
          .append('#')
          .append(r.getSequence())
          .append('@')
          .append(t)
          .toString();
    }

    /** The zero-padded bucket and separator every key starts with (no String.format per record). */
    private static StringBuilder bucketPrefix(long bucketIndex, int capacity) {
      StringBuilder b = new StringBuilder(capacity).append(bucketIndex);
      while (b.length() < 13) {
        b.insert(0, '0');
      }
      return b.append('|');
    }

    @Override
    public void process(FixedKeyRecord<String, CleanReading> record) {
      meters.in();
      CleanReading r = record.value();
      long t = r.getEventTime().toEpochMilli();
      String key = key(r, t);
      long now = context.currentSystemTimeMs();
      // One pass through the store's layers: the key is serialized once, logged only if new.
      if (seen.putIfAbsent(key, now) != null) {
        metrics.duplicate(r.getProvenance().getRelayKind().name(), r.getProvenance().getRelayId());
        return;
      }
      meters.out();
      latency.record(now - t);
      context.forward(record);
    }

    /** Drops every bucket that ended more than the horizon before stream time. */
    private void expire(long streamTime) {
      long firstKept = Math.floorDiv(streamTime - horizon, bucket);
      List<String> old = new ArrayList<>();
      try (KeyValueIterator<String, Long> it =
          seen.range("", bucketPrefix(firstKept, 16).toString())) {
        it.forEachRemaining(kv -> old.add(kv.key));
      }
      old.forEach(seen::delete);
    }
  }
}
