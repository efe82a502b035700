package io.biometer.streams;

import io.biometer.avro.ChannelValue;
import io.biometer.avro.CleanReading;
import io.biometer.avro.Device;
import io.biometer.catalog.ChannelSpec;
import io.biometer.catalog.SensorCatalog;
import io.biometer.catalog.SensorTypeSpec;
import io.biometer.streams.internal.DeviceCache;
import io.biometer.streams.internal.OriginalBytes;
import io.biometer.streams.internal.Rejected;
import io.biometer.streams.internal.RejectedSources;
import io.biometer.streams.internal.ReleasedSource;
import io.biometer.streams.internal.SourceRecord;
import io.biometer.streams.internal.WaitingReadings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;

/**
 * Rejects (to the DLQ, through {@link DlqProcessingHandler}) a reading from a device registered as
 * another sensor type, one with a channel the catalogue does not know or a physically impossible
 * value, and one whose event time is further ahead of the wall clock than {@code
 * validation.max.future.skew.ms}. Passes the rest on, stamped with {@code validatedAt}. Input must
 * be keyed by device id.
 *
 * <p>A reading from a device that is not in the registry waits for its registration: a device's
 * registration and its first readings travel on two topics, and either may arrive first. It is
 * kept, with its original bytes and where it came from, in a changelogged store ({@value
 * #WAIT_STORE}), and a wall-clock punctuator looks its device up again every {@code
 * validation.unknown.device.check.interval.ms} while any reading waits. Once the device is
 * registered, the reading is validated and passed on; the device's later readings wait behind it
 * meanwhile, so they stay in arrival order. When {@code validation.unknown.device.wait.ms} has
 * passed, it goes to the DLQ as {@code unknown-device}, with its original bytes and source. At most
 * {@code validation.unknown.device.max.waiting} readings wait per task; beyond that, a reading from
 * an unregistered device is rejected at once. The count of waiting readings is the gauge {@code
 * biometer_validation_waiting_readings}.
 *
 * <p>State: the store is the truth. The processor keeps an index of it (readings waiting per
 * device, their total, the next arrival number), changed only after the store, and rebuilt from the
 * store on every {@code init}: after a restore, a revive or a reassignment it holds exactly what
 * the store holds.
 */
public final class Validation {

  public static final String STEP = "validation";
  public static final String NODE = "validate-readings";
  public static final String WAIT_STORE = "unknown-device-wait-store";

  private Validation() {}

