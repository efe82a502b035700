package io.biometer.connect.questdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * How records become rows, against a writer that records each call: what the ILP client would be
 * told, in order, without a QuestDB.
 */
class RowPlanTest {

  private static final long T0 = 1_764_000_000_000L; // 2025-11-24T16:00:00Z
  private static final long KAFKA_TIME = 1_700_000_000_000L;

  /**
   * Records a writer's calls, one line per row. Like QuestDB's ILP client it refuses a symbol after
   * another column and a column outside a row, so every test also checks the call order.
   */
  static final class Recorder implements RowWriter {
    final List<String> rows = new ArrayList<>();
    private StringBuilder row;
    private boolean columnsBegun;

    @Override
    public void table(String table) {
      if (row != null) {
        throw new IllegalStateException("table() inside a row: " + row);
      }
      row = new StringBuilder(table);
      columnsBegun = false;
    }

    @Override
    public void symbol(String column, String value) {
      if (columnsBegun) {
        throw new IllegalStateException("symbol " + column + " after a column: " + row);
      }
      add("sym " + column + "=" + value);
    }

    @Override
    public void string(String column, String value) {
      column("str " + column + "=" + value);
    }

    @Override
    public void longColumn(String column, long value) {
      column("long " + column + "=" + value);
    }

    @Override
    public void doubleColumn(String column, double value) {
      column("dbl " + column + "=" + value);
    }

    @Override
    public void boolColumn(String column, boolean value) {
      column("bool " + column + "=" + value);
    }

    @Override
    public void timestampColumn(String column, long epochMicros) {
      column("ts " + column + "=" + epochMicros);
    }

    @Override
    public void at(long epochMicros) {
      add("at " + epochMicros);
      rows.add(row.toString());
      row = null;
    }

    @Override
    public void cancelRow() {
      row = null;
    }

    /** True if a row was begun and not ended. */
    boolean inRow() {
      return row != null;
    }

    private void column(String s) {
      columnsBegun = true;
      add(s);
    }

    private void add(String s) {
      if (row == null) {
        throw new IllegalStateException("a column outside a row: " + s);
      }
      row.append(" | ").append(s);
    }
  }

  private static TopicMapping mapping(
      String timestampField, String explode, Set<String> symbols, boolean asIs, boolean skip) {
    return new TopicMapping(
        "t", "tbl", timestampField, "ts", symbols, List.of(), explode, asIs, skip);
  }

  private static TopicMapping mapping(String timestampField) {
    return mapping(timestampField, "", Set.of(), false, false);
  }

  private static TopicMapping readings() {
    return new TopicMapping(
        SinkFixtures.READINGS,
        "readings",
        "eventTime",
        "ts",
        Set.of("device_id", "owner_id", "channel"),
        List.of("device_id", "sequence", "channel"),
        "values",
        false,
        false);
  }

  private static SinkRecord record(Struct value) {
    return record(value, KAFKA_TIME);
  }

  private static SinkRecord record(Struct value, Long kafkaTime) {
    return new SinkRecord(
        "t",
        0,
        null,
        null,
        value.schema(),
        value,
        0,
        kafkaTime,
        kafkaTime == null ? TimestampType.NO_TIMESTAMP_TYPE : TimestampType.CREATE_TIME);
  }

  private static List<String> rows(RowPlan plan, SinkRecord... records) {
    Recorder out = new Recorder();
    for (SinkRecord r : records) {
      plan.write(r, out);
    }
    return out.rows;
  }

  @Test
  void aReadingBecomesOneRowPerChannelWithTheReadingsColumnsRepeated() {
    RowPlan plan = RowPlan.compile(readings(), SinkFixtures.READING);
    long tMicros = T0 * 1000;
    String common =
        "readings | sym device_id=bp-1 | sym owner_id=patient-1 | sym sensor_type=BLOOD_PRESSURE"
            + " | sym relay_kind=SINK | sym channel=%s | long sequence=7 | dbl battery_percent=80.5"
            + " | str relay_id=sink-1 | ts relayed_at="
            + (tMicros + 5000)
            + " | bool spooled=false | dbl value=%s | at "
            + tMicros;
    Struct reading = SinkFixtures.reading("bp-1", 7, T0, 120, 80, 61);

    assertThat(plan.write(SinkFixtures.record(0, 7, reading), new Recorder())).isEqualTo(3);
    assertThat(rows(plan, SinkFixtures.record(0, 7, reading)))
        .containsExactly(
            common.formatted("systolic", "120.0"),
            common.formatted("diastolic", "80.0"),
            common.formatted("pulse", "61.0"));
  }

