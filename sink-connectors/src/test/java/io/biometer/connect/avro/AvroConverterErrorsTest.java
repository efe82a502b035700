package io.biometer.connect.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.registry.MockSchemaRegistry;
import io.biometer.serde.AvroSerializer;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bad bytes raise a {@link DataException} that names the topic and the case (so Connect's error
 * handling can route the record to the DLQ); an unreachable registry raises a {@link
 * RetriableException} instead, so the record is not taken for bad data.
 */
class AvroConverterErrorsTest {

  private static final String TOPIC = "telemetry.errors.test";
  private static final Schema SCHEMA =
      SchemaBuilder.record("Reading")
          .namespace("test")
          .fields()
          .requiredString("deviceId")
          .requiredDouble("value")
          .endRecord();

  private final String scope = "errors-" + UUID.randomUUID();
  private final AvroConverter converter = converter(Map.of());

  @AfterEach
  void dropRegistry() {
    MockSchemaRegistry.drop(scope);
  }

  @Test
  void nullBytesAreTheNullSchemaAndValue() {
    assertThat(converter.toConnectData(TOPIC, null)).isSameAs(SchemaAndValue.NULL);
  }

  @Test
  void nullValueWithAnOptionalOrNoSchemaIsATombstone() {
    assertThat(converter.fromConnectData(TOPIC, null, null)).isNull();
    assertThat(
            converter.fromConnectData(
                TOPIC, org.apache.kafka.connect.data.Schema.OPTIONAL_STRING_SCHEMA, null))
        .isNull();
  }

  @Test
  void truncated() {
    assertThatThrownBy(() -> converter.toConnectData(TOPIC, new byte[] {0, 0, 0}))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("truncated")
        .hasMessageContaining(TOPIC);
  }

  @Test
  void wrongMagicByte() {
    byte[] bytes = valid();
    bytes[0] = 0x7b; // '{': JSON where Avro was expected
    assertThatThrownBy(() -> converter.toConnectData(TOPIC, bytes))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("magic byte 0x7b")
        .hasMessageContaining(TOPIC);
  }

  @Test
  void unknownSchemaId() {
    byte[] bytes = valid();
    bytes[1] = 0x7f; // id 0x7f000001 was never registered
    assertThatThrownBy(() -> converter.toConnectData(TOPIC, bytes))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("unknown schema id " + 0x7f000001)
        .hasMessageContaining(TOPIC);
  }

  @Test
  void corruptPayload() {
    byte[] bytes = valid();
    // The string's length varint says far more bytes than there are.
    bytes[5] = (byte) 0x7e;
    assertThatThrownBy(() -> converter.toConnectData(TOPIC, bytes))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("corrupt Avro payload")
        .hasMessageContaining(TOPIC);
  }

  @Test
  void trailingBytes() {
    byte[] valid = valid();
    byte[] bytes = Arrays.copyOf(valid, valid.length + 2);
    assertThatThrownBy(() -> converter.toConnectData(TOPIC, bytes))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("corrupt Avro payload")
        .hasMessageContaining("bytes left over")
        .hasMessageContaining(TOPIC);
  }

  @Test
  void unreachableRegistryIsRetriableWhenReading() throws IOException {
    AvroConverter offline = converter(Map.of("schema.registry.url", closedPortUrl()));
    assertThatThrownBy(() -> offline.toConnectData(TOPIC, valid()))
        .isInstanceOf(RetriableException.class)
        .isNotInstanceOf(DataException.class)
        .hasMessageContaining("unreachable")
        .hasMessageContaining(TOPIC);
  }

  @Test
  void unreachableRegistryIsRetriableWhenWriting() throws IOException {
    AvroConverter offline = converter(Map.of("schema.registry.url", closedPortUrl()));
    org.apache.kafka.connect.data.Schema schema =
        org.apache.kafka.connect.data.SchemaBuilder.struct()
            .field("deviceId", org.apache.kafka.connect.data.Schema.STRING_SCHEMA)
            .build();
    Struct value = new Struct(schema).put("deviceId", "d-1");
    assertThatThrownBy(() -> offline.fromConnectData(TOPIC, schema, value))
        .isInstanceOf(RetriableException.class)
        .hasMessageContaining(TOPIC);
  }

  @Test
  void notRegisteredWithoutAutoRegisterNamesTheSubject() {
    AvroConverter lookupOnly = converter(Map.of("auto.register.schemas", "false"));
    assertThatThrownBy(
            () ->
                lookupOnly.fromConnectData(
                    TOPIC, org.apache.kafka.connect.data.Schema.STRING_SCHEMA, "x"))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("not registered under subject " + TOPIC + "-value")
        .hasMessageContaining("auto.register.schemas");
  }

  @Test
  void lookupOnlyFindsARegisteredSchema() {
    MockSchemaRegistry.client(scope).register(TOPIC + "-value", Schema.create(Schema.Type.STRING));
    AvroConverter lookupOnly = converter(Map.of("auto.register.schemas", "false"));
    byte[] written =
        lookupOnly.fromConnectData(TOPIC, org.apache.kafka.connect.data.Schema.STRING_SCHEMA, "x");
    assertThat(lookupOnly.toConnectData(TOPIC, written).value()).isEqualTo("x");
  }

  @Test
  void requiredNullAndSchemalessValuesAreRefusedWithTheTopic() {
    assertThatThrownBy(
            () ->
                converter.fromConnectData(
                    TOPIC, org.apache.kafka.connect.data.Schema.STRING_SCHEMA, null))
        .isInstanceOf(DataException.class)
        .hasMessageContaining(TOPIC);
    assertThatThrownBy(() -> converter.fromConnectData(TOPIC, null, Map.of("a", 1)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("without a Connect schema")
        .hasMessageContaining(TOPIC);
  }

  @Test
  void valueNotMatchingItsSchemaIsDataException() {
    assertThatThrownBy(
            () ->
                converter.fromConnectData(
                    TOPIC, org.apache.kafka.connect.data.Schema.INT32_SCHEMA, "not a number"))
        .isInstanceOf(DataException.class)
        .hasMessageContaining(TOPIC);
  }

  /** A framed Reading: header, then the string "dev-1" (length 5 as zigzag 10) and a double. */
  private byte[] valid() {
    GenericRecord r = new GenericData.Record(SCHEMA);
    r.put("deviceId", "dev-1");
    r.put("value", 36.6);
    try (AvroSerializer<GenericRecord> s =
        new AvroSerializer<>(MockSchemaRegistry.client(scope), true)) {
      byte[] bytes = s.serialize(TOPIC, r);
      assertThat(bytes[5]).as("string length varint").isEqualTo((byte) 10);
      return bytes;
    }
  }

  private AvroConverter converter(Map<String, String> overrides) {
    Map<String, Object> props = new java.util.HashMap<>();
    props.put("schema.registry.url", "mock://" + scope);
    props.put("schema.registry.max.retries", "0");
    props.put("schema.registry.connect.timeout.ms", "500");
    props.putAll(overrides);
    AvroConverter c = new AvroConverter();
    c.configure(props, false);
    return c;
  }

  /** A localhost URL on which nothing listens (a port just freed). */
  private static String closedPortUrl() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    return "http://127.0.0.1:" + port;
  }
}
