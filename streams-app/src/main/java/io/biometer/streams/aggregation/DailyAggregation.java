package io.biometer.streams.aggregation;

import io.biometer.avro.ChannelValue;
import io.biometer.avro.CleanReading;
import io.biometer.avro.DailyAggregate;
import io.biometer.streams.PipelineMetrics;
import io.biometer.streams.StreamsAppConfig;
import io.biometer.streams.internal.Rejected;
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
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Per (device, channel, calendar day in {@code aggregation.zone}): count, min, max, mean, first and
 * last event time, in event time. A day closes when stream time passes its end plus {@code
 * aggregation.grace.ms}: its final aggregate ({@code isFinal=true}) is emitted and its state
 * dropped. A reading for a closed day goes to the DLQ as {@code too-late}. Running aggregates of
 * open days that changed are emitted every {@code aggregation.update.interval.ms} (wall clock),
 * with {@code isFinal=false}. Output key {@code deviceId|channel|day}, so a store that upserts on
 * the key keeps one row per day.
 */
public final class DailyAggregation {

  public static final String STEP = "aggregation";
  public static final String STORE = "daily-aggregate-store";
  private static final int RECENT_MAX = 50_000;

  private DailyAggregation() {}

  public static KStream<String, DailyAggregate> apply(
      StreamsBuilder builder,
      KStream<String, CleanReading> readings,
      StreamsAppConfig config,
      PipelineMetrics metrics) {
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STORE), Serdes.String(), new DayStatsSerde(STORE))
            .withCachingEnabled());
    return readings.process(
        () ->
            new DailyAggregationProcessor(
                config.zone(), config.graceMs(), config.updateIntervalMs(), metrics),
        Named.as("daily-aggregation"),
        STORE);
  }

  /** The processor alone, for tests that drive it directly (a restore under it). */
  public static Processor<String, CleanReading, String, DailyAggregate> processor(
      StreamsAppConfig config, PipelineMetrics metrics) {
    return new DailyAggregationProcessor(
        config.zone(), config.graceMs(), config.updateIntervalMs(), metrics);
  }

  /** The output key of an aggregate. */
  public static String outputKey(String deviceId, String channel, LocalDate day) {
    return deviceId + "|" + channel + "|" + day;
  }

  private static final class DailyAggregationProcessor
      implements Processor<String, CleanReading, String, DailyAggregate> {
    private final ZoneId zone;
    private final long grace;
    private final long updateInterval;
    private final PipelineMetrics.StepMeters meters;
    private final PipelineMetrics.Latency latency;
    private final Set<String> dirty = new LinkedHashSet<>();
    // The aggregates updated last, as objects: read from the store, each reading would
    // deserialize one. This processor alone writes the store; bounded, and emptied on every init
    // (which also follows a restore).
    private final Map<String, DayStatsSerde.Value> recent =
        new LinkedHashMap<>(1024, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, DayStatsSerde.Value> eldest) {
            return size() > RECENT_MAX;
          }
        };
    // Stream time at which the earliest open day closes; scanning the store before is pointless.
    private long earliestClose = Long.MIN_VALUE;
    private ProcessorContext<String, DailyAggregate> context;
    private KeyValueStore<String, DayStatsSerde.Value> store;
    private DayWindow current;
    private String currentPrefix; // "day|" of current, so a key is not rebuilt from a LocalDate

    DailyAggregationProcessor(
        ZoneId zone, long grace, long updateInterval, PipelineMetrics metrics) {
      this.zone = zone;
      this.grace = grace;
      this.updateInterval = updateInterval;
      this.meters = metrics.step(STEP);
      this.latency = metrics.latency("aggregate");
    }

    @Override
    public void init(ProcessorContext<String, DailyAggregate> context) {
      this.context = context;
      this.store = context.getStateStore(STORE);
      recent.clear();
      dirty.clear();
      current = null;
      earliestClose = Long.MIN_VALUE;
      context.schedule(Duration.ofMinutes(1), PunctuationType.STREAM_TIME, this::closeDays);
      if (updateInterval > 0) {
        // Which days changed since their last running update is kept in memory only: after a
        // rollback (or a restart) every open day's running aggregate goes out again at the next
        // update, so none stays behind the store (the key upserts; a repeat is harmless).
        try (KeyValueIterator<String, DayStatsSerde.Value> it = store.all()) {
          it.forEachRemaining(kv -> dirty.add(kv.key));
        }
        context.schedule(
            Duration.ofMillis(updateInterval),
            PunctuationType.WALL_CLOCK_TIME,
            now -> emitRunning());
      }
    }

    @Override
    public void process(Record<String, CleanReading> record) {
      meters.in();
      CleanReading r = record.value();
      long t = r.getEventTime().toEpochMilli();
      if (current == null || t < current.start() || t >= current.end()) {
        current = DayWindow.of(t, zone);
        currentPrefix = current.day() + "|";
      }
      DayWindow day = current;
      long streamTime = context.currentStreamTimeMs();
      if (day.end() + grace <= streamTime) {
        throw new Rejected(
            "too-late",
            "reading of "
                + day.day()
                + " ("
                + zone
                + ") arrived at stream time "
                + Instant.ofEpochMilli(streamTime)
                + ", after the day closed at "
                + Instant.ofEpochMilli(day.end() + grace)
                + " (grace "
                + grace
                + " ms)");
      }
      for (ChannelValue v : r.getValues()) {
        String key = currentPrefix + r.getDeviceId() + "|" + v.getChannel();
        DayStatsSerde.Value stored = recent.get(key);
        if (stored == null) {
          stored = store.get(key);
        }
        // A copy: the object in `recent` changes only once the store took the new value.
        DailyStats stats = stored == null ? new DailyStats() : stored.stats().copy();
        DayStatsSerde.Value updated =
            new DayStatsSerde.Value(stats.add(v.getValue(), t), r.getOwnerId(), r.getSensorType());
        store.put(key, updated);
        recent.put(key, updated);
        if (updateInterval > 0) {
          dirty.add(key);
        }
      }
      earliestClose =
          earliestClose == Long.MIN_VALUE
              ? day.end() + grace
              : Math.min(earliestClose, day.end() + grace);
      // A record that moved stream time past a day's end may close that day right away.
      if (streamTime >= earliestClose) {
        closeDays(streamTime);
      }
    }

    private void closeDays(long streamTime) {
      if (earliestClose != Long.MIN_VALUE && streamTime < earliestClose) {
        return;
      }
      List<KeyValue<String, DayStatsSerde.Value>> closed = new ArrayList<>();
      long next = Long.MAX_VALUE;
      try (KeyValueIterator<String, DayStatsSerde.Value> it = store.all()) {
        while (it.hasNext()) {
          KeyValue<String, DayStatsSerde.Value> kv = it.next();
          LocalDate day = LocalDate.parse(kv.key.substring(0, kv.key.indexOf('|')));
          long closes = DayWindow.of(day, zone).end() + grace;
          if (closes > streamTime) {
            next = closes; // keys start with the ISO day, so every later key is a later day
            break;
          }
          closed.add(kv);
        }
      }
      earliestClose = next;
      for (KeyValue<String, DayStatsSerde.Value> kv : closed) {
        emit(kv.key, kv.value, true);
        store.delete(kv.key);
        recent.remove(kv.key);
        dirty.remove(kv.key);
      }
    }

    private void emitRunning() {
      for (String key : dirty) {
        DayStatsSerde.Value value = store.get(key);
        if (value != null) {
          emit(key, value, false);
        }
      }
      dirty.clear();
    }

    private void emit(String key, DayStatsSerde.Value value, boolean fin) {
      String[] k = key.split("\\|", 3);
      LocalDate day = LocalDate.parse(k[0]);
      DayWindow w = DayWindow.of(day, zone);
      DailyStats s = value.stats();
      DailyAggregate a =
          DailyAggregate.newBuilder()
              .setDeviceId(k[1])
              .setOwnerId(value.owner())
              .setSensorType(value.type())
              .setChannel(k[2])
              .setDay(day)
              .setZone(zone.getId())
              .setWindowStart(Instant.ofEpochMilli(w.start()))
              .setWindowEnd(Instant.ofEpochMilli(w.end()))
              .setCount(s.count())
              .setMin(s.min())
              .setMax(s.max())
              .setMean(s.mean())
              .setFirstEventTime(Instant.ofEpochMilli(s.first()))
              .setLastEventTime(Instant.ofEpochMilli(s.last()))
              .setIsFinal(fin)
              .build();
      meters.out();
      if (fin) {
        latency.record(context.currentSystemTimeMs() - w.end());
      }
      context.forward(
          new Record<>(
              outputKey(k[1], k[2], day), a, Math.max(0, Math.min(s.last(), w.end() - 1))));
    }
  }
}