  @Test
  void theColumnsAndTheirTypesAreThoseOfTheReadingsTable() {
    RowPlan plan = RowPlan.compile(readings(), SinkFixtures.READING);
    assertThat(plan.columnTypes())
        .containsExactly(
            Map.entry("device_id", RowPlan.Kind.SYMBOL),
            Map.entry("owner_id", RowPlan.Kind.SYMBOL),
            Map.entry("sensor_type", RowPlan.Kind.SYMBOL),
            Map.entry("sequence", RowPlan.Kind.LONG),
            Map.entry("battery_percent", RowPlan.Kind.DOUBLE),
            Map.entry("relay_kind", RowPlan.Kind.SYMBOL),
            Map.entry("relay_id", RowPlan.Kind.VARCHAR),
            Map.entry("relayed_at", RowPlan.Kind.TIMESTAMP),
            Map.entry("spooled", RowPlan.Kind.BOOLEAN),
            Map.entry("note", RowPlan.Kind.VARCHAR),
            Map.entry("channel", RowPlan.Kind.SYMBOL),
            Map.entry("value", RowPlan.Kind.DOUBLE));
    assertThat(plan.columnTypes())
        .as("the timestamp field is the designated timestamp, not a column")
        .doesNotContainKeys("event_time", "eventTime", "ts");
  }

  @Test
  void symbolsAreWrittenBeforeTheOtherColumnsWhereverTheirFieldsAre() {
    // ILP requires every symbol of a row before its other columns.
    Schema schema =
        SchemaBuilder.struct()
            .field("value", Schema.FLOAT64_SCHEMA)
            .field("note", Schema.STRING_SCHEMA)
            .field("site", Schema.STRING_SCHEMA)
            .field(
                "state",
                SchemaBuilder.string().parameter(RowPlan.ENUM_PARAMETER, "io.x.State").build())
            .build();
    Struct v =
        new Struct(schema).put("value", 1.5).put("note", "n").put("site", "s").put("state", "ON");
    RowPlan plan = RowPlan.compile(mapping("", "", Set.of("site"), false, false), schema);
    assertThat(rows(plan, record(v)))
        .containsExactly(
            "tbl | sym site=s | sym state=ON | dbl value=1.5 | str note=n | at "
                + KAFKA_TIME * 1000);
  }

  @Test
  void enumsAreSymbolsAndOtherStringsVarcharUnlessListed() {
    Schema schema =
        SchemaBuilder.struct()
            .field(
                "kind",
                SchemaBuilder.string()
                    .optional()
                    .parameter(RowPlan.ENUM_PARAMETER, "io.biometer.avro.AlertKind")
                    .parameter(RowPlan.ENUM_PARAMETER + ".VALUE_HIGH", "VALUE_HIGH")
                    .build())
            .field("rule", Schema.STRING_SCHEMA)
            .field("message", Schema.STRING_SCHEMA)
            .field("count", Schema.INT64_SCHEMA)
            .build();
    RowPlan plan = RowPlan.compile(mapping("", "", Set.of("rule", "count"), false, false), schema);
    assertThat(plan.columnTypes())
        .containsExactly(
            Map.entry("kind", RowPlan.Kind.SYMBOL),
            Map.entry("rule", RowPlan.Kind.SYMBOL),
            Map.entry("message", RowPlan.Kind.VARCHAR),
            Map.entry("count", RowPlan.Kind.LONG));
  }

