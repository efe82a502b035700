package io.biometer.streams;

import io.biometer.avro.BodyReading;
import io.biometer.avro.CleanReading;
import io.biometer.avro.MeterReading;
import io.biometer.streams.internal.Rejected;
import java.time.Instant;

/** Body and meter readings in the one shape the rest of the topology works on. */
final class CleanReadings {

  private CleanReadings() {}

  static CleanReading fromBody(BodyReading r) {
    if (r == null) {
      throw new Rejected("empty-value", "a body reading without a value (tombstone)");
    }
    return new CleanReading(
        r.getDeviceId(),
        r.getPatientId(),
        r.getSensorType(),
        r.getSequence(),
        r.getEventTime(),
        r.getValues(),
        r.getBatteryPercent(),
        r.getProvenance(),
        Instant.EPOCH);
  }

  static CleanReading fromMeter(MeterReading r) {
    if (r == null) {
      throw new Rejected("empty-value", "a meter reading without a value (tombstone)");
    }
    return new CleanReading(
        r.getDeviceId(),
        r.getSiteId(),
        r.getSensorType(),
        r.getSequence(),
        r.getEventTime(),
        r.getValues(),
        r.getBatteryPercent(),
        r.getProvenance(),
        Instant.EPOCH);
  }
}
