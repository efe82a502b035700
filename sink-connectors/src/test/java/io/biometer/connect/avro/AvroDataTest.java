package io.biometer.connect.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

/**
 * Mapping rules the golden files do not reach: Connect schemas that did not come from Avro (a
 * source connector's), the enhanced enum mode, and the schemas the mapping refuses.
 */
class AvroDataTest {

  private static AvroData data(boolean enhanced, boolean ignoreDefaultForNullables) {
    return new AvroData(100, true, enhanced, ignoreDefaultForNullables);
  }

  private static final Schema WITH_DEFAULT =
      SchemaBuilder.struct()
          .name("src.Row")
          .field("unit", SchemaBuilder.string().optional().defaultValue("mmHg").build())
          .build();

  @Test
  void nullWithADefaultIsWrittenAsTheDefaultUnlessIgnoreDefaultForNullables() {
    Struct row = new Struct(WITH_DEFAULT).put("unit", null);

    AvroData confluentLike = data(false, false);
    GenericRecord written =
        (GenericRecord)
            confluentLike.fromConnectData(
                WITH_DEFAULT, confluentLike.fromConnectSchema(WITH_DEFAULT), row);
    assertThat(written.get("unit")).isEqualTo("mmHg");

    AvroData keepNull = data(false, true);
    GenericRecord kept =
        (GenericRecord)
            keepNull.fromConnectData(WITH_DEFAULT, keepNull.fromConnectSchema(WITH_DEFAULT), row);
    assertThat(kept.get("unit")).isNull();
  }

  @Test
  void anOptionalWithADefaultPutsTheDefaultsBranchFirst() {
    org.apache.avro.Schema avro = data(false, false).fromConnectSchema(WITH_DEFAULT);
    org.apache.avro.Schema.Field unit = avro.getField("unit");
    assertThat(unit.schema().getTypes().get(0).getType())
        .isEqualTo(org.apache.avro.Schema.Type.STRING);
    assertThat(unit.defaultVal()).isEqualTo("mmHg");
  }

  @Test
  void enhancedSupportWritesAnEnumBackAsAnEnum() {
    org.apache.avro.Schema avroEnum =
        org.apache.avro.Schema.createEnum(
            "Color", "A colour.", "golden", java.util.List.of("RED", "GREEN"), "RED");
    AvroData enhanced = data(true, false);
    Schema connect = enhanced.toConnectSchema(avroEnum, null);

    org.apache.avro.Schema back = enhanced.fromConnectSchema(connect);
    assertThat(back.getType()).isEqualTo(org.apache.avro.Schema.Type.ENUM);
    assertThat(back.getFullName()).isEqualTo("golden.Color");
    assertThat(back.getEnumSymbols()).containsExactly("RED", "GREEN");
    assertThat(back.getDoc()).isEqualTo("A colour.");
    assertThat(back.getEnumDefault()).isEqualTo("RED");
    assertThat(enhanced.fromConnectData(connect, back, "GREEN"))
        .isEqualTo(new GenericData.EnumSymbol(back, "GREEN"));

    assertThat(data(false, false).fromConnectSchema(connect).getType())
        .isEqualTo(org.apache.avro.Schema.Type.STRING);
  }

  @Test
  void int8AndInt16SurviveAsAnnotatedInts() {
    Schema connect =
        SchemaBuilder.struct()
            .name("src.Small")
            .field("b", Schema.INT8_SCHEMA)
            .field("s", Schema.INT16_SCHEMA)
            .build();
    AvroData d = data(false, false);
    org.apache.avro.Schema avro = d.fromConnectSchema(connect);
    assertThat(avro.getField("b").schema().getProp("connect.type")).isEqualTo("int8");

    Object datum =
        d.fromConnectData(
            connect, avro, new Struct(connect).put("b", (byte) -3).put("s", (short) 300));
    Struct back = (Struct) d.toConnectData(d.toConnectSchema(avro, null), avro, datum);
    assertThat(back.getInt8("b")).isEqualTo((byte) -3);
    assertThat(back.getInt16("s")).isEqualTo((short) 300);
  }