  @Test
  void nestedFieldsAreColumnsOfTheirOwnNameAndAClashTakesTheParentsName() {
    Schema device =
        SchemaBuilder.struct()
            .field("id", Schema.STRING_SCHEMA)
            .field("model", Schema.STRING_SCHEMA)
            .build();
    Schema schema =
        SchemaBuilder.struct()
            .field("id", Schema.STRING_SCHEMA)
            .field("device", device)
            .field("sequence", Schema.INT64_SCHEMA)
            .build();
    Struct v =
        new Struct(schema)
            .put("id", "r-1")
            .put("device", new Struct(device).put("id", "bp-1").put("model", "X1"))
            .put("sequence", 3L);
    RowPlan plan = RowPlan.compile(mapping(""), schema);
    assertThat(plan.columnTypes()).containsOnlyKeys("id", "device_id", "model", "sequence");
    assertThat(rows(plan, record(v)))
        .containsExactly(
            "tbl | str id=r-1 | str device_id=bp-1 | str model=X1 | long sequence=3 | at "
                + KAFKA_TIME * 1000);
  }

  @Test
  void twoFieldsForOneColumnAreRefusedWithTheFix() {
    Schema device = SchemaBuilder.struct().field("id", Schema.STRING_SCHEMA).build();
    Schema schema =
        SchemaBuilder.struct()
            .field("deviceId", Schema.STRING_SCHEMA)
            .field("device", device)
            .field("id", Schema.STRING_SCHEMA)
            .build();
    assertThatThrownBy(() -> RowPlan.compile(mapping(""), schema))
        .isInstanceOf(BadRecordException.class)
        .hasMessageContaining("two fields map to column 'device_id'")
        .hasMessageContaining("column.naming=as_is");
    assertThat(
            RowPlan.compile(mapping("", "", Set.of(), true, false), schema).columnTypes().keySet())
        .as("as_is keeps them apart")
        .containsExactly("deviceId", "device_id", "id");
  }

  @Test
  void aFieldNamedLikeTheTimestampColumnIsRefused() {
    Schema schema = SchemaBuilder.struct().field("ts", Schema.INT64_SCHEMA).build();
    assertThatThrownBy(() -> RowPlan.compile(mapping(""), schema))
        .isInstanceOf(BadRecordException.class)
        .hasMessageContaining("column 'ts'");
  }

  @Test
  void fieldNamesBecomeSnakeCaseColumnsOrStayAsTheyAre() {
    assertThat(TopicMapping.snakeCase("deviceId")).isEqualTo("device_id");
    assertThat(TopicMapping.snakeCase("HTTPCode")).isEqualTo("http_code");
    assertThat(TopicMapping.snakeCase("isFinal")).isEqualTo("is_final");
    assertThat(TopicMapping.snakeCase("firstEventTime")).isEqualTo("first_event_time");
    assertThat(TopicMapping.snakeCase("spo2Level")).isEqualTo("spo2_level");
    assertThat(TopicMapping.snakeCase("already_snake")).isEqualTo("already_snake");
    assertThat(TopicMapping.snakeCase("Count")).isEqualTo("count");

    Schema schema =
        SchemaBuilder.struct()
            .field("deviceId", Schema.STRING_SCHEMA)
            .field("HTTPCode", Schema.INT32_SCHEMA)
            .field("isFinal", Schema.BOOLEAN_SCHEMA)
            .build();
    assertThat(RowPlan.compile(mapping(""), schema).columnTypes().keySet())
        .containsExactly("device_id", "http_code", "is_final");
    assertThat(
            RowPlan.compile(mapping("", "", Set.of(), true, false), schema).columnTypes().keySet())
        .containsExactly("deviceId", "HTTPCode", "isFinal");
  }

