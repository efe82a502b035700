package io.biometer.connect.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.avro.Alert;
import io.biometer.avro.AlertKind;
import io.biometer.avro.AlertState;
import io.biometer.avro.BodyReading;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.CleanReading;
import io.biometer.avro.DailyAggregate;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.MeterReading;
import io.biometer.avro.Provenance;
import io.biometer.avro.RelayKind;
import io.biometer.avro.SensorType;
import io.biometer.avro.Severity;
import io.biometer.avro.SinkState;
import io.biometer.avro.SinkStatus;
import io.biometer.avro.ThresholdOverride;
import io.biometer.registry.MockSchemaRegistry;
import io.biometer.serde.AvroDeserializer;
import io.biometer.serde.AvroSerializer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every biometer record type through the converter and back: written by biometer's AvroSerializer,
 * read with {@link AvroConverter#toConnectData}, written again with {@link
 * AvroConverter#fromConnectData} to the same topic (so the derived schema must be accepted as a new
 * version of the subject), and read with AvroDeserializer into the generated class: equal to the
 * original. The converter runs with {@code enhanced.avro.schema.support=true}, which consumers with
 * generated enum classes need.
 */
class BiometerSchemasRoundTripTest {

  private static final Instant T0 = Instant.parse("2025-11-21T08:00:00.123Z");

  private final String scope = "biometer-" + UUID.randomUUID();
  private final AvroConverter converter = converter(true);

  @AfterEach
  void dropRegistry() {
    MockSchemaRegistry.drop(scope);
  }

  @Test
  void bodyReadingRoundTrips() {
    roundTrip("telemetry.body.readings", sampleBodyReading(), BodyReading.class);
  }

  @Test
  void meterReading() {
    MeterReading m =
        MeterReading.newBuilder()
            .setDeviceId("meter-3")
            .setSiteId("field-north")
            .setSequence(41)
            .setEventTime(T0.minusSeconds(86_400))
            .setValues(
                List.of(
                    new ChannelValue("soil_temperature", 11.25),
                    new ChannelValue("soil_humidity", 0.375)))
            .setBatteryPercent(64.0f)
            .setProvenance(provenance(RelayKind.UPLOAD_BATCH, "batch-2025-11-21", true))
            .build();
    roundTrip("telemetry.meter.readings", m, MeterReading.class);
  }

  @Test
  void cleanReadingMapsTimesToDatesAndEnumsToStrings() {
    CleanReading clean = cleanReading();
    SchemaAndValue connect = roundTrip("telemetry.readings.clean", clean, CleanReading.class);

    Struct s = (Struct) connect.value();
    assertThat(s.get("eventTime")).isEqualTo(java.util.Date.from(T0));
    assertThat(connect.schema().field("eventTime").schema().name())
        .isEqualTo(Timestamp.LOGICAL_NAME);
    assertThat(s.get("sensorType")).isEqualTo("ECG");
    Schema sensorType = connect.schema().field("sensorType").schema();
    assertThat(sensorType.type()).isEqualTo(Schema.Type.STRING);
    assertThat(sensorType.parameters())
        .containsEntry(AvroData.ENUM_PARAM, "io.biometer.avro.SensorType")
        .containsEntry(AvroData.ENUM_PARAM + ".ECG", "ECG");
    Struct firstValue = (Struct) s.getArray("values").get(0);
    assertThat(firstValue.getFloat64("value")).isEqualTo(0.5);
    assertThat(s.getStruct("provenance").get("relayKind")).isEqualTo("SINK");
  }

  @Test
  void alertMapsNullablesToOptionalFields() {
    Alert alert = alert(88.0, null);
    SchemaAndValue connect = roundTrip("telemetry.alerts", alert, Alert.class);

    Schema value = connect.schema().field("value").schema();
    assertThat(value.type()).isEqualTo(Schema.Type.FLOAT64);
    assertThat(value.isOptional()).isTrue();
    assertThat(((Struct) connect.value()).getFloat64("value")).isEqualTo(88.0);
    assertThat(((Struct) connect.value()).get("message")).isNull();
  }

  @Test
  void alertWithNullValueAndEnumDefaults() {
    roundTrip("telemetry.alerts", alert(null, "device silent for 60 s"), Alert.class);
  }

  @Test
  void dailyAggregate() {
    DailyAggregate d =
        DailyAggregate.newBuilder()
            .setDeviceId("hr-2")
            .setOwnerId("patient-7")
            .setSensorType(SensorType.ECG)
            .setChannel("heart_rate")
            .setDay(LocalDate.of(2025, 11, 20))
            .setZone("Europe/Berlin")
            .setWindowStart(Instant.parse("2025-11-19T23:00:00Z"))
            .setWindowEnd(Instant.parse("2025-11-20T23:00:00Z"))
            .setCount(8640)
            .setMin(48.0)
            .setMax(131.5)
            .setMean(71.25)
            .setFirstEventTime(Instant.parse("2025-11-19T23:00:04.250Z"))
            .setLastEventTime(Instant.parse("2025-11-20T22:59:55.750Z"))
            .setIsFinal(false)
            .build();
    SchemaAndValue connect = roundTrip("telemetry.aggregates.daily", d, DailyAggregate.class);
    assertThat(((Struct) connect.value()).get("day"))
        .isEqualTo(java.util.Date.from(Instant.parse("2025-11-20T00:00:00Z")));
  }

