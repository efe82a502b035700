package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.Topics;
import io.biometer.avro.BodyReading;
import io.biometer.avro.CleanReading;
import io.biometer.avro.SensorType;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

/** The one source of both reading topics decodes each by its topic. */
class ReadingDeserializerTest {

  private final TelemetrySerdes serdes = new TelemetrySerdes("mock://reading-deserializer");
  private final Deserializer<ReceivedReading> reading = serdes.reading.deserializer();

  @Test
  void aBodyReadingBecomesACleanReadingOwnedByItsPatient() {
    BodyReading body = Driver.reading("hr-1", SensorType.ECG, 7, Driver.WALL, "sink-a", 72);
    byte[] bytes = serdes.body.serializer().serialize(Topics.BODY_READINGS, body);
    CleanReading r = reading.deserialize(Topics.BODY_READINGS, bytes).normalized();
    assertThat(r).isEqualTo(NormalizedReadings.fromBody(body));
    assertThat(r.getOwnerId()).isEqualTo("patient-1");
  }

  @Test
  void theOriginalBytesStayWithTheReading() {
    BodyReading body = Driver.reading("hr-1", SensorType.ECG, 7, Driver.WALL, "sink-a", 72);
    byte[] bytes = serdes.body.serializer().serialize(Topics.BODY_READINGS, body);
    ReceivedReading r = reading.deserialize(Topics.BODY_READINGS, bytes);
    assertThat(r.value()).isSameAs(bytes);
    assertThat(serdes.reading.serializer().serialize(Topics.BODY_READINGS, r)).isSameAs(bytes);
  }

  @Test
  void aTombstoneStaysNullForValidationToReject() {
    assertThat(reading.deserialize(Topics.BODY_READINGS, null)).isNull();
    assertThat(reading.deserialize(Topics.METER_READINGS, null)).isNull();
  }

  @Test
  void anotherTopicIsAClearError() {
    assertThatThrownBy(() -> reading.deserialize("telemetry.other", new byte[] {0, 0, 0, 0, 1}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("telemetry.other")
        .hasMessageContaining(Topics.BODY_READINGS);
  }
}