  @Test
  void eachConnectTypeIsWrittenAsItsQuestDbType() {
    Schema schema =
        SchemaBuilder.struct()
            .field("i8", Schema.INT8_SCHEMA)
            .field("i16", Schema.INT16_SCHEMA)
            .field("i32", Schema.INT32_SCHEMA)
            .field("i64", Schema.INT64_SCHEMA)
            .field("f32", Schema.FLOAT32_SCHEMA)
            .field("f64", Schema.FLOAT64_SCHEMA)
            .field("flag", Schema.BOOLEAN_SCHEMA)
            .field("text", Schema.STRING_SCHEMA)
            .field("at", Timestamp.SCHEMA)
            .field("day", Date.SCHEMA)
            .field("time", Time.SCHEMA)
            .field("amount", Decimal.schema(2))
            .build();
    long day = 20_416L * 86_400_000L; // 2025-11-24
    Struct v =
        new Struct(schema)
            .put("i8", (byte) -8)
            .put("i16", (short) 16)
            .put("i32", 32)
            .put("i64", 1L << 40)
            .put("f32", 0.5f)
            .put("f64", 2.25)
            .put("flag", true)
            .put("text", "hi")
            .put("at", new java.util.Date(T0 + 1))
            .put("day", new java.util.Date(day))
            .put("time", new java.util.Date(3_723_004L)) // 01:02:03.004
            .put("amount", new BigDecimal("12.34"));
    RowPlan plan = RowPlan.compile(mapping(""), schema);
    assertThat(plan.columnTypes())
        .containsExactly(
            Map.entry("i8", RowPlan.Kind.LONG),
            Map.entry("i16", RowPlan.Kind.LONG),
            Map.entry("i32", RowPlan.Kind.LONG),
            Map.entry("i64", RowPlan.Kind.LONG),
            Map.entry("f32", RowPlan.Kind.DOUBLE),
            Map.entry("f64", RowPlan.Kind.DOUBLE),
            Map.entry("flag", RowPlan.Kind.BOOLEAN),
            Map.entry("text", RowPlan.Kind.VARCHAR),
            Map.entry("at", RowPlan.Kind.TIMESTAMP),
            Map.entry("day", RowPlan.Kind.TIMESTAMP),
            Map.entry("time", RowPlan.Kind.LONG),
            Map.entry("amount", RowPlan.Kind.DOUBLE));
    assertThat(rows(plan, record(v)))
        .containsExactly(
            "tbl | long i8=-8 | long i16=16 | long i32=32 | long i64=1099511627776 | dbl f32=0.5"
                + " | dbl f64=2.25 | bool flag=true | str text=hi | ts at="
                + (T0 + 1) * 1000
                + " | ts day="
                + day * 1000
                + " | long time=3723004 | dbl amount=12.34 | at "
                + KAFKA_TIME * 1000);
  }

  @Test
  void theTimestampFieldMayBeADateOrEpochMillis() {
    Schema millis =
        SchemaBuilder.struct()
            .field("when", Schema.INT64_SCHEMA)
            .field("x", Schema.INT32_SCHEMA)
            .build();
    assertThat(
            rows(
                RowPlan.compile(mapping("when"), millis),
                record(new Struct(millis).put("when", T0).put("x", 1))))
        .containsExactly("tbl | long x=1 | at " + T0 * 1000);

    Schema nested =
        SchemaBuilder.struct()
            .field("window", SchemaBuilder.struct().field("start", Date.SCHEMA).build())
            .field("x", Schema.INT32_SCHEMA)
            .build();
    long day = 20_416L * 86_400_000L;
    Struct v =
        new Struct(nested)
            .put(
                "window",
                new Struct(nested.field("window").schema()).put("start", new java.util.Date(day)))
            .put("x", 2);
    assertThat(rows(RowPlan.compile(mapping("window.start"), nested), record(v)))
        .as("a nested timestamp field by its dotted path")
        .containsExactly("tbl | long x=2 | at " + day * 1000);
  }

  @Test
  void aTimestampFieldOfAnotherTypeOrNoneAtAllIsRefused() {
    Schema schema = SchemaBuilder.struct().field("when", Schema.STRING_SCHEMA).build();
    assertThatThrownBy(() -> RowPlan.compile(mapping("when"), schema))
        .isInstanceOf(BadRecordException.class)
        .hasMessageContaining("timestamp field 'when' is a STRING")
        .hasMessageContaining("Timestamp, a Date or an int64");
    assertThatThrownBy(() -> RowPlan.compile(mapping("eventTime"), schema))
        .isInstanceOf(BadRecordException.class)
        .hasMessageContaining("timestamp.field.name 'eventTime' names no field");
  }