  /**
   * The validated stream; {@code devicesStore} is the registry's global store, {@code decoder}
   * decodes a waiting reading's original bytes again when it is released.
   */
  public static KStream<String, CleanReading> apply(
      StreamsBuilder builder,
      KStream<String, ReceivedReading> readings,
      StreamsAppConfig config,
      PipelineMetrics metrics,
      String devicesStore,
      Deserializer<ReceivedReading> decoder) {
    // Not cached: it is written only while a device is unknown, and read at a check.
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(WAIT_STORE), Serdes.ByteArray(), Serdes.ByteArray()));
    return readings.process(
        () -> new ValidationProcessor(config, metrics, devicesStore, decoder),
        Named.as(NODE),
        WAIT_STORE);
  }

  /** The processor alone, for tests that drive it directly (a restart over a kept store). */
  static Processor<String, ReceivedReading, String, CleanReading> processor(
      StreamsAppConfig config,
      PipelineMetrics metrics,
      String devicesStore,
      Deserializer<ReceivedReading> decoder) {
    return new ValidationProcessor(config, metrics, devicesStore, decoder);
  }

  private static final class ValidationProcessor
      implements Processor<String, ReceivedReading, String, CleanReading> {
    private final long maxSkew;
    private final long lateAfter;
    private final long cacheMs;
    private final long waitMs;
    private final int maxWaiting;
    private final long checkInterval;
    private final PipelineMetrics metrics;
    private final PipelineMetrics.StepMeters meters;
    private final String storeName;
    private final Deserializer<ReceivedReading> decoder;
    private final SensorCatalog catalog = SensorCatalog.standard();
    private ProcessorContext<String, CleanReading> context;
    private DeviceCache devices;
    private KeyValueStore<byte[], byte[]> waitStore;
    // The index of the wait store, rebuilt from it on every init.
    private final Map<String, Integer> waiting = new HashMap<>();
    private int waitingTotal;
    private long nextArrival;
    // What this processor added to the instance's waiting gauge.
    private long counted;
    // The scheduled check, while readings wait.
    private Cancellable checks;

    ValidationProcessor(
        StreamsAppConfig config,
        PipelineMetrics metrics,
        String storeName,
        Deserializer<ReceivedReading> decoder) {
      this.maxSkew = config.maxFutureSkewMs();
      this.lateAfter = config.lateAfterMs();
      this.cacheMs = config.registryCacheMs();
      this.waitMs = config.unknownDeviceWaitMs();
      this.maxWaiting = config.unknownDeviceMaxWaiting();
      this.checkInterval = config.unknownDeviceCheckIntervalMs();
      this.metrics = metrics;
      this.meters = metrics.step(STEP);
      this.storeName = storeName;
      this.decoder = decoder;
    }

    @Override
    public void init(ProcessorContext<String, CleanReading> context) {
      this.context = context;
      TimestampedKeyValueStore<String, Device> registry = context.getStateStore(storeName);
      this.devices = new DeviceCache(registry, cacheMs);
      this.waitStore = context.getStateStore(WAIT_STORE);
      waiting.clear();
      waitingTotal = 0;
      nextArrival = 0;
      try (KeyValueIterator<byte[], byte[]> it = waitStore.all()) {
        while (it.hasNext()) {
          KeyValue<byte[], byte[]> kv = it.next();
          waiting.merge(WaitingReadings.decode(kv.value, WAIT_STORE).deviceId(), 1, Integer::sum);
          waitingTotal++;
          nextArrival = Math.max(nextArrival, WaitingReadings.arrival(kv.key) + 1);
        }
      }
      metrics.waiting(waitingTotal - counted);
      counted = waitingTotal;
      checks = null;
      if (waitingTotal > 0) {
        scheduleChecks();
      }
    }

    /**
     * Checks the waiting readings every {@code checkInterval}, while any wait: a punctuation makes
     * its task commit, so an idle check would cost a transaction every interval.
     */
    private void scheduleChecks() {
      if (checks == null) {
        // Wall clock on purpose: a registration arrives on its own topic, which no event time
        // shows.
        checks =
            context.schedule(
                Duration.ofMillis(checkInterval),
                PunctuationType.WALL_CLOCK_TIME,
                this::checkWaiting);
      }
    }

    @Override
    public void close() {
      metrics.waiting(-counted);
      counted = 0;
      checks = null;
    }

    @Override
    public void process(Record<String, ReceivedReading> record) {
      meters.in();
      ReceivedReading in = record.value();
      if (in == null) {
        throw new Rejected("empty-value", "a reading without a value (tombstone)");
      }
      CleanReading r = in.normalized();
      String id = r.getDeviceId();
      long now = context.currentSystemTimeMs();
      Device d = devices.get(id, now);
      if (d == null || (waitingTotal > 0 && waiting.containsKey(id))) {
        if (waitMs > 0 && waitingTotal < maxWaiting) {
          park(record, in, id, now);
          return;
        }
        if (d == null) {
          throw new Rejected(
              "unknown-device",
              notRegistered(id)
                  + (waitMs > 0
                      ? "; "
                          + waitingTotal
                          + " readings already wait for their devices, the most"
                          + " validation.unknown.device.max.waiting allows"
                      : ""));
        }
        // Registered, but its earlier readings wait and the store is full: this one goes ahead.
      }
      check(r, d, now);
      meters.out();
      OriginalBytes.forward(record.key(), in.value(), () -> context.forward(record.withValue(r)));
    }

    /** Keeps a reading until its device is registered or the wait ends. */
    private void park(
        Record<String, ReceivedReading> record, ReceivedReading in, String id, long now) {
      Optional<RecordMetadata> m = context.recordMetadata();
      SourceRecord source =
          new SourceRecord(
              m.map(RecordMetadata::topic).orElse(null),
              m.map(RecordMetadata::partition).orElse(-1),
              m.map(RecordMetadata::offset).orElse(-1L),
              record.timestamp(),
              record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8),
              in.value(),
              new RecordHeaders(record.headers().toArray()));
      waitStore.put(
          WaitingReadings.key(nextArrival),
          WaitingReadings.encode(new WaitingReadings.Entry(id, now, source)));
      nextArrival++;
      waiting.merge(id, 1, Integer::sum);
      waitingTotal++;
      counted++;
      metrics.waiting(1);
      scheduleChecks();
    }

    /**
     * Passes on the waiting readings whose device is registered now, in arrival order, and sends
     * those that waited {@code waitMs} to the DLQ; a device's readings stay in order.
     */
    private void checkWaiting(long now) {
      if (waitingTotal == 0) {
        return;
      }
      List<RejectedSources.Rejection> rejected = new ArrayList<>();
      List<byte[]> done = new ArrayList<>();
      Map<String, Integer> ended = new HashMap<>();
      try (KeyValueIterator<byte[], byte[]> it = waitStore.all()) {
        while (it.hasNext()) {
          KeyValue<byte[], byte[]> kv = it.next();
          WaitingReadings.Entry e = WaitingReadings.decode(kv.value, WAIT_STORE);
          Device d = devices.get(e.deviceId(), now);
          if (d != null) {
            release(e, d, now, rejected);
          } else if (now - e.arrivedAt() >= waitMs) {
            rejected.add(
                new RejectedSources.Rejection(
                    new Rejected(
                        "unknown-device",
                        notRegistered(e.deviceId())
                            + " (waited "
                            + (now - e.arrivedAt())
                            + " ms for its registration)"),
                    e.source()));
          } else {
            continue;
          }
          done.add(kv.key);
          ended.merge(e.deviceId(), 1, Integer::sum);
        }
      }
      done.forEach(waitStore::delete);
      ended.forEach(
          (id, n) -> waiting.compute(id, (k, left) -> left == null || left <= n ? null : left - n));
      waitingTotal -= done.size();
      counted -= done.size();
      metrics.waiting(-done.size());
      if (waitingTotal == 0 && checks != null) {
        checks.cancel();
        checks = null;
      }
      if (!rejected.isEmpty()) {
        throw new RejectedSources(rejected);
      }
    }

    /** Validates a reading whose device is registered now and passes it on, or rejects it. */
    private void release(
        WaitingReadings.Entry e, Device d, long now, List<RejectedSources.Rejection> rejected) {
      SourceRecord s = e.source();
      CleanReading r;
      try {
        r = decoder.deserialize(s.topic(), s.value()).normalized();
        check(r, d, now);
      } catch (Rejected bad) {
        rejected.add(new RejectedSources.Rejection(bad, s));
        return;
      } catch (RuntimeException undecodable) {
        rejected.add(
            new RejectedSources.Rejection(
                new Rejected(
                    "undecodable",
                    "a reading that waited for device "
                        + e.deviceId()
                        + " no longer decodes: "
                        + undecodable),
                s));
        return;
      }
      Record<String, CleanReading> out =
          new Record<>(
              s.key() == null ? null : new String(s.key(), StandardCharsets.UTF_8),
              r,
              s.timestamp(),
              new RecordHeaders(s.headers().toArray()));
      meters.out();
      metrics.released();
      ReleasedSource.forward(s, () -> context.forward(out));
    }

    private static String notRegistered(String id) {
      return "device " + id + " is not in telemetry.devices";
    }

    /** Every check but the registry lookup; stamps {@code validatedAt}. */
    private void check(CleanReading r, Device d, long now) {
      if (d.getSensorType() != null && d.getSensorType() != r.getSensorType()) {
        throw new Rejected(
            "sensor-type-mismatch",
            "device "
                + r.getDeviceId()
                + " is registered as "
                + d.getSensorType()
                + " but sent "
                + r.getSensorType());
      }
      if (!catalog.contains(r.getSensorType())) {
        throw new Rejected(
            "unknown-sensor-type", "sensor type " + r.getSensorType() + " is not in the catalogue");
      }
      SensorTypeSpec spec = catalog.spec(r.getSensorType());
      for (ChannelValue v : r.getValues()) {
        Optional<ChannelSpec> c = spec.channel(v.getChannel());
        if (c.isEmpty()) {
          throw new Rejected(
              "unknown-channel", r.getSensorType() + " has no channel '" + v.getChannel() + "'");
        }
        if (!c.get().isPossible(v.getValue())) {
          throw new Rejected(
              "impossible-value",
              r.getSensorType()
                  + "."
                  + v.getChannel()
                  + " = "
                  + v.getValue()
                  + " is outside the possible range ["
                  + c.get().possibleMin()
                  + ", "
                  + c.get().possibleMax()
                  + "] "
                  + c.get().unit());
        }
      }
      long t = r.getEventTime().toEpochMilli();
      if (t > now + maxSkew) {
        throw new Rejected(
            "future-event-time",
            "event time "
                + r.getEventTime()
                + " is "
                + (t - now)
                + " ms ahead of the wall clock (max "
                + maxSkew
                + ")");
      }
      if (now - t > lateAfter) {
        meters.late();
      }
      r.setValidatedAt(Instant.ofEpochMilli(now));
    }
  }
}
