package io.biometer.streams;

import io.biometer.Topics;
import io.biometer.avro.BodyReading;
import io.biometer.avro.MeterReading;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Decodes a body or a meter reading, by its topic, straight into the {@link
 * io.biometer.avro.CleanReading} the steps work on, kept with its original bytes ({@link
 * ReceivedReading}): one source node for both topics, without a mapping and a merge node per
 * record. A tombstone stays null, for validation to reject as {@code empty-value}; bytes that do
 * not decode fail here, as before, and go to the DLQ through the deserialization handler.
 */
final class ReadingDeserializer implements Deserializer<ReceivedReading> {

  private final Deserializer<BodyReading> body;
  private final Deserializer<MeterReading> meter;

  ReadingDeserializer(Deserializer<BodyReading> body, Deserializer<MeterReading> meter) {
    this.body = body;
    this.meter = meter;
  }

  @Override
  public ReceivedReading deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (Topics.BODY_READINGS.equals(topic)) {
      return new ReceivedReading(NormalizedReadings.fromBody(body.deserialize(topic, data)), data);
    }
    if (Topics.METER_READINGS.equals(topic)) {
      return new ReceivedReading(
          NormalizedReadings.fromMeter(meter.deserialize(topic, data)), data);
    }
    throw new SerializationException(
        "no reading type for topic "
            + topic
            + "; expected "
            + Topics.BODY_READINGS
            + " or "
            + Topics.METER_READINGS);
  }
}