  @Test
  void optionalFieldsThatAreNullAreLeftOut() {
    Schema inner = SchemaBuilder.struct().optional().field("relayId", Schema.STRING_SCHEMA).build();
    Schema schema =
        SchemaBuilder.struct()
            .field("deviceId", Schema.OPTIONAL_STRING_SCHEMA)
            .field("value", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .field("provenance", inner)
            .field("x", Schema.INT32_SCHEMA)
            .build();
    RowPlan plan = RowPlan.compile(mapping("", "", Set.of("device_id"), false, false), schema);
    assertThat(rows(plan, record(new Struct(schema).put("x", 1))))
        .containsExactly("tbl | long x=1 | at " + KAFKA_TIME * 1000);
  }

  /**
   * QuestDB's own connector kept a record's timestamp and values in the writer's state after a bad
   * record, so the next record's row carried them (its issue #40). Here every row holds its own
   * record's values and time only.
   */
  @Test
  void aRecordsRowHoldsNothingOfTheRecordsBeforeIt() {
    Schema schema =
        SchemaBuilder.struct()
            .field("deviceId", Schema.STRING_SCHEMA)
            .field("eventTime", Timestamp.builder().optional().build())
            .field("site", Schema.OPTIONAL_STRING_SCHEMA)
            .field("note", Schema.OPTIONAL_STRING_SCHEMA)
            .field("value", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .field("at", Timestamp.builder().optional().build())
            .build();
    RowPlan plan = RowPlan.compile(mapping("eventTime", "", Set.of("site"), false, false), schema);
    Recorder out = new Recorder();

    Struct full =
        new Struct(schema)
            .put("deviceId", "a")
            .put("eventTime", new java.util.Date(T0))
            .put("site", "ward-1")
            .put("note", "first")
            .put("value", 1.0)
            .put("at", new java.util.Date(T0 + 7));
    plan.write(record(full), out);

    Struct noTime = new Struct(schema).put("deviceId", "b").put("site", "ward-2").put("value", 2.0);
    assertThatThrownBy(() -> plan.write(record(noTime), out))
        .isInstanceOf(BadRecordException.class)
        .hasMessageContaining("timestamp field 'eventTime' is null");
    assertThat(out.inRow()).as("a bad record begins no row").isFalse();

    Struct sparse =
        new Struct(schema).put("deviceId", "c").put("eventTime", new java.util.Date(T0 + 2000));
    plan.write(record(sparse), out);

    assertThat(out.rows)
        .containsExactly(
            "tbl | sym site=ward-1 | str device_id=a | str note=first | dbl value=1.0 | ts at="
                + (T0 + 7) * 1000
                + " | at "
                + T0 * 1000,
            "tbl | str device_id=c | at " + (T0 + 2000) * 1000);
  }

  @Test
  void aRecordWithoutKafkaTimestampIsRefusedAndTheNextKeepsItsOwn() {
    Schema schema = SchemaBuilder.struct().field("x", Schema.INT32_SCHEMA).build();
    RowPlan plan = RowPlan.compile(mapping(""), schema);
    Recorder out = new Recorder();
    plan.write(record(new Struct(schema).put("x", 1), T0), out);
    assertThatThrownBy(() -> plan.write(record(new Struct(schema).put("x", 2), null), out))
        .isInstanceOf(BadRecordException.class)
        .hasMessageContaining("no Kafka timestamp")
        .hasMessageContaining("timestamp.field.name is not set")
        .hasMessageContaining("set it to the field that holds the record's time");
    assertThat(out.inRow()).isFalse();
    plan.write(record(new Struct(schema).put("x", 3), T0 + 1), out);
    assertThat(out.rows)
        .containsExactly(
            "tbl | long x=1 | at " + T0 * 1000, "tbl | long x=3 | at " + (T0 + 1) * 1000);
  }

  @Test
  void anEmptyOrHoledExplodedArrayIsABadRecordThatBeginsNoRow() {
    RowPlan plan = RowPlan.compile(readings(), SinkFixtures.READING);
    Recorder out = new Recorder();
    Struct empty = SinkFixtures.reading("bp-1", 1, T0);
    assertThatThrownBy(() -> plan.write(SinkFixtures.record(0, 1, empty), out))
        .isInstanceOf(BadRecordException.class)
        .hasMessageContaining("field 'values' is empty");
    Struct holed = SinkFixtures.reading("bp-1", 2, T0, 1, 2);
    List<Object> values = new ArrayList<>(holed.getArray("values"));
    holed.put("values", values);
    values.add(null); // after put(), which refuses a null element of a required schema
    assertThatThrownBy(() -> plan.write(SinkFixtures.record(0, 2, holed), out))
        .isInstanceOf(BadRecordException.class)
        .hasMessageContaining("null element");
    assertThat(out.rows).isEmpty();
    assertThat(out.inRow()).isFalse();
  }

  @Test
  void fieldsOfUnsupportedTypesMakeARecordBadUnlessSkipped() {
    Schema bytes =
        SchemaBuilder.struct()
            .field("x", Schema.INT32_SCHEMA)
            .field("blob", Schema.BYTES_SCHEMA)
            .build();
    Schema map =
        SchemaBuilder.struct()
            .field("x", Schema.INT32_SCHEMA)
            .field(
                "tags",
                SchemaBuilder.struct()
                    .field(
                        "more",
                        SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.STRING_SCHEMA).build())
                    .build())
            .build();
    Schema array =
        SchemaBuilder.struct()
            .field("x", Schema.INT32_SCHEMA)
            .field("list", SchemaBuilder.array(Schema.INT32_SCHEMA).build())
            .build();
    assertThatThrownBy(() -> RowPlan.compile(mapping(""), bytes))
        .isInstanceOf(BadRecordException.class)
        .hasMessageContaining("field 'blob' is a BYTES")
        .hasMessageContaining("skip.unsupported.types=true");
    assertThatThrownBy(() -> RowPlan.compile(mapping(""), map))
        .isInstanceOf(BadRecordException.class)
        .hasMessageContaining("field 'tags.more' is a MAP");
    assertThatThrownBy(() -> RowPlan.compile(mapping(""), array))
        .isInstanceOf(BadRecordException.class)
        .hasMessageContaining("field 'list' is a ARRAY");

    TopicMapping skip = mapping("", "", Set.of(), false, true);
    assertThat(RowPlan.compile(skip, bytes).columnTypes()).containsOnlyKeys("x");
    assertThat(RowPlan.compile(skip, map).columnTypes()).containsOnlyKeys("x");
    assertThat(RowPlan.compile(skip, array).columnTypes()).containsOnlyKeys("x");
    Struct v = new Struct(bytes).put("x", 1).put("blob", new byte[] {1, 2});
    assertThat(rows(RowPlan.compile(skip, bytes), record(v)))
        .containsExactly("tbl | long x=1 | at " + KAFKA_TIME * 1000);
  }

  @Test
  void anExplodeFieldThatIsNotAnArrayOfRecordsIsRefused() {
    Schema schema =
        SchemaBuilder.struct()
            .field("list", SchemaBuilder.array(Schema.INT32_SCHEMA).build())
            .build();
    assertThatThrownBy(() -> RowPlan.compile(mapping("", "list", Set.of(), false, false), schema))
        .isInstanceOf(BadRecordException.class)
        .hasMessageContaining("explode field 'list'")
        .hasMessageContaining("array of records");
  }

  @Test
  void aValueWithoutAStructSchemaIsRefused() {
    assertThatThrownBy(() -> RowPlan.compile(mapping(""), null))
        .isInstanceOf(BadRecordException.class)
        .hasMessageContaining("no schema");
    assertThatThrownBy(() -> RowPlan.compile(mapping(""), Schema.STRING_SCHEMA))
        .isInstanceOf(BadRecordException.class)
        .hasMessageContaining("a STRING schema");
  }
}