  @Test
  void device() {
    Device d =
        Device.newBuilder()
            .setDeviceId("bp-1")
            .setKind(DeviceKind.BODY_SENSOR)
            .setSensorType(SensorType.BLOOD_PRESSURE)
            .setOwnerId("patient-7")
            .setCadenceMillis(60_000L)
            .setThresholds(
                List.of(
                    ThresholdOverride.newBuilder()
                        .setChannel("systolic")
                        .setHigh(150.0)
                        .setHysteresis(5.0)
                        .build()))
            .setCredentialHash("pbkdf2-sha256$abc")
            .setLabels(Map.of("ward", "3", "bed", "12"))
            .setRegisteredAt(T0)
            .build();
    roundTrip("telemetry.devices", d, Device.class);
  }

  @Test
  void deviceWithNullsAndEmptyCollections() {
    Device sink =
        Device.newBuilder()
            .setDeviceId("sink-A")
            .setKind(DeviceKind.SINK)
            .setSensorType(null)
            .setOwnerId("patient-7")
            .setRegisteredAt(T0)
            .build();
    roundTrip("telemetry.devices", sink, Device.class);
  }

  @Test
  void sinkStatusWithTheSameEnumTwice() {
    SinkStatus s =
        SinkStatus.newBuilder()
            .setSinkId("sink-A")
            .setPatientId("patient-7")
            .setState(SinkState.SLEEPING)
            .setPreviousState(SinkState.UP)
            .setBatteryPercent(9.5f)
            .setSpoolSize(120)
            .setReason("battery below 10 %")
            .setEventTime(T0)
            .build();
    roundTrip("telemetry.sink.status", s, SinkStatus.class);
  }

  @Test
  void withoutEnhancedSupportEnumsComeBackAsStringsWhichTheSubjectRefuses() {
    AvroConverter plain = converter(false);
    String topic = "telemetry.readings.clean";
    SchemaAndValue connect = plain.toConnectData(topic, serialize(topic, cleanReading()));

    // Confluent's default: the enum is written as a string, which is not BACKWARD compatible with
    // the enum already registered under the subject.
    assertThatThrownBy(() -> plain.fromConnectData(topic, connect.schema(), connect.value()))
        .isInstanceOf(DataException.class)
        .hasMessageContaining(topic + "-value")
        .hasMessageContaining("enhanced.avro.schema.support=true");
  }

  private <T extends SpecificRecord> SchemaAndValue roundTrip(
      String topic, T original, Class<T> type) {
    SchemaAndValue connect = converter.toConnectData(topic, serialize(topic, original));
    byte[] written = converter.fromConnectData(topic, connect.schema(), connect.value());
    try (AvroDeserializer<T> deserializer =
        new AvroDeserializer<>(type, MockSchemaRegistry.client(scope))) {
      assertThat(deserializer.deserialize(topic, written)).isEqualTo(original);
    }
    return connect;
  }

  private byte[] serialize(String topic, SpecificRecord record) {
    try (AvroSerializer<SpecificRecord> serializer =
        new AvroSerializer<>(MockSchemaRegistry.client(scope), true)) {
      return serializer.serialize(topic, record);
    }
  }

  private AvroConverter converter(boolean enhanced) {
    AvroConverter c = new AvroConverter();
    c.configure(
        Map.of(
            "schema.registry.url",
            "mock://" + scope,
            "enhanced.avro.schema.support",
            String.valueOf(enhanced)),
        false);
    return c;
  }

  private static Provenance provenance(RelayKind kind, String id, boolean spooled) {
    return Provenance.newBuilder()
        .setRelayKind(kind)
        .setRelayId(id)
        .setRelayedAt(T0.plusMillis(250))
        .setSpooled(spooled)
        .build();
  }

  private static BodyReading sampleBodyReading() {
    return BodyReading.newBuilder()
        .setDeviceId("bp-1")
        .setPatientId("patient-7")
        .setSensorType(SensorType.BLOOD_PRESSURE)
        .setSequence(17)
        .setEventTime(T0)
        .setValues(
            List.of(new ChannelValue("systolic", 121.0), new ChannelValue("diastolic", 79.5)))
        .setBatteryPercent(87.5f)
        .setProvenance(provenance(RelayKind.SINK, "sink-A", false))
        .build();
  }

  private static CleanReading cleanReading() {
    return CleanReading.newBuilder()
        .setDeviceId("ecg-1")
        .setOwnerId("patient-7")
        .setSensorType(SensorType.ECG)
        .setSequence(99)
        .setEventTime(T0)
        .setValues(List.of(new ChannelValue("lead_ii_mv", 0.5)))
        .setBatteryPercent(50.0f)
        .setProvenance(provenance(RelayKind.SINK, "sink-B", true))
        .setValidatedAt(T0.plusSeconds(1))
        .build();
  }

  private static Alert alert(Double value, String message) {
    return Alert.newBuilder()
        .setDeviceId("ox-1")
        .setOwnerId("patient-7")
        .setSensorType(value == null ? null : SensorType.BLOOD_OXYGEN)
        .setKind(value == null ? AlertKind.DEVICE_SILENT : AlertKind.VALUE_LOW)
        .setState(AlertState.RAISED)
        .setSeverity(Severity.HIGH)
        .setRule("BLOOD_OXYGEN.spo2.low")
        .setChannel(value == null ? null : "spo2")
        .setValue(value)
        .setThreshold(value == null ? null : 90.0)
        .setEventTime(T0)
        .setDetectedAt(T0.plusMillis(40))
        .setLate(value == null)
        .setMessage(message)
        .build();
  }
}
