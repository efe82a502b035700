package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.Topics;
import io.biometer.avro.BodyReading;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.SensorType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every DLQ reason of the validation, with the original bytes and the headers. */
class ValidationTopologyTest {

  private final Driver d = new Driver().register("spo2-1", SensorType.BLOOD_OXYGEN);
  private final Instant t = Driver.WALL.minusSeconds(60);

  @AfterEach
  void close() {
    d.close();
  }

  private static String h(Headers headers, String key) {
    return DlqHeaders.value(headers, key);
  }

  @Test
  void validReadingPassesToTheCleanTopic() {
    d.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, 0, t, "sink-a", 97.0));
    TestRecord<String, io.biometer.avro.CleanReading> out = d.clean.readRecord();
    assertThat(out.key()).isEqualTo("spo2-1");
    assertThat(out.value().getSequence()).isZero();
    assertThat(out.value().getValidatedAt()).isEqualTo(Driver.WALL);
    assertThat(d.dlq.isEmpty()).isTrue();
  }

  @Test
  void undecodableBytesGoToTheDlqWithTheOriginalBytesAndWhereFrom() {
    byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);
    d.rawBody.pipeInput(new TestRecord<>("spo2-1", garbage, t));
    TestRecord<byte[], byte[]> r = d.dlq.readRecord();
    assertThat(r.value()).isEqualTo(garbage);
    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("spo2-1");
    assertThat(h(r.headers(), DlqHeaders.REASON)).isEqualTo("undecodable");
    assertThat(h(r.headers(), DlqHeaders.SOURCE_TOPIC)).isEqualTo(Topics.BODY_READINGS);
    assertThat(h(r.headers(), DlqHeaders.SOURCE_PARTITION)).isEqualTo("0");
    assertThat(h(r.headers(), DlqHeaders.SOURCE_OFFSET)).isEqualTo("0");
    assertThat(h(r.headers(), DlqHeaders.SOURCE_TIMESTAMP))
        .isEqualTo(Long.toString(t.toEpochMilli()));
    assertThat(h(r.headers(), DlqHeaders.EXCEPTION_CLASS))
        .isEqualTo(SerializationException.class.getName());
    assertThat(h(r.headers(), DlqHeaders.EXCEPTION_MESSAGE))
        .contains("unknown magic byte 0x6e")
        .contains(Topics.BODY_READINGS);
    assertThat(d.clean.isEmpty()).isTrue();
    assertThat(d.metrics.count("biometer.dlq.records", "reason", "undecodable")).isEqualTo(1);
  }

  @Test
  void unknownDeviceGoesToTheDlqAtOnceWhenNothingWaits() {
    try (Driver noWait =
        new Driver(Map.of(StreamsAppConfig.UNKNOWN_DEVICE_WAIT_MS_CONFIG, 0L))
            .register("spo2-1", SensorType.BLOOD_OXYGEN)) {
      BodyReading r = Driver.reading("stranger", SensorType.BLOOD_OXYGEN, 0, t, "sink-a", 97.0);
      byte[] original = noWait.serdes.body.serializer().serialize(Topics.BODY_READINGS, r);
      noWait.send(r);
      TestRecord<byte[], byte[]> out = noWait.dlq.readRecord();
      assertThat(h(out.headers(), DlqHeaders.REASON)).isEqualTo("unknown-device");
      assertThat(out.value()).isEqualTo(original);
      assertThat(h(out.headers(), DlqHeaders.EXCEPTION_MESSAGE)).contains("stranger");
      assertThat(h(out.headers(), DlqHeaders.EXCEPTION_CLASS)).endsWith("Rejected");
      assertThat(h(out.headers(), DlqHeaders.SOURCE_TOPIC)).isEqualTo(Topics.BODY_READINGS);
      assertThat(noWait.clean.isEmpty()).isTrue();
    }
  }

  @Test
  void physicallyImpossibleValueGoesToTheDlq() {
    d.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, 0, t, "sink-a", 140.0));
    TestRecord<byte[], byte[]> out = d.dlq.readRecord();
    assertThat(h(out.headers(), DlqHeaders.REASON)).isEqualTo("impossible-value");
    assertThat(h(out.headers(), DlqHeaders.EXCEPTION_MESSAGE))
        .contains("spo2 = 140.0")
        .contains("[0.0, 100.0]");
  }

  @Test
  void notANumberIsImpossible() {
    d.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, 0, t, "sink-a", Double.NaN));
    assertThat(h(d.dlq.readRecord().headers(), DlqHeaders.REASON)).isEqualTo("impossible-value");
  }

  @Test
  void eventTimeTooFarInTheFutureGoesToTheDlq() {
    d.send(
        Driver.reading(
            "spo2-1",
            SensorType.BLOOD_OXYGEN,
            0,
            Driver.WALL.plus(Duration.ofMinutes(10)),
            "sink-a",
            97.0));
    TestRecord<byte[], byte[]> out = d.dlq.readRecord();
    assertThat(h(out.headers(), DlqHeaders.REASON)).isEqualTo("future-event-time");
  }

  @Test
  void smallClockSkewIsAccepted() {
    d.send(
        Driver.reading(
            "spo2-1",
            SensorType.BLOOD_OXYGEN,
            0,
            Driver.WALL.plus(Duration.ofMinutes(2)),
            "sink-a",
            97.0));
    assertThat(d.clean.readValuesToList()).hasSize(1);
  }

  @Test
  void unknownChannelGoesToTheDlq() {
    BodyReading r = Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, 0, t, "sink-a", 97.0);
    r.setValues(List.of(new ChannelValue("pulse", 70.0)));
    d.send(r);
    assertThat(h(d.dlq.readRecord().headers(), DlqHeaders.REASON)).isEqualTo("unknown-channel");
  }

  @Test
  void sensorTypeOtherThanRegisteredGoesToTheDlq() {
    d.send(Driver.reading("spo2-1", SensorType.BODY_TEMPERATURE, 0, t, "sink-a", 37.0));
    assertThat(h(d.dlq.readRecord().headers(), DlqHeaders.REASON))
        .isEqualTo("sensor-type-mismatch");
  }

  @Test
  void tombstoneOnAReadingsTopicGoesToTheDlq() {
    d.rawBody.pipeInput(new TestRecord<>("spo2-1", null, t));
    assertThat(h(d.dlq.readRecord().headers(), DlqHeaders.REASON)).isEqualTo("empty-value");
  }

  @Test
  void theAppGoesOnAfterBadRecords() {
    d.rawBody.pipeInput(new TestRecord<>("spo2-1", new byte[] {0, 0, 0, 0}, t));
    d.send(Driver.reading("stranger", SensorType.BLOOD_OXYGEN, 0, t, "sink-a", 97.0));
    d.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, 0, t, "sink-a", 97.0));
    d.advanceWallClock(Duration.ofSeconds(31)); // the stranger's wait for its registration ends
    assertThat(d.dlq.readRecordsToList()).hasSize(2);
    assertThat(d.clean.readValuesToList()).hasSize(1);
  }
}
