package io.biometer.streams;

import io.biometer.avro.CleanReading;
import io.biometer.streams.internal.StateFormat;
import io.biometer.streams.internal.StateFormatException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
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
 * per relay; a dropped copy goes on, marked, to the loss ledger's node alone ({@link
 * Completeness}). Input must be keyed by device id.
 *
 * <p>Copies of a reading share its event time, which is part of the identity: a device that
 * restarts its sequence numbers is not mistaken for a replay.
 *
 * <p>State: one entry per block of {@value #BLOCK} consecutive sequence numbers of a device within
 * one time bucket (1/24 of the horizon) of event time, holding which of the block's sequences were
 * seen and their event times. That is a 16th of the entries of one per reading, and under Kafka
 * Streams' record cache (at-least-once) a block's changelog record is written once per commit
 * rather than once per reading. Keys start with the zero-padded bucket, so a stream-time punctuator
 * drops whole buckets once they are older than the horizon: the state stays bounded by the horizon.
 * Each device's block in use is also kept as an object, so the usual reading (the next sequence, or
 * a second sink's copy of it) neither builds a key nor reads the store; that copy is emptied on
 * every {@code init}, which also follows a restore. A key-value store rather than a window store
 * because it keeps its changelog offsets across a clean restart under exactly-once, where Kafka
 * Streams 4.3 wipes and rebuilds a window store.
 *
 * <p>A device that restarts its sequence numbers within one bucket reuses a block's slots: the new
 * reading passes and takes the slot over, so a replay of the reading it replaced, arriving after
 * it, would pass a second time (a duplicate, never a loss).
 */
public final class Dedup {

  public static final String STEP = "dedup";
  public static final String STORE = "dedup-store";

  /** Sequence numbers per block (the bits of the mask). */
  static final int BLOCK = 16;

  private Dedup() {}

  public static KStream<String, CleanReading> apply(
      StreamsBuilder builder,
      KStream<String, CleanReading> readings,
      StreamsAppConfig config,
      PipelineMetrics metrics) {
    builder.addStateStore(
        // Cached: a block changes with every new reading of its device, and the cache writes it
        // (and its changelog record) once per commit. The app turns the cache off under
        // exactly-once, where it would delay alerts.
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STORE), Serdes.Bytes(), Serdes.ByteArray())
            .withCachingEnabled());
    long horizon = config.dedupHorizonMs();
    return readings.processValues(
        () -> new DedupProcessor(horizon, metrics, true), Named.as("dedup-readings"), STORE);
  }

  /** The processor alone, for tests that drive it directly (a restart over a kept store). */
  static FixedKeyProcessor<String, CleanReading, CleanReading> processor(
      StreamsAppConfig config, PipelineMetrics metrics) {
    return new DedupProcessor(config.dedupHorizonMs(), metrics, false);
  }

  /** The bucket length for a horizon: 1/24 of it, at least a second. */
  static long bucketMillis(long horizon) {
    return Math.max(1000, horizon / 24);
  }

  /** One block of a device's sequence numbers in one time bucket, as in the store. */
  static final class Block {
    /** The format version of the stored form this build writes and reads. */
    static final byte VERSION = 1;

    private static final String WHAT = "a block of seen sequence numbers";

    final Bytes key;
    final long bucketIndex;
    final long blockIndex;
    final long bucketStart;
    int mask; // bit i: sequence blockIndex * BLOCK + i was seen
    final long[] times = new long[BLOCK]; // its event time, where the bit is set

    Block(Bytes key, long bucketIndex, long blockIndex, long bucketStart) {
      this.key = key;
      this.bucketIndex = bucketIndex;
      this.blockIndex = blockIndex;
      this.bucketStart = bucketStart;
    }

    boolean holds(int slot, long t) {
      return (mask & (1 << slot)) != 0 && times[slot] == t;
    }

    /**
     * The stored form with {@code slot} set to {@code t}, version {@value #VERSION}: the version
     * byte, the mask (int), then the event time of each set slot in order, as int milliseconds
     * after the bucket's start (a bucket is at most {@link Integer#MAX_VALUE} ms long); big-endian.
     * No enums. A contract between versions, like every store value ({@link StateFormat}).
     */
    byte[] encodeWith(int slot, long t) {
      int m = mask | (1 << slot);
      ByteBuffer b = ByteBuffer.allocate(1 + 4 + 4 * Integer.bitCount(m)).put(VERSION).putInt(m);
      for (int i = 0; i < BLOCK; i++) {
        if ((m & (1 << i)) != 0) {
          b.putInt((int) ((i == slot ? t : times[i]) - bucketStart));
        }
      }
      return b.array();
    }

    /**
     * Reads the stored form of this block from {@code store}.
     *
     * @throws StateFormatException for another version, a truncated value or bytes after its end
     */
    void decode(byte[] stored, String store) {
      StateFormat.version(stored, store, WHAT, VERSION);
      ByteBuffer b = ByteBuffer.wrap(stored, 1, stored.length - 1);
      try {
        mask = b.getInt();
        for (int i = 0; i < BLOCK; i++) {
          if ((mask & (1 << i)) != 0) {
            times[i] = bucketStart + b.getInt();
          }
        }
      } catch (java.nio.BufferUnderflowException e) {
        throw StateFormat.truncated(stored, store, WHAT, e);
      }
      // Bits above the block's slots name slots that cannot exist: no build wrote them.
      if ((mask >>> BLOCK) != 0) {
        throw new StateFormatException(
            store,
            WHAT,
            VERSION,
            "its mask " + Integer.toHexString(mask) + " has bits above the " + BLOCK + " slots",
            null);
      }
      StateFormat.end(b, stored, store, WHAT);
    }
  }

  private static final class DedupProcessor
      implements FixedKeyProcessor<String, CleanReading, CleanReading> {
    private final long horizon;
    // Whether the loss ledger ({@link Completeness#COPIES_NODE}) is a child to send copies to.
    private final boolean ledger;
    private final long bucket;
    private final PipelineMetrics metrics;
    private final PipelineMetrics.StepMeters meters;
    private final PipelineMetrics.Latency latency;
    // The block each device used last, as in the store (this processor alone writes it).
    private final Map<String, Block> current = new HashMap<>();
    private FixedKeyProcessorContext<String, CleanReading> context;
    private KeyValueStore<Bytes, byte[]> seen;

    DedupProcessor(long horizon, PipelineMetrics metrics, boolean ledger) {
      this.ledger = ledger;
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
      current.clear();
      context.schedule(Duration.ofMillis(bucket), PunctuationType.STREAM_TIME, this::expire);
    }

    @Override
    public void process(FixedKeyRecord<String, CleanReading> record) {
      meters.in();
      CleanReading r = record.value();
      long t = r.getEventTime().toEpochMilli();
      long seq = r.getSequence();
      long bucketIndex = Math.floorDiv(t, bucket);
      long blockIndex = Math.floorDiv(seq, BLOCK);
      int slot = (int) Math.floorMod(seq, BLOCK);
      Block block = current.get(r.getDeviceId());
      if (block == null || block.bucketIndex != bucketIndex || block.blockIndex != blockIndex) {
        block = load(r.getDeviceId(), bucketIndex, blockIndex);
        current.put(r.getDeviceId(), block);
      }
      if (block.holds(slot, t)) {
        metrics.duplicate(r.getProvenance().getRelayKind().name(), r.getProvenance().getRelayId());
        // The loss ledger counts the copies dropped here; it alone hears of them.
        if (ledger) {
          org.apache.kafka.common.header.internals.RecordHeaders h =
              new org.apache.kafka.common.header.internals.RecordHeaders(
                  record.headers().toArray());
          h.add(Completeness.DUPLICATE_HEADER, new byte[0]);
          context.forward(record.withHeaders(h), Completeness.COPIES_NODE);
        }
        return;
      }
      // The store first: if it fails, the object still says what the store holds.
      seen.put(block.key, block.encodeWith(slot, t));
      block.mask |= 1 << slot;
      block.times[slot] = t;
      meters.out();
      long now = context.currentSystemTimeMs();
      latency.record(now - t);
      context.forward(record);
    }

    private Block load(String deviceId, long bucketIndex, long blockIndex) {
      // Zero-padded bucket first, so keys sort by time and old buckets are a key range.
      String key =
          bucketPrefix(bucketIndex).append(deviceId).append('#').append(blockIndex).toString();
      Block block =
          new Block(
              Bytes.wrap(key.getBytes(StandardCharsets.UTF_8)),
              bucketIndex,
              blockIndex,
              bucketIndex * bucket);
      byte[] stored = seen.get(block.key);
      if (stored != null) {
        block.decode(stored, STORE);
      }
      return block;
    }

    /** The zero-padded bucket and separator every key starts with. */
    private static StringBuilder bucketPrefix(long bucketIndex) {
      StringBuilder b = new StringBuilder(48).append(bucketIndex);
      while (b.length() < 13) {
        b.insert(0, '0');
      }
      return b.append('|');
    }

    /** Drops every bucket that ended more than the horizon before stream time. */
    private void expire(long streamTime) {
      long firstKept = Math.floorDiv(streamTime - horizon, bucket);
      List<Bytes> old = new ArrayList<>();
      try (KeyValueIterator<Bytes, byte[]> it =
          seen.range(
              Bytes.wrap(new byte[0]),
              Bytes.wrap(bucketPrefix(firstKept).toString().getBytes(StandardCharsets.UTF_8)))) {
        it.forEachRemaining(kv -> old.add(kv.key));
      }
      old.forEach(seen::delete);
      current.values().removeIf(b -> b.bucketIndex < firstKept);
    }
  }
}
