package io.biometer.streams;

import io.biometer.avro.BodyReading;
import io.biometer.avro.CleanReading;
import io.biometer.avro.MeterReading;
import java.time.Instant;

/**
 * Normalizes body and meter readings into the one shape the rest of the topology works on. The
 * result is not validated yet: its {@code validatedAt} is the epoch until validation stamps it and
 * passes it on as a clean reading.
 */
final class NormalizedReadings {

  private NormalizedReadings() {}

  static CleanReading fromBody(BodyReading r) {
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
