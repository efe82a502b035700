package io.biometer.streams;

import io.biometer.Topics;
import io.biometer.avro.CleanReading;
import io.biometer.avro.DataCompleteness;
import io.biometer.avro.Device;
import io.biometer.avro.SensorType;
import io.biometer.catalog.SensorCatalog;
import io.biometer.streams.aggregation.DayWindow;
import io.biometer.streams.internal.DeviceCache;
import io.biometer.streams.internal.LedgerEntry;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;

/**
 * The loss ledger: per device and calendar day (event time, {@code aggregation.zone}), the readings
 * expected from the device's cadence, received once, missing from the sequence, removed as copies,
 * late, too late and sent to the DLQ. Rows go to {@code telemetry.completeness.daily} (key {@code
 * deviceId|day}) every {@code completeness.update.interval.ms} while they change, and once more,
 * final, when the day's aggregate closes.
 *
 * <p>It counts what the pipeline did, from two streams: dedup's output, which sends this step (and
 * only this step, as node {@value #COPIES_NODE}) the copies it drops, marked with header {@value
 * #DUPLICATE_HEADER}, beside each reading once; and {@code telemetry.dlq} itself, whose records
 * keep the rejected reading's bytes and say why. A DLQ record is stamped when it was rejected (wall
 * clock); its source here stamps it 0, so it never moves the task's stream time, which is event
 * time. A day's row is kept for {@code completeness.retention.ms} after the day ends, so a reading
 * rejected as too-late (after the day closed) still counts; one of an older day is counted in
 * {@code biometer_completeness_expired_total} only.
 *
 * <p>State: one {@link LedgerEntry} per {@code day|deviceId} in {@value #STORE}; keys start with
 * the ISO day, so the days due to close or expire are the first keys. An entry says whether it
 * changed since it was last emitted, so that an emission rolled back with its transaction is redone
 * after {@code init}. The processor keeps recently used entries as objects and the keys that await
 * emission, both copies of the store, emptied and rebuilt from it on every {@code init}.
 */
public final class Completeness {

  public static final String STEP = "completeness";
  public static final String STORE = "completeness-store";

  /** The node dedup sends its dropped copies to. */
  public static final String COPIES_NODE = "completeness-copies";

  /** The header that marks a copy dedup dropped. */
  public static final String DUPLICATE_HEADER = "biometer.duplicate";

  private static final int RECENT_MAX = 50_000;

  private Completeness() {}

  /** What the ledger hears of one record. */
  record Event(Kind kind, CleanReading reading, String deviceId, String reason) {}

  enum Kind {
    COPY,
    RECEIVED,
    REJECTED
  }

