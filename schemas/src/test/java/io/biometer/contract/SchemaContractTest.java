package io.biometer.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.avro.Alert;
import io.biometer.avro.BodyReading;
import io.biometer.avro.CleanReading;
import io.biometer.avro.DailyAggregate;
import io.biometer.avro.DataCompleteness;
import io.biometer.avro.Device;
import io.biometer.avro.MeterReading;
import io.biometer.avro.SinkStatus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** The house rules of the Avro contract, checked over every schema the build generates. */
class SchemaContractTest {

  private static final List<Schema> TOP_LEVEL =
      List.of(
          BodyReading.getClassSchema(),
          MeterReading.getClassSchema(),
          SinkStatus.getClassSchema(),
          Device.getClassSchema(),
          Alert.getClassSchema(),
          DailyAggregate.getClassSchema(),
          DataCompleteness.getClassSchema(),
          CleanReading.getClassSchema());

  private static List<Schema> allNamedSchemas() {
    List<Schema> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    TOP_LEVEL.forEach(s -> collect(s, out, seen));
    return out;
  }

  private static void collect(Schema s, List<Schema> out, Set<String> seen) {
    switch (s.getType()) {
      case RECORD -> {
        if (seen.add(s.getFullName())) {
          out.add(s);
          s.getFields().forEach(f -> collect(f.schema(), out, seen));
        }
      }
      case ENUM -> {
        if (seen.add(s.getFullName())) {
          out.add(s);
        }
      }
      case UNION -> s.getTypes().forEach(t -> collect(t, out, seen));
      case ARRAY -> collect(s.getElementType(), out, seen);
      case MAP -> collect(s.getValueType(), out, seen);
      default -> {}
    }
  }

  @Test
  void everyRecordEnumAndFieldHasADoc() {
    List<String> missing = new ArrayList<>();
    for (Schema s : allNamedSchemas()) {
      if (s.getDoc() == null || s.getDoc().isBlank()) {
        missing.add(s.getFullName());
      }
      if (s.getType() == Schema.Type.RECORD) {
        s.getFields().stream()
            .filter(f -> f.doc() == null || f.doc().isBlank())
            .forEach(f -> missing.add(s.getFullName() + "." + f.name()));
      }
    }
    assertThat(missing).isEmpty();
  }

  @Test
  void optionalFieldsAreNullFirstWithNullDefault() {
    List<String> wrong = new ArrayList<>();
    for (Schema s : allNamedSchemas()) {
      if (s.getType() != Schema.Type.RECORD) {
        continue;
      }
      for (Schema.Field f : s.getFields()) {
        if (f.schema().getType() == Schema.Type.UNION) {
          boolean nullFirst = f.schema().getTypes().get(0).getType() == Schema.Type.NULL;
          boolean twoBranches = f.schema().getTypes().size() == 2;
          boolean nullDefault = f.hasDefaultValue() && f.defaultVal() == JsonProperties.NULL_VALUE;
          if (!(nullFirst && twoBranches && nullDefault)) {
            wrong.add(s.getFullName() + "." + f.name());
          }
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void timesAreTimestampMillis() {
    List<String> wrong = new ArrayList<>();
    for (Schema s : allNamedSchemas()) {
      if (s.getType() != Schema.Type.RECORD) {
        continue;
      }
      for (Schema.Field f : s.getFields()) {
        boolean isTime =
            f.name().endsWith("Time")
                || f.name().endsWith("At")
                || f.name().equals("windowStart")
                || f.name().equals("windowEnd");
        // An optional time (["null", time]) is a time too.
        Schema t = f.schema();
        if (t.getType() == Schema.Type.UNION
            && t.getTypes().size() == 2
            && t.getTypes().get(0).getType() == Schema.Type.NULL) {
          t = t.getTypes().get(1);
        }
        if (isTime && !(t.getLogicalType() instanceof LogicalTypes.TimestampMillis)) {
          wrong.add(s.getFullName() + "." + f.name());
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void everyReadingCarriesTheContractFields() {
    for (Schema reading : List.of(BodyReading.getClassSchema(), MeterReading.getClassSchema())) {
      assertThat(reading.getFields())
          .extracting(Schema.Field::name)
          .contains(
              "deviceId",
              "sensorType",
              "sequence",
              "eventTime",
              "values",
              "batteryPercent",
              "provenance");
    }
    assertThat(BodyReading.getClassSchema().getField("patientId")).isNotNull();
    assertThat(MeterReading.getClassSchema().getField("siteId")).isNotNull();
  }
}
