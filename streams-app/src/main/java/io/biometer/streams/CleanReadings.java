package io.biometer.streams;

import io.biometer.avro.BodyReading;
import io.biometer.avro.CleanReading;
import io.biometer.avro.MeterReading;
import java.time.Instant;

/** Body and meter readings in the one shape the rest of the topology works on. */
final class CleanReadings {

  private CleanReadings() {}

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