  @Test
  void aMapWithNonStringKeysIsAnArrayOfMapEntries() {
    Schema connect = SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build();
    AvroData d = data(false, false);
    org.apache.avro.Schema avro = d.fromConnectSchema(connect);
    assertThat(avro.getType()).isEqualTo(org.apache.avro.Schema.Type.ARRAY);
    assertThat(avro.getElementType().getFullName()).isEqualTo("io.confluent.connect.avro.MapEntry");

    Object datum = d.fromConnectData(connect, avro, Map.of(1, "one", 2, "two"));
    Schema back = d.toConnectSchema(avro, null);
    assertThat(back.type()).isEqualTo(Schema.Type.MAP);
    assertThat(d.toConnectData(back, avro, datum)).isEqualTo(Map.of(1, "one", 2, "two"));
  }

  @Test
  void unnamedStructsGetConfluentsDefaultNames() {
    Schema inner = SchemaBuilder.struct().field("x", Schema.INT32_SCHEMA).build();
    Schema outer = SchemaBuilder.struct().field("inner", inner).build();
    org.apache.avro.Schema avro = data(false, false).fromConnectSchema(outer);
    assertThat(avro.getFullName()).isEqualTo("io.confluent.connect.avro.ConnectDefault");
    assertThat(avro.getField("inner").schema().getFullName())
        .isEqualTo("io.confluent.connect.avro.ConnectDefault2");
    // ...and those names do not come back as Connect names.
    assertThat(data(false, false).toConnectSchema(avro, null).name()).isNull();
  }

  @Test
  void recursiveSchemasAreRefused() {
    org.apache.avro.Schema node =
        new org.apache.avro.Schema.Parser()
            .parse(
                "{\"type\":\"record\",\"name\":\"Node\",\"fields\":[{\"name\":\"next\","
                    + "\"type\":[\"null\",\"Node\"],\"default\":null}]}");
    assertThatThrownBy(() -> data(false, false).toConnectSchema(node, null))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("Node contains itself");
  }

  @Test
  void unionBranchesWithTheSameSimpleNameAreRefusedUnlessEnhanced() {
    org.apache.avro.Schema union =
        new org.apache.avro.Schema.Parser()
            .parse(
                "{\"type\":\"record\",\"name\":\"U\",\"fields\":[{\"name\":\"u\",\"type\":["
                    + "{\"type\":\"record\",\"name\":\"Id\",\"namespace\":\"a\",\"fields\":[]},"
                    + "{\"type\":\"record\",\"name\":\"Id\",\"namespace\":\"b\",\"fields\":[]}]}]}");
    assertThatThrownBy(() -> data(false, false).toConnectSchema(union, null))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("'Id'");
    Schema enhanced = data(true, false).toConnectSchema(union, null).field("u").schema();
    assertThat(enhanced.fields()).extracting(f -> f.name()).containsExactly("a.Id", "b.Id");
  }

  @Test
  void nonStringConnectParametersAreRefused() {
    org.apache.avro.Schema s =
        new org.apache.avro.Schema.Parser()
            .parse("{\"type\":\"string\",\"connect.parameters\":{\"n\":1}}");
    assertThatThrownBy(() -> data(false, false).toConnectSchema(s, null))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("string values");
  }

  @Test
  void withoutConnectMetaDataNoConnectPropertiesAreWritten() {
    Schema connect =
        SchemaBuilder.string().name("x.Label").doc("A label.").parameter("k", "v").build();
    org.apache.avro.Schema avro = new AvroData(10, false, false, false).fromConnectSchema(connect);
    assertThat(avro.getObjectProps()).isEmpty();
    assertThat(data(false, false).fromConnectSchema(connect).getObjectProps())
        .containsKeys("connect.name", "connect.doc", "connect.parameters");
  }
}
