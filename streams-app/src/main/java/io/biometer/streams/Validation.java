package io.biometer.streams;

import io.biometer.avro.ChannelValue;
import io.biometer.avro.CleanReading;
import io.biometer.avro.Device;
import io.biometer.catalog.ChannelSpec;
import io.biometer.catalog.SensorCatalog;
import io.biometer.catalog.SensorTypeSpec;
import io.biometer.streams.internal.DeviceCache;
import io.biometer.streams.internal.PipelineMetrics;
import io.biometer.streams.internal.Rejected;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;

/**
 * Rejects (to the DLQ, through {@link DlqProcessingHandler}) a reading from a device not in the
 * registry or registered as another sensor type, one with a channel the catalogue does not know or
 * a physically impossible value, and one whose event time is further ahead of the wall clock than
 * {@code validation.max.future.skew.ms}. Passes the rest on, stamped with {@code validatedAt}.
 */
public final class Validation {

  public static final String STEP = "validation";

  private Validation() {}

  /** The validated stream; {@code devicesStore} is the registry's global store. */
  public static KStream<String, CleanReading> apply(
      KStream<String, CleanReading> readings,
      StreamsAppConfig config,
      PipelineMetrics metrics,
      String devicesStore) {
    return readings.processValues(
        () ->
            new Step(
                config.maxFutureSkewMs(),
                config.lateAfterMs(),
                config.registryCacheMs(),
                metrics,
                devicesStore),
        Named.as("validate-readings"));
  }

  private static final class Step implements FixedKeyProcessor<String, CleanReading, CleanReading> {
    private final long maxSkew;
    private final long lateAfter;
    private final long cacheMs;
    private final PipelineMetrics.Step meters;
    private final String storeName;
    private final SensorCatalog catalog = SensorCatalog.standard();
    private FixedKeyProcessorContext<String, CleanReading> context;
    private DeviceCache devices;

    Step(long maxSkew, long lateAfter, long cacheMs, PipelineMetrics metrics, String storeName) {
      this.maxSkew = maxSkew;
      this.lateAfter = lateAfter;
      this.cacheMs = cacheMs;
      this.meters = metrics.step(STEP);
      this.storeName = storeName;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, CleanReading> context) {
      this.context = context;
      TimestampedKeyValueStore<String, Device> store = context.getStateStore(storeName);
      this.devices = new DeviceCache(store, cacheMs);
    }

    @Override
    public void process(FixedKeyRecord<String, CleanReading> record) {
      meters.in();
      CleanReading r = record.value();
      if (r == null) {
        throw new Rejected("empty-value", "a reading without a value (tombstone)");
      }
      long now = context.currentSystemTimeMs();
      Device d = devices.get(r.getDeviceId(), now);
      if (d == null) {
        throw new Rejected(
            "unknown-device", "device " + r.getDeviceId() + " is not in telemetry.devices");
      }
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
      meters.out();
      context.forward(record); // r is record.value(), changed in place: no copy of the record
    }
  }
}