  /**
   * The ledger's rows; {@code deduped} is dedup's output (see the class comment), {@code decoder}
   * decodes a rejected reading's original bytes.
   */
  public static KStream<String, DataCompleteness> apply(
      StreamsBuilder builder,
      KStream<String, CleanReading> deduped,
      StreamsAppConfig config,
      PipelineMetrics metrics,
      String devicesStore,
      Deserializer<ReceivedReading> decoder) {
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.ByteArray())
            .withCachingEnabled());
    KStream<String, Event> copies =
        deduped.processValues(CopiesProcessor::new, Named.as(COPIES_NODE));
    KStream<String, Event> rejected =
        builder.stream(
                Topics.DLQ,
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                    .withTimestampExtractor(new NoTime())
                    .withName("completeness-dlq-source"))
            .process(() -> new RejectionsProcessor(decoder), Named.as("completeness-rejected"));
    return copies
        .merge(rejected, Named.as("completeness-merge-rejected"))
        .process(
            () -> new LedgerProcessor(config, metrics, devicesStore),
            Named.as("completeness-ledger"),
            STORE);
  }

  /** The ledger processor alone, for tests that drive it directly (a restart over a kept store). */
  static Processor<String, Event, String, DataCompleteness> processor(
      StreamsAppConfig config, PipelineMetrics metrics, String devicesStore) {
    return new LedgerProcessor(config, metrics, devicesStore);
  }

  /** A reading dedup passed (RECEIVED) or, marked, a copy it dropped (COPY). */
  private static final class CopiesProcessor
      implements org.apache.kafka.streams.processor.api.FixedKeyProcessor<
          String, CleanReading, Event> {
    private org.apache.kafka.streams.processor.api.FixedKeyProcessorContext<String, Event> context;

    @Override
    public void init(
        org.apache.kafka.streams.processor.api.FixedKeyProcessorContext<String, Event> context) {
      this.context = context;
    }

    @Override
    public void process(
        org.apache.kafka.streams.processor.api.FixedKeyRecord<String, CleanReading> record) {
      boolean copy = record.headers().lastHeader(DUPLICATE_HEADER) != null;
      context.forward(
          record.withValue(
              new Event(copy ? Kind.COPY : Kind.RECEIVED, record.value(), null, null)));
    }
  }

  /** Stamps every DLQ record 0: its Kafka timestamp is the wall-clock time of the rejection. */
  static final class NoTime implements TimestampExtractor {
    @Override
    public long extract(
        org.apache.kafka.clients.consumer.ConsumerRecord<Object, Object> record,
        long partitionTime) {
      return 0;
    }
  }

  /** A DLQ record of a reading topic as a ledger event; anything else is not the ledger's. */
  private static final class RejectionsProcessor
      implements Processor<byte[], byte[], String, Event> {
    private final Deserializer<ReceivedReading> decoder;
    private ProcessorContext<String, Event> context;

    RejectionsProcessor(Deserializer<ReceivedReading> decoder) {
      this.decoder = decoder;
    }

    @Override
    public void init(ProcessorContext<String, Event> context) {
      this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
      String topic = DlqHeaders.value(record.headers(), DlqHeaders.SOURCE_TOPIC);
      if (!Topics.BODY_READINGS.equals(topic) && !Topics.METER_READINGS.equals(topic)) {
        return; // a sink status, say: not a reading
      }
      String reason = DlqHeaders.value(record.headers(), DlqHeaders.REASON);
      String key =
          record.key() == null
              ? null
              : new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
      CleanReading reading = null;
      try {
        ReceivedReading r = decoder.deserialize(topic, record.value());
        reading = r == null ? null : r.normalized();
      } catch (RuntimeException undecodable) {
        // Counted under its key, on the day it was rejected.
      }
      String device = reading != null ? reading.getDeviceId() : key != null ? key : "(no key)";
      context.forward(
          new Record<>(
              device,
              new Event(Kind.REJECTED, reading, device, reason == null ? "unknown" : reason),
              record.timestamp(),
              record.headers()));
    }
  }

  private static final class LedgerProcessor
      implements Processor<String, Event, String, DataCompleteness> {
    private final ZoneId zone;
    private final long grace;
    private final long retention;
    private final long updateInterval;
    private final long lateAfter;
    private final long cacheMs;
    private final String devicesStore;
    private final PipelineMetrics metrics;
    private final PipelineMetrics.StepMeters meters;
    private final SensorCatalog catalog = SensorCatalog.standard();
    private final Set<String> dirty = new LinkedHashSet<>();
    // The entries updated last, as objects, so the usual record neither decodes nor reads the
    // store; as in the store (this processor alone writes it), bounded, emptied on every init.
    private final Map<String, LedgerEntry> recent =
        new LinkedHashMap<>(1024, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, LedgerEntry> eldest) {
            return size() > RECENT_MAX;
          }
        };
    // Stream time at which the earliest kept day closes or expires; no scan before.
    private long nextDue = Long.MIN_VALUE;
    private ProcessorContext<String, DataCompleteness> context;
    private KeyValueStore<String, byte[]> store;
    private DeviceCache devices;
    // The day of the last record, and its key prefix "day|": most records share it.
    private DayWindow current;
    private String currentPrefix;

    LedgerProcessor(StreamsAppConfig config, PipelineMetrics metrics, String devicesStore) {
      this.zone = config.zone();
      this.grace = config.graceMs();
      this.retention = config.completenessRetentionMs();
      this.updateInterval = config.completenessUpdateIntervalMs();
      this.lateAfter = config.lateAfterMs();
      this.cacheMs = config.registryCacheMs();
      this.devicesStore = devicesStore;
      this.metrics = metrics;
      this.meters = metrics.step(STEP);
    }

    @Override
    public void init(ProcessorContext<String, DataCompleteness> context) {
      this.context = context;
      this.store = context.getStateStore(STORE);
      TimestampedKeyValueStore<String, Device> registry = context.getStateStore(devicesStore);
      this.devices = new DeviceCache(registry, cacheMs);
      dirty.clear();
      recent.clear();
      nextDue = Long.MIN_VALUE;
      // The rows changed since they were last emitted, as the store says: after a rollback the
      // emission that was under way is redone.
      try (KeyValueIterator<String, byte[]> it = store.all()) {
        while (it.hasNext()) {
          KeyValue<String, byte[]> kv = it.next();
          if (LedgerEntry.decode(kv.value, STORE).pending) {
            dirty.add(kv.key);
          }
        }
      }
      context.schedule(Duration.ofMinutes(1), PunctuationType.STREAM_TIME, this::closeDays);
      context.schedule(
          Duration.ofMillis(updateInterval), PunctuationType.WALL_CLOCK_TIME, now -> emitDirty());
    }

    @Override
    public void process(Record<String, Event> record) {
      meters.in();
      Event e = record.value();
      CleanReading r = e.reading();
      long streamTime = context.currentStreamTimeMs();
      long now = context.currentSystemTimeMs();
      long t = r != null ? r.getEventTime().toEpochMilli() : rejectedAt(record, now);
      // A rejected reading from the future (a device whose clock is years ahead, say) counts on
      // the day it was rejected: its own day may not even have a four-digit year.
      long dayOf = e.kind() == Kind.REJECTED && t > now ? rejectedAt(record, now) : t;
      if (current == null || dayOf < current.start() || dayOf >= current.end()) {
        current = DayWindow.of(dayOf, zone);
        currentPrefix = current.day() + "|";
      }
      DayWindow day = current;
      if (day.end() + retention <= streamTime) {
        if (e.kind() == Kind.REJECTED) {
          metrics.ledgerExpired();
        }
        return;
      }
      String device = r != null ? r.getDeviceId() : e.deviceId();
      String key = currentPrefix + device;
      LedgerEntry entry = load(key);
      // Out of the copies until the store has the change: if anything below fails, the store's
      // value is read again.
      recent.remove(key);
      if (r != null && entry.ownerId == null) {
        entry.ownerId = r.getOwnerId();
        entry.sensorType = r.getSensorType().name();
      }
      switch (e.kind()) {
        case COPY -> entry.copies++;
        case RECEIVED -> {
          entry.copies++;
          entry.received++;
          entry.firstEvent = entry.firstEvent < 0 ? t : Math.min(entry.firstEvent, t);
          entry.lastEvent = Math.max(entry.lastEvent, t);
          long seq = r.getSequence();
          entry.firstSequence = entry.firstSequence < 0 ? seq : Math.min(entry.firstSequence, seq);
          entry.lastSequence = Math.max(entry.lastSequence, seq);
          if (r.getValidatedAt() != null && r.getValidatedAt().toEpochMilli() - t > lateAfter) {
            entry.late++;
          }
          if (entry.cadence < 0) {
            entry.cadence = cadence(device, r.getSensorType());
          }
        }
        case REJECTED -> {
          entry.dlq++;
          if ("too-late".equals(e.reason())) {
            entry.tooLate++;
          }
        }
      }
      entry.pending = true;
      save(key, entry);
      dirty.add(key);
      long due = day.end() + (entry.finalEmitted ? retention : grace);
      nextDue = nextDue == Long.MIN_VALUE ? due : Math.min(nextDue, due);
      meters.out();
    }

    private static long rejectedAt(Record<String, Event> record, long now) {
      String at = DlqHeaders.value(record.headers(), DlqHeaders.REJECTED_AT);
      try {
        return at == null ? now : Long.parseLong(at);
      } catch (NumberFormatException e) {
        return now;
      }
    }

    /** The day a key starts with ({@code day|deviceId}). */
    private static LocalDate dayOf(String key) {
      return LocalDate.parse(key.substring(0, key.indexOf('|')));
    }

    /** The entry of {@code key}: the kept copy, else the store's, else a new one. */
    private LedgerEntry load(String key) {
      LedgerEntry entry = recent.get(key);
      if (entry == null) {
        byte[] stored = store.get(key);
        entry = stored == null ? new LedgerEntry() : LedgerEntry.decode(stored, STORE);
      }
      return entry;
    }

    /** Writes the entry to the store, then keeps it as the copy. */
    private void save(String key, LedgerEntry entry) {
      recent.remove(key);
      store.put(key, entry.encode());
      recent.put(key, entry);
    }

    private long cadence(String device, SensorType type) {
      Device d = devices.get(device, context.currentSystemTimeMs());
      if (d != null && d.getCadenceMillis() != null && d.getCadenceMillis() > 0) {
        return d.getCadenceMillis();
      }
      return catalog.contains(type) ? catalog.spec(type).cadence().toMillis() : -1;
    }

    /** Emits the rows of days that closed, final, and forgets the days past retention. */
    private void closeDays(long streamTime) {
      if (nextDue != Long.MIN_VALUE && streamTime < nextDue) {
        return;
      }
      List<KeyValue<String, byte[]>> due = new ArrayList<>();
      long next = Long.MAX_VALUE;
      try (KeyValueIterator<String, byte[]> it = store.all()) {
        while (it.hasNext()) {
          KeyValue<String, byte[]> kv = it.next();
          long end = DayWindow.of(dayOf(kv.key), zone).end();
          if (end + grace > streamTime) {
            next = Math.min(next, end + grace);
            break; // keys start with the ISO day: every later key is a later day
          }
          LedgerEntry entry = LedgerEntry.decode(kv.value, STORE);
          if (end + retention <= streamTime || !entry.finalEmitted) {
            due.add(kv);
          } else {
            next = Math.min(next, end + retention);
          }
        }
      }
      nextDue = next == Long.MAX_VALUE ? Long.MIN_VALUE : next;
      for (KeyValue<String, byte[]> kv : due) {
        LedgerEntry entry = LedgerEntry.decode(kv.value, STORE);
        long end = DayWindow.of(dayOf(kv.key), zone).end();
        if (end + retention <= streamTime) {
          // Its final row, if it never had one (stream time jumped past the retention).
          if (entry.pending || !entry.finalEmitted) {
            emit(kv.key, entry, streamTime);
          }
          recent.remove(kv.key);
          store.delete(kv.key);
          dirty.remove(kv.key);
        } else {
          entry.finalEmitted = true;
          entry.pending = false;
          save(kv.key, entry);
          dirty.remove(kv.key);
          emit(kv.key, entry, streamTime);
          nextDue =
              nextDue == Long.MIN_VALUE ? end + retention : Math.min(nextDue, end + retention);
        }
      }
    }

    private void emitDirty() {
      long streamTime = context.currentStreamTimeMs();
      for (String key : dirty) {
        LedgerEntry entry = recent.get(key);
        if (entry == null) {
          byte[] stored = store.get(key);
          if (stored == null) {
            continue;
          }
          entry = LedgerEntry.decode(stored, STORE);
        }
        if (entry.pending) {
          // Sent first: should the store refuse the change, the row stays pending and is sent
          // again (at-least-once; under exactly-once both roll back together).
          emit(key, entry, streamTime);
          recent.remove(key);
          entry.pending = false;
          save(key, entry);
        }
      }
      dirty.clear();
    }

    private void emit(String key, LedgerEntry e, long streamTime) {
      LocalDate day = dayOf(key);
      String device = key.substring(key.indexOf('|') + 1);
      DayWindow w = DayWindow.of(day, zone);
      DataCompleteness row =
          DataCompleteness.newBuilder()
              .setDeviceId(device)
              .setOwnerId(e.ownerId)
              .setSensorType(e.sensorType == null ? null : sensorType(e.sensorType))
              .setDay(day)
              .setZone(zone.getId())
              .setWindowStart(Instant.ofEpochMilli(w.start()))
              .setWindowEnd(Instant.ofEpochMilli(w.end()))
              .setCadenceMillis(e.cadence > 0 ? e.cadence : null)
              .setExpected(e.expected())
              .setReceived(e.received)
              .setFirstSequence(e.received > 0 ? e.firstSequence : null)
              .setLastSequence(e.received > 0 ? e.lastSequence : null)
              .setGaps(e.gaps())
              .setDuplicates(e.duplicates())
              .setLate(e.late)
              .setTooLate(e.tooLate)
              .setDlq(e.dlq)
              .setFirstEventTime(e.received > 0 ? Instant.ofEpochMilli(e.firstEvent) : null)
              .setLastEventTime(e.received > 0 ? Instant.ofEpochMilli(e.lastEvent) : null)
              .setIsFinal(w.end() + grace <= streamTime)
              .setUpdatedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
              .build();
      // Stamped with the day's start, but never ahead of the wall clock: a broker refuses records
      // stamped more than message.timestamp.after.max.ms (1 h) ahead.
      long now = context.currentSystemTimeMs();
      context.forward(new Record<>(device + "|" + day, row, Math.max(0, Math.min(w.start(), now))));
    }

    /** The stored name as a symbol; a name this version does not know is UNKNOWN. */
    private static SensorType sensorType(String name) {
      try {
        return SensorType.valueOf(name);
      } catch (IllegalArgumentException e) {
        return SensorType.UNKNOWN;
      }
    }
  }
}
