package io.biometer.serde;

import io.biometer.avro.BodyReading;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.Provenance;
import io.biometer.avro.RelayKind;
import io.biometer.avro.SensorType;
import java.time.Instant;
import java.util.List;

/** Records for tests. */
public final class Fixtures {

  private Fixtures() {}

  /**
   * A blood-pressure reading of device {@code bp-1} with sequence {@code seq}, relayed by sink A.
   */
  public static BodyReading bodyReading(long seq) {
    return BodyReading.newBuilder()
        .setDeviceId("bp-1")
        .setPatientId("patient-7")
        .setSensorType(SensorType.BLOOD_PRESSURE)
        .setSequence(seq)
        .setEventTime(Instant.ofEpochMilli(1_763_683_200_000L + seq * 10_000))
        .setValues(
            List.of(new ChannelValue("systolic", 121.0), new ChannelValue("diastolic", 79.5)))
        .setBatteryPercent(87.5f)
        .setProvenance(
            Provenance.newBuilder()
                .setRelayKind(RelayKind.SINK)
                .setRelayId("sink-A")
                .setRelayedAt(Instant.ofEpochMilli(1_763_683_200_050L + seq * 10_000))
                .build())
        .build();
  }
}
