package io.biometer.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.avro.BodyReading;
import io.biometer.avro.SinkState;
import io.biometer.avro.SinkStatus;
import io.biometer.registry.CountingClient;
import io.biometer.registry.MockSchemaRegistry;
import io.biometer.registry.SchemaRegistryClient;
import io.biometer.registry.TestPorts;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

  private static final String TOPIC = "telemetry.body.readings";
  private static final String SCOPE = "avro-serde-test";

  private SchemaRegistryClient registry;

  @BeforeEach
  void setUp() {
    MockSchemaRegistry.drop(SCOPE);
    registry = MockSchemaRegistry.client(SCOPE);
  }

  @AfterEach
  void tearDown() {
    MockSchemaRegistry.drop(SCOPE);
  }

  private Map<String, Object> config() {
    return Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://" + SCOPE);
  }

  private byte[] serialize(BodyReading r) {
    AvroSerializer<BodyReading> s = new AvroSerializer<>();
    s.configure(config(), false);
    return s.serialize(TOPIC, r);
  }

  private AvroDeserializer<BodyReading> specificDeserializer() {
    AvroDeserializer<BodyReading> d = new AvroDeserializer<>(BodyReading.class);
    d.configure(config(), false);
    return d;
  }

  @Test
  void specificRecordRoundTripsEqual() {
    BodyReading r = Fixtures.bodyReading(42);
    assertThat(specificDeserializer().deserialize(TOPIC, serialize(r))).isEqualTo(r);
  }

  @Test
  void bytesAreConfluentFramedWithTheRegisteredId() {
    byte[] bytes = serialize(Fixtures.bodyReading(1));
    int id = registry.lookup(TOPIC + "-value", BodyReading.getClassSchema()).id();
    assertThat(bytes[0]).isEqualTo((byte) 0);
    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
  }

  @Test
  void keysAndValuesRegisterUnderTheirOwnSubjects() {
    AvroSerializer<BodyReading> keySerializer = new AvroSerializer<>();
    keySerializer.configure(config(), true);
    keySerializer.serialize(TOPIC, Fixtures.bodyReading(1));
    serialize(Fixtures.bodyReading(1));
    assertThat(registry.subjects()).containsExactly(TOPIC + "-key", TOPIC + "-value");
  }

  @Test
  void genericDeserializerReturnsTheWriterSchemasRecord() {
    AvroDeserializer<GenericRecord> d = new AvroDeserializer<>();
    d.configure(config(), false);
    GenericRecord g = d.deserialize(TOPIC, serialize(Fixtures.bodyReading(3)));
    assertThat(g.getSchema()).isEqualTo(BodyReading.getClassSchema());
    assertThat(g.get("sequence")).isEqualTo(3L);
    assertThat(g.get("deviceId").toString()).isEqualTo("bp-1");
  }

  @Test
  void specificAvroReaderConfigReturnsGeneratedClasses() {
    AvroDeserializer<Object> d = new AvroDeserializer<>();
    d.configure(
        Map.of(
            AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG,
            "mock://" + SCOPE,
            AvroSerdeConfig.SPECIFIC_AVRO_READER_CONFIG,
            true),
        false);
    assertThat(d.deserialize(TOPIC, serialize(Fixtures.bodyReading(4))))
        .isEqualTo(Fixtures.bodyReading(4));
  }

  @Test
  void genericRecordsSerializeToo() {
    Schema schema =
        SchemaBuilder.record("Ping").namespace("test").fields().requiredLong("n").endRecord();
    GenericRecord ping = new GenericData.Record(schema);
    ping.put("n", 7L);
    AvroSerializer<GenericRecord> s = new AvroSerializer<>();
    s.configure(config(), false);
    AvroDeserializer<GenericRecord> d = new AvroDeserializer<>();
    d.configure(config(), false);
    assertThat(d.deserialize("pings", s.serialize("pings", ping))).isEqualTo(ping);
  }

  @Test
  void readerSchemaResolvesAnOlderWriterSchema() {
    // An older SinkStatus without previousState, spoolSize and reason, which all have defaults.
    Schema old =
        SchemaBuilder.record("SinkStatus")
            .namespace("io.biometer.avro")
            .fields()
            .requiredString("sinkId")
            .requiredString("patientId")
            .name("state")
            .type(SinkStatus.getClassSchema().getField("state").schema())
            .noDefault()
            .requiredFloat("batteryPercent")
            .name("eventTime")
            .type(SinkStatus.getClassSchema().getField("eventTime").schema())
            .noDefault()
            .endRecord();
    GenericRecord written = new GenericData.Record(old);
    written.put("sinkId", "sink-A");
    written.put("patientId", "patient-7");
    written.put("state", new GenericData.EnumSymbol(old.getField("state").schema(), "SLEEPING"));
    written.put("batteryPercent", 9.5f);
    written.put("eventTime", 1_000L);
    AvroSerializer<GenericRecord> s = new AvroSerializer<>();
    s.configure(config(), false);
    byte[] bytes = s.serialize("telemetry.sink.status", written);

    AvroDeserializer<SinkStatus> d = new AvroDeserializer<>(SinkStatus.class);
    d.configure(config(), false);
    SinkStatus read = d.deserialize("telemetry.sink.status", bytes);
    assertThat(read.getState()).isEqualTo(SinkState.SLEEPING);
    assertThat(read.getEventTime()).isEqualTo(Instant.ofEpochMilli(1_000L));
    assertThat(read.getSpoolSize()).isZero();
    assertThat(read.getReason()).isNull();
    assertThat(read.getPreviousState()).isNull();
  }

  @Test
  void nullValueIsATombstoneBothWays() {
    assertThat(serialize(null)).isNull();
    assertThat(specificDeserializer().deserialize(TOPIC, null)).isNull();
  }

  @Test
  void emptyValueIsTruncated() {
    assertThatThrownBy(() -> specificDeserializer().deserialize(TOPIC, new byte[0]))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("truncated")
        .hasMessageContaining(TOPIC)
        .hasMessageContaining("0 bytes");
  }

  @Test
  void headerShorterThanFiveBytesIsTruncated() {
    assertThatThrownBy(() -> specificDeserializer().deserialize(TOPIC, new byte[] {0, 0, 0, 1}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("truncated")
        .hasMessageContaining("4 bytes");
  }

  @Test
  void wrongMagicByteIsNamed() {
    byte[] bytes = serialize(Fixtures.bodyReading(1));
    bytes[0] = 1;
    assertThatThrownBy(() -> specificDeserializer().deserialize(TOPIC, bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown magic byte 0x01")
        .hasMessageContaining(TOPIC);
  }

  @Test
  void plainJsonIsAWrongMagicByte() {
    byte[] json = "{\"deviceId\":\"x\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThatThrownBy(() -> specificDeserializer().deserialize(TOPIC, json))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown magic byte 0x7b");
  }

  @Test
  void unknownSchemaIdIsNamed() {
    byte[] bytes = serialize(Fixtures.bodyReading(1));
    ByteBuffer.wrap(bytes).putInt(1, 9999);
    assertThatThrownBy(() -> specificDeserializer().deserialize(TOPIC, bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown schema id 9999")
        .hasMessageContaining(TOPIC);
  }

  @Test
  void truncatedPayloadIsCorrupt() {
    byte[] bytes = serialize(Fixtures.bodyReading(1));
    byte[] cut = Arrays.copyOf(bytes, bytes.length - 6);
    assertThatThrownBy(() -> specificDeserializer().deserialize(TOPIC, cut))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("corrupt Avro payload on topic " + TOPIC);
  }

  @Test
  void garbagePayloadIsCorrupt() {
    byte[] bytes = serialize(Fixtures.bodyReading(1));
    // An enum index far outside SensorType's symbols, right after the two strings.
    byte[] garbage = Arrays.copyOf(bytes, bytes.length);
    int sensorTypeAt = 5 + 1 + "bp-1".length() + 1 + "patient-7".length();
    garbage[sensorTypeAt] = 0x7e;
    assertThatThrownBy(() -> specificDeserializer().deserialize(TOPIC, garbage))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("corrupt Avro payload on topic " + TOPIC);
  }

  @Test
  void bytesLeftOverAfterTheRecordAreCorrupt() {
    byte[] bytes = serialize(Fixtures.bodyReading(1));
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
    assertThatThrownBy(() -> specificDeserializer().deserialize(TOPIC, longer))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("corrupt")
        .hasMessageContaining("left over");
  }

  @Test
  void writerSchemaTheReaderCannotReadIsNamed() {
    Schema other =
        SchemaBuilder.record("Other").namespace("test").fields().requiredInt("x").endRecord();
    GenericRecord rec = new GenericData.Record(other);
    rec.put("x", 1);
    AvroSerializer<GenericRecord> s = new AvroSerializer<>();
    s.configure(config(), false);
    byte[] bytes = s.serialize("other", rec);
    assertThatThrownBy(() -> specificDeserializer().deserialize("other", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("cannot be read as io.biometer.avro.BodyReading")
        .hasMessageContaining("other");
  }

  @Test
  void registryUnreachableWhenReadingIsNamed() {
    byte[] bytes = serialize(Fixtures.bodyReading(1));
    AvroDeserializer<BodyReading> d = new AvroDeserializer<>(BodyReading.class);
    d.configure(unreachableRegistry(), false);
    assertThatThrownBy(() -> d.deserialize(TOPIC, bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("schema registry unreachable")
        .hasMessageContaining(TOPIC);
  }

  @Test
  void registryUnreachableWhenWritingIsNamed() {
    AvroSerializer<BodyReading> s = new AvroSerializer<>();
    s.configure(unreachableRegistry(), false);
    assertThatThrownBy(() -> s.serialize(TOPIC, Fixtures.bodyReading(1)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("schema registry unreachable")
        .hasMessageContaining(TOPIC);
  }

  private static Map<String, Object> unreachableRegistry() {
    return Map.of(
        AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG,
        "http://127.0.0.1:" + TestPorts.closedPort(),
        AvroSerdeConfig.MAX_RETRIES_CONFIG,
        0);
  }

  @Test
  void unregisteredSchemaWithoutAutoRegisterIsRefused() {
    AvroSerializer<BodyReading> s = new AvroSerializer<>();
    s.configure(
        Map.of(
            AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG,
            "mock://" + SCOPE,
            AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG,
            false),
        false);
    assertThatThrownBy(() -> s.serialize(TOPIC, Fixtures.bodyReading(1)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not registered under subject " + TOPIC + "-value")
        .hasMessageContaining("auto.register.schemas is false");
    assertThat(registry.subjects()).isEmpty();
  }

  @Test
  void registeredSchemaWithoutAutoRegisterIsLookedUp() {
    int id = registry.register(TOPIC + "-value", BodyReading.getClassSchema());
    AvroSerializer<BodyReading> s = new AvroSerializer<>();
    s.configure(
        Map.of(
            AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG,
            "mock://" + SCOPE,
            AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG,
            false),
        false);
    assertThat(ByteBuffer.wrap(s.serialize(TOPIC, Fixtures.bodyReading(1)), 1, 4).getInt())
        .isEqualTo(id);
  }

  @Test
  void idsAndSchemasAreCachedSoTheRegistryIsAskedOnce() {
    CountingClient counting = new CountingClient(registry);
    AvroSerializer<BodyReading> s = new AvroSerializer<>(counting, true);
    AvroDeserializer<BodyReading> d = new AvroDeserializer<>(BodyReading.class, counting);
    for (int i = 0; i < 5; i++) {
      d.deserialize(TOPIC, s.serialize(TOPIC, Fixtures.bodyReading(i)));
    }
    assertThat(counting.registers).isEqualTo(1);
    assertThat(counting.fetches).isEqualTo(1);
  }

  @Test
  void nonAvroValueIsRefusedByTheSerializer() {
    AvroSerializer<Object> s = new AvroSerializer<>();
    s.configure(config(), false);
    assertThatThrownBy(() -> s.serialize(TOPIC, "just a string"))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("java.lang.String")
        .hasMessageContaining(TOPIC);
  }

  @Test
  void missingRegistryUrlIsAConfigError() {
    assertThatThrownBy(() -> new AvroSerializer<>().configure(Map.of(), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("schema.registry.url");
  }

  @Test
  void malformedRegistryUrlIsAConfigError() {
    assertThatThrownBy(
            () ->
                new AvroDeserializer<>()
                    .configure(
                        Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "ftp://x"), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http://");
  }

  @Test
  void serdeWorksAsOneObjectForStreams() {
    AvroSerde<BodyReading> serde = AvroSerde.specific(BodyReading.class);
    serde.configure(config(), false);
    BodyReading r = Fixtures.bodyReading(9);
    assertThat(serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, r)))
        .isEqualTo(r);
  }
}
