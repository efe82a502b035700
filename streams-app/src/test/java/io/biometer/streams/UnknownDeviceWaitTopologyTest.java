package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.Topics;
import io.biometer.avro.BodyReading;
import io.biometer.avro.CleanReading;
import io.biometer.avro.SensorType;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A device's registration and its first readings race across two topics: a reading that arrives
 * before its device waits for it, in a changelogged store, and goes to the DLQ as unknown-device
 * only when {@code validation.unknown.device.wait.ms} of wall time has passed.
 */
class UnknownDeviceWaitTopologyTest {

  private static final String GAUGE = "biometer.validation.waiting.readings";

  private final Driver d = new Driver().register("spo2-1", SensorType.BLOOD_OXYGEN);
  private final Instant t = Driver.WALL.minusSeconds(60);

  @AfterEach
  void close() {
    d.close();
  }

  private static String h(Headers headers, String key) {
    return DlqHeaders.value(headers, key);
  }

  private double waiting(Driver driver) {
    return driver.metrics.registry().get(GAUGE).gauge().value();
  }

  private BodyReading reading(String device, long seq) {
    return Driver.reading(device, SensorType.BLOOD_OXYGEN, seq, t.plusSeconds(seq), "sink-a", 97);
  }

  @Test
  void aReadingBeforeItsDeviceWaitsAndPassesOnceTheDeviceIsRegistered() {
    d.send(reading("new-1", 0));
    assertThat(d.clean.isEmpty()).isTrue();
    assertThat(d.dlq.isEmpty()).isTrue();
    assertThat(waiting(d)).isEqualTo(1);

    d.register("new-1", SensorType.BLOOD_OXYGEN);
    d.advanceWallClock(Duration.ofMillis(250)); // the next check
    TestRecord<String, CleanReading> out = d.clean.readRecord();
    assertThat(out.key()).isEqualTo("new-1");
    assertThat(out.value().getSequence()).isZero();
    assertThat(out.value().getValidatedAt()).isEqualTo(Driver.WALL.plusMillis(250));
    assertThat(out.timestamp()).isEqualTo(t.toEpochMilli());
    assertThat(d.dlq.isEmpty()).isTrue();
    assertThat(waiting(d)).isZero();
    assertThat(d.metrics.count("biometer.validation.released")).isEqualTo(1);
  }

  @Test
  void aReadingAfterItsDevicePassesAtOnce() {
    d.register("new-1", SensorType.BLOOD_OXYGEN);
    d.send(reading("new-1", 0));
    assertThat(d.clean.readRecord().value().getSequence()).isZero();
    assertThat(waiting(d)).isZero();
  }

