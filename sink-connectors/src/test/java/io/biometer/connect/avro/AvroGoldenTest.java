package io.biometer.connect.avro;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.biometer.registry.MockSchemaRegistry;
import io.biometer.registry.SchemaRegistryClient;
import io.biometer.serde.AvroSerializer;
import io.biometer.serde.WireFormat;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden parity files: for each case in {@code avro-golden/<case>.json}, the Avro schema and datum,
 * and the Connect schema and value that Confluent's AvroConverter gives for them (written by hand
 * from Confluent's AvroData rules, not dumped from this converter). Each case is serialized with
 * biometer's AvroSerializer, converted with {@link AvroConverter#toConnectData} and compared
 * exactly; then written back with {@link AvroConverter#fromConnectData}, decoded with the schema
 * the converter registered, and compared with the datum (or {@code roundTripDatum} where the round
 * trip changes it on purpose), and converted to Connect again.
 *
 * <p>File keys: {@code description}; {@code config} (converter keys, optional); {@code avroSchema};
 * {@code datum} (Avro's JSON encoding); {@code connectSchema}; {@code connectValue}; {@code
 * roundTripDatum} and {@code roundTripConnectValue} (optional).
 */
class AvroGoldenTest {

  /** Every case the issue asks for; a missing or extra file fails {@link #everyCaseHasAFile}. */
  private static final List<String> CASES =
      List.of(
          "timestamp_millis",
          "timestamp_micros",
          "date",
          "time_millis",
          "decimal_bytes",
          "decimal_fixed",
          "enum",
          "nullable_default",
          "nullable_ignore_default",
          "union",
          "map",
          "array",
          "nested_record",
          "connect_meta",
          "connect_version");

  private final String scope = "golden-" + UUID.randomUUID();

  @AfterEach
  void dropRegistry() {
    MockSchemaRegistry.drop(scope);
  }

  static Stream<String> cases() {
    return CASES.stream();
  }

  @Test
  void everyCaseHasAFile() throws IOException, URISyntaxException {
    URL dir = AvroGoldenTest.class.getResource("/avro-golden");
    assertThat(dir).isNotNull();
    try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
      assertThat(files.map(p -> p.getFileName().toString().replaceFirst("\\.json$", "")))
          .containsExactlyInAnyOrderElementsOf(CASES);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void toConnectDataMatchesConfluent(String name) throws IOException {
    JsonNode golden = load(name);
    AvroConverter converter = converter(golden);
    SchemaAndValue connect = converter.toConnectData("golden." + name, framed(golden, name));

    assertThat(ConnectJson.schema(connect.schema()))
        .as("Connect schema of %s", name)
        .isEqualTo(golden.get("connectSchema"));
    assertThat(ConnectJson.value(connect.schema(), connect.value()))
        .as("Connect value of %s", name)
        .isEqualTo(golden.get("connectValue"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void fromConnectDataRoundTrips(String name) throws IOException {
    JsonNode golden = load(name);
    AvroConverter converter = converter(golden);
    Schema original = new Schema.Parser().parse(golden.get("avroSchema").toString());
    SchemaAndValue connect = converter.toConnectData("golden." + name, framed(golden, name));

    String rtTopic = "golden." + name + ".rt";
    byte[] written = converter.fromConnectData(rtTopic, connect.schema(), connect.value());

    assertThat(written[0]).isEqualTo(WireFormat.MAGIC_BYTE);
    SchemaRegistryClient client = MockSchemaRegistry.client(scope);
    Schema registered = client.schemaById(WireFormat.schemaId(written));
    assertThat(client.lookup(rtTopic + "-value", registered).id())
        .as("registered under <topic>-value")
        .isEqualTo(WireFormat.schemaId(written));
    Object decoded =
        new GenericDatumReader<>(registered, registered, GenericData.get())
            .read(
                null,
                DecoderFactory.get()
                    .binaryDecoder(
                        written,
                        WireFormat.HEADER_SIZE,
                        written.length - WireFormat.HEADER_SIZE,
                        null));
    JsonNode expectedDatum =
        golden.has("roundTripDatum") ? golden.get("roundTripDatum") : golden.get("datum");
    assertThat(GenericData.get().toString(decoded))
        .as("datum written back for %s", name)
        .isEqualTo(GenericData.get().toString(fromJson(original, expectedDatum)));

    SchemaAndValue again = converter.toConnectData(rtTopic, written);
    assertThat(again.schema())
        .as("Connect schema after the round trip")
        .isEqualTo(connect.schema());
    JsonNode expectedValue =
        golden.has("roundTripConnectValue")
            ? golden.get("roundTripConnectValue")
            : golden.get("connectValue");
    assertThat(ConnectJson.value(again.schema(), again.value())).isEqualTo(expectedValue);
  }

  private AvroConverter converter(JsonNode golden) {
    Map<String, Object> props = new HashMap<>();
    props.put("schema.registry.url", "mock://" + scope);
    if (golden.has("config")) {
      golden
          .get("config")
          .fields()
          .forEachRemaining(e -> props.put(e.getKey(), e.getValue().asText()));
    }
    AvroConverter converter = new AvroConverter();
    converter.configure(props, false);
    return converter;
  }

  /** The datum in the wire format, written by biometer's serializer under golden.<case>-value. */
  private byte[] framed(JsonNode golden, String name) throws IOException {
    Schema schema = new Schema.Parser().parse(golden.get("avroSchema").toString());
    GenericRecord datum = (GenericRecord) fromJson(schema, golden.get("datum"));
    try (AvroSerializer<GenericRecord> serializer =
        new AvroSerializer<>(MockSchemaRegistry.client(scope), true)) {
      return serializer.serialize("golden." + name, datum);
    }
  }

  private static Object fromJson(Schema schema, JsonNode json) throws IOException {
    return new GenericDatumReader<>(schema, schema, GenericData.get())
        .read(null, DecoderFactory.get().jsonDecoder(schema, json.toString()));
  }

  private static JsonNode load(String name) throws IOException {
    try (InputStream in =
        AvroGoldenTest.class.getResourceAsStream("/avro-golden/" + name + ".json")) {
      assertThat(in).as("golden file %s.json", name).isNotNull();
      return ConnectJson.MAPPER.readTree(in);
    }
  }
}
