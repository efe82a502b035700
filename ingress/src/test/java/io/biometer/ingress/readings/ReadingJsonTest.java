package io.biometer.ingress.readings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.ingress.Refusal;
import io.biometer.ingress.Refused;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadingJsonTest {

  private static final String ONE =
      "{\"deviceId\":\"p1.blood_pressure\",\"sequence\":42,"
          + "\"sentAt\":\"2026-12-01T10:00:00.250Z\",\"eventTime\":1764583200000,"
          + "\"values\":{\"systolic\":121,\"diastolic\":79.5},\"batteryPercent\":87.5}";

  private static void refused(String json, Refusal reason, String message) {
    assertThatThrownBy(() -> ReadingJson.parse(Buffer.buffer(json)))
        .isInstanceOf(Refused.class)
        .hasMessageContaining(message)
        .extracting(e -> ((Refused) e).reason())
        .isEqualTo(reason);
  }

  @Test
  void oneReadingInTheDocumentedShape() {
    List<DeviceReading> rs = ReadingJson.parse(Buffer.buffer(ONE));
    assertThat(rs).hasSize(1);
    DeviceReading r = rs.get(0);
    assertThat(r.deviceId()).isEqualTo("p1.blood_pressure");
    assertThat(r.sequence()).isEqualTo(42);
    assertThat(r.sentAt()).isEqualTo(Instant.parse("2026-12-01T10:00:00.250Z").toEpochMilli());
    assertThat(r.eventTime()).isEqualTo(1764583200000L);
    assertThat(r.values()).containsEntry("systolic", 121.0).containsEntry("diastolic", 79.5);
    assertThat(r.batteryPercent()).isEqualTo(87.5f);
    assertThat(r.id()).isEqualTo("p1.blood_pressure/42");
  }

  @Test
  void aBatchIsAnArrayAndRoundTripsThroughToJson() {
    DeviceReading r = ReadingJson.parse(Buffer.buffer(ONE)).get(0);
    String batch = "[" + ReadingJson.toJson(r).encode() + "," + ONE + "]";
    assertThat(ReadingJson.parse(Buffer.buffer(batch))).containsExactly(r, r);
  }

  @Test
  void badInputIsRefusedNamingTheReadingAndField() {
    refused("{not json", Refusal.MALFORMED, "not JSON");
    refused("[]", Refusal.MALFORMED, "empty batch");
    refused("42", Refusal.MALFORMED, "expected a reading object");
    refused("[" + ONE + ",3]", Refusal.MALFORMED, "reading [1] is not an object");
    refused(
        ONE.replace("\"sequence\":42", "\"sequence\":\"42\""),
        Refusal.MALFORMED,
        "sequence must be an integer");
    refused(
        ONE.replace("\"sequence\":42", "\"sequence\":-1"),
        Refusal.MALFORMED,
        "sequence must be >= 0");
    refused(
        ONE.replace("\"sentAt\":\"2026-12-01T10:00:00.250Z\"", "\"sentAt\":\"yesterday\""),
        Refusal.MALFORMED,
        "sentAt must be an ISO-8601 instant");
    refused(
        ONE.replace("121", "\"high\""), Refusal.MALFORMED, "channel 'systolic' is not a number");
    refused(
        ONE.replace("87.5", "101"), Refusal.MALFORMED, "batteryPercent must be a number 0 to 100");
    refused(
        ONE.replace("\"deviceId\":\"p1.blood_pressure\",", ""),
        Refusal.MALFORMED,
        "deviceId must be a non-empty string");
    refused(
        "[" + ONE + "," + ONE.replace("{\"deviceId\"", "{\"patientId\":\"p9\",\"deviceId\"") + "]",
        Refusal.UNKNOWN_FIELD,
        "reading [1]: unknown field 'patientId'");
  }

  @Test
  void aDeviceMaySendTheSameReadingInAvroSingleObjectEncoding() {
    DeviceReading r = ReadingJson.parse(Buffer.buffer(ONE)).get(0);
    byte[] avro = ReadingJson.toAvro(r);
    assertThat(avro[0]).isEqualTo((byte) 0xC3);
    assertThat(avro[1]).isEqualTo((byte) 0x01);
    assertThat(ReadingJson.parse(Buffer.buffer(avro))).containsExactly(r);
  }

  @Test
  void avroOfAnotherSchemaOrCutShortIsRefusedSayingWhatToSend() {
    byte[] avro = ReadingJson.toAvro(ReadingJson.parse(Buffer.buffer(ONE)).get(0));
    byte[] otherSchema = avro.clone();
    otherSchema[2] ^= 0x55;
    assertThatThrownBy(() -> ReadingJson.parse(Buffer.buffer(otherSchema)))
        .isInstanceOf(Refused.class)
        .hasMessageContaining(
            "send io.biometer.avro.IngressReading (fingerprint " + ReadingJson.fingerprint() + ")");
    byte[] cut = java.util.Arrays.copyOf(avro, avro.length - 3);
    assertThatThrownBy(() -> ReadingJson.parse(Buffer.buffer(cut)))
        .isInstanceOf(Refused.class)
        .hasMessageContaining("not an Avro single-object IngressReading: batteryPercent is cut");
    // 15 bytes whose deviceId claims 2^31 bytes: refused, not allocated.
    byte[] huge = java.util.Arrays.copyOf(avro, 15);
    huge[10] = (byte) 0x80;
    huge[11] = (byte) 0x80;
    huge[12] = (byte) 0x80;
    huge[13] = (byte) 0x80;
    huge[14] = (byte) 0x10;
    assertThatThrownBy(() -> ReadingJson.parse(Buffer.buffer(huge)))
        .isInstanceOf(Refused.class)
        .hasMessageContaining("deviceId claims 2147483648 bytes, 0 are left");
  }
}