  @Test
  void aReadingWhoseDeviceNeverComesGoesToTheDlqWhenTheWaitEnds() {
    BodyReading r = reading("stranger", 0);
    byte[] original = d.serdes.body.serializer().serialize(Topics.BODY_READINGS, r);
    Headers headers = new RecordHeaders().add("trace", new byte[] {7});
    d.body.pipeInput(new TestRecord<>("stranger", r, headers, t));
    d.send(reading("spo2-1", 0)); // another device is not held up

    d.advanceWallClock(Duration.ofSeconds(29));
    assertThat(d.dlq.isEmpty()).as("still waiting").isTrue();
    assertThat(waiting(d)).isEqualTo(1);
    d.advanceWallClock(Duration.ofSeconds(2));

    TestRecord<byte[], byte[]> out = d.dlq.readRecord();
    assertThat(out.value()).isEqualTo(original);
    assertThat(out.key()).isEqualTo("stranger".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(h(out.headers(), DlqHeaders.REASON)).isEqualTo("unknown-device");
    assertThat(h(out.headers(), DlqHeaders.EXCEPTION_MESSAGE))
        .contains("stranger is not in telemetry.devices")
        .contains("waited");
    assertThat(h(out.headers(), DlqHeaders.SOURCE_TOPIC)).isEqualTo(Topics.BODY_READINGS);
    assertThat(h(out.headers(), DlqHeaders.SOURCE_PARTITION)).isEqualTo("0");
    assertThat(h(out.headers(), DlqHeaders.SOURCE_OFFSET)).isEqualTo("0");
    assertThat(h(out.headers(), DlqHeaders.SOURCE_TIMESTAMP))
        .isEqualTo(Long.toString(t.toEpochMilli()));
    assertThat(h(out.headers(), "trace")).isEqualTo("\u0007");
    assertThat(d.dlq.isEmpty()).isTrue();
    assertThat(d.clean.readValuesToList())
        .extracting(CleanReading::getDeviceId)
        .containsExactly("spo2-1");
    assertThat(waiting(d)).isZero();
    assertThat(d.metrics.count("biometer.dlq.records", "reason", "unknown-device")).isEqualTo(1);
  }

  @Test
  void laterReadingsOfAWaitingDeviceKeepTheirOrder() {
    d.send(reading("new-1", 0));
    d.register("new-1", SensorType.BLOOD_OXYGEN);
    d.send(reading("new-1", 1)); // registered by now, but reading 0 still waits
    d.send(reading("new-1", 2));
    assertThat(d.clean.isEmpty()).isTrue();
    d.advanceWallClock(Duration.ofMillis(250));
    assertThat(d.clean.readValuesToList())
        .extracting(CleanReading::getSequence)
        .containsExactly(0L, 1L, 2L);
    d.send(reading("new-1", 3));
    assertThat(d.clean.readValue().getSequence()).isEqualTo(3);
  }

  @Test
  void aWaitingReadingIsValidatedWhenItsDeviceComes() {
    BodyReading r = reading("new-1", 0);
    byte[] original = d.serdes.body.serializer().serialize(Topics.BODY_READINGS, r);
    d.send(r);
    d.register("new-1", SensorType.BODY_TEMPERATURE); // not what it sent
    d.advanceWallClock(Duration.ofMillis(250));
    TestRecord<byte[], byte[]> out = d.dlq.readRecord();
    assertThat(h(out.headers(), DlqHeaders.REASON)).isEqualTo("sensor-type-mismatch");
    assertThat(out.value()).isEqualTo(original);
    assertThat(h(out.headers(), DlqHeaders.SOURCE_OFFSET)).isEqualTo("0");
    assertThat(d.clean.isEmpty()).isTrue();
    assertThat(waiting(d)).isZero();
  }

  @Test
  void aReleasedReadingRejectedFurtherOnKeepsItsSource() {
    // Stream time two days on: the waiting reading's day has closed by the time it is released.
    d.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, 0, Driver.WALL, "s", 97));
    BodyReading old =
        Driver.reading(
            "new-1", SensorType.BLOOD_OXYGEN, 0, Driver.WALL.minus(Duration.ofDays(3)), "s", 97);
    byte[] original = d.serdes.body.serializer().serialize(Topics.BODY_READINGS, old);
    d.send(old);
    d.register("new-1", SensorType.BLOOD_OXYGEN);
    d.advanceWallClock(Duration.ofMillis(250));
    TestRecord<byte[], byte[]> out = d.dlq.readRecord();
    assertThat(h(out.headers(), DlqHeaders.REASON)).isEqualTo("too-late");
    assertThat(out.value()).isEqualTo(original);
    assertThat(h(out.headers(), DlqHeaders.SOURCE_TOPIC)).isEqualTo(Topics.BODY_READINGS);
    assertThat(h(out.headers(), DlqHeaders.SOURCE_OFFSET)).isEqualTo("1");
  }

  @Test
  void whenTheWaitIsFullAnUnknownDeviceIsRejectedAtOnce() {
    try (Driver small = new Driver(Map.of(StreamsAppConfig.UNKNOWN_DEVICE_MAX_WAITING_CONFIG, 1))) {
      small.send(reading("new-1", 0));
      small.send(reading("new-2", 0));
      TestRecord<byte[], byte[]> out = small.dlq.readRecord();
      assertThat(h(out.headers(), DlqHeaders.REASON)).isEqualTo("unknown-device");
      assertThat(h(out.headers(), DlqHeaders.EXCEPTION_MESSAGE))
          .contains("new-2")
          .contains("validation.unknown.device.max.waiting");
      assertThat(waiting(small)).isEqualTo(1);
    }
  }
}
