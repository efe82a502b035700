package io.biometer.connect.questdb;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * How the records of one value schema become rows of one table: the columns, their QuestDB types
 * and where each value comes from, compiled once per schema. Writing a record keeps no state
 * between records: every value is read from the record itself (QuestDB's own connector leaked a
 * record's timestamp into the next after an error, its issue #40).
 */
final class RowPlan {

  /** The parameter key Confluent's (and biometer's) Avro converter marks enum strings with. */
  static final String ENUM_PARAMETER = "io.confluent.connect.avro.Enum";

  /** A QuestDB column type and how a Connect value is written into it. */
  enum Kind {
    SYMBOL("SYMBOL"),
    VARCHAR("VARCHAR"),
    LONG("LONG"),
    DOUBLE("DOUBLE"),
    BOOLEAN("BOOLEAN"),
    TIMESTAMP("TIMESTAMP");

    final String sqlType;

    Kind(String sqlType) {
      this.sqlType = sqlType;
    }
  }

  /** One column: its name, type and the fields leading to its value. */
  record Column(String name, Kind kind, List<Field> path, boolean fromElement, boolean isTime) {}

  private final TopicMapping mapping;
  private final List<Field> timestampPath;
  private final List<Field> explodePath;
  private final Column[] symbols;
  private final Column[] others;
  private final Field[][] symbolPaths;
  private final Field[][] otherPaths;
  private final Map<String, Kind> columnTypes;

  private RowPlan(
      TopicMapping mapping,
      List<Field> timestampPath,
      List<Field> explodePath,
      List<Column> columns) {
    this.mapping = mapping;
    this.timestampPath = timestampPath;
    this.explodePath = explodePath;
    this.symbols = columns.stream().filter(c -> c.kind() == Kind.SYMBOL).toArray(Column[]::new);
    this.others = columns.stream().filter(c -> c.kind() != Kind.SYMBOL).toArray(Column[]::new);
    this.symbolPaths = paths(symbols);
    this.otherPaths = paths(others);
    Map<String, Kind> types = new LinkedHashMap<>();
    for (Column c : columns) {
      types.put(c.name(), c.kind());
    }
    this.columnTypes = types;
  }

  /**
   * Compiles the plan of {@code schema} under {@code mapping}.
   *
   * @throws BadRecordException if the schema cannot be mapped (no struct, no such timestamp field,
   *     a field of an unsupported type): every record of the schema is bad
   */
  static RowPlan compile(TopicMapping mapping, Schema schema) {
    if (schema == null || schema.type() != Schema.Type.STRUCT) {
      throw new BadRecordException(
          "the value has "
              + (schema == null ? "no schema" : "a " + schema.type() + " schema")
              + ": the QuestDB sink needs records (a struct with a schema, e.g. from an Avro or"
              + " JSON-with-schemas converter)");
    }
    List<Field> tsPath = List.of();
    if (!mapping.timestampField().isEmpty()) {
      tsPath = path(schema, mapping.timestampField(), QuestDbSinkConfig.TIMESTAMP_FIELD_NAME);
      Schema ts = tsPath.get(tsPath.size() - 1).schema();
      boolean ok =
          Timestamp.LOGICAL_NAME.equals(ts.name())
              || Date.LOGICAL_NAME.equals(ts.name())
              || (ts.type() == Schema.Type.INT64 && ts.name() == null);
      if (!ok) {
        throw new BadRecordException(
            "timestamp field '"
                + mapping.timestampField()
                + "' is a "
                + describe(ts)
                + ": it must be a Timestamp, a Date or an int64 of epoch milliseconds");
      }
    }
    List<Field> explodePath = List.of();
    Schema element = null;
    if (!mapping.explode().isEmpty()) {
      explodePath = path(schema, mapping.explode(), QuestDbSinkConfig.EXPLODE);
      Schema array = explodePath.get(explodePath.size() - 1).schema();
      if (array.type() != Schema.Type.ARRAY || array.valueSchema().type() != Schema.Type.STRUCT) {
        throw new BadRecordException(
            "explode field '"
                + mapping.explode()
                + "' is a "
                + describe(array)
                + ": it must be an array of records");
      }
      element = array.valueSchema();
    }
    List<Candidate> found = new ArrayList<>();
    collect(mapping, schema, new ArrayList<>(), false, tsPath, explodePath, found);
    if (element != null) {
      collect(mapping, element, new ArrayList<>(), true, List.of(), List.of(), found);
    }
    Map<String, Integer> leafCount = new HashMap<>();
    for (Candidate c : found) {
      leafCount.merge(c.leaf, 1, Integer::sum);
    }
    List<Column> columns = new ArrayList<>();
    Map<String, Column> byName = new HashMap<>();
    for (Candidate c : found) {
      String name = c.leaf;
      if (leafCount.get(c.leaf) > 1 && c.prefix.length() > 0) {
        name = c.prefix + "_" + c.leaf;
      }
      if (name.equals(mapping.timestampColumn()) || byName.containsKey(name)) {
        throw new BadRecordException(
            "two fields map to column '"
                + name
                + "': rename one, or set "
                + QuestDbSinkConfig.COLUMN_NAMING
                + "="
                + QuestDbSinkConfig.AS_IS);
      }
      Kind kind = c.kind;
      if (kind == Kind.VARCHAR && mapping.symbols().contains(name)) {
        kind = Kind.SYMBOL;
      }
      Column col = new Column(name, kind, c.path, c.fromElement, c.isTime);
      columns.add(col);
      byName.put(name, col);
    }
    return new RowPlan(mapping, tsPath, explodePath, columns);
  }

  private record Candidate(
      String leaf,
      String prefix,
      Kind kind,
      List<Field> path,
      boolean fromElement,
      boolean isTime) {}

  private static void collect(
      TopicMapping mapping,
      Schema struct,
      List<Field> parents,
      boolean fromElement,
      List<Field> tsPath,
      List<Field> explodePath,
      List<Candidate> out) {
    for (Field f : struct.fields()) {
      List<Field> path = new ArrayList<>(parents);
      path.add(f);
      if (path.equals(tsPath) || path.equals(explodePath)) {
        continue;
      }
      Schema s = f.schema();
      String leaf = mapping.columnName(f.name());
      String prefix =
          String.join("_", parents.stream().map(p -> mapping.columnName(p.name())).toList());
      if (s.type() == Schema.Type.STRUCT) {
        collect(mapping, s, path, fromElement, tsPath, explodePath, out);
        continue;
      }
      Kind kind = kindOf(s);
      if (kind == null) {
        if (mapping.skipUnsupported()) {
          continue;
        }
        throw new BadRecordException(
            "field '"
                + dotted(path)
                + "' is a "
                + describe(s)
                + ", which has no QuestDB column type; set "
                + QuestDbSinkConfig.SKIP_UNSUPPORTED_TYPES
                + "=true to leave such fields out");
      }
      out.add(
          new Candidate(
              leaf,
              prefix,
              kind,
              List.copyOf(path),
              fromElement,
              Time.LOGICAL_NAME.equals(s.name())));
    }
  }

  private static Kind kindOf(Schema s) {
    String name = s.name();
    if (Timestamp.LOGICAL_NAME.equals(name) || Date.LOGICAL_NAME.equals(name)) {
      return Kind.TIMESTAMP;
    }
    if (Time.LOGICAL_NAME.equals(name)) {
      return Kind.LONG;
    }
    if (Decimal.LOGICAL_NAME.equals(name)) {
      return Kind.DOUBLE;
    }
    return switch (s.type()) {
      case INT8, INT16, INT32, INT64 -> Kind.LONG;
      case FLOAT32, FLOAT64 -> Kind.DOUBLE;
      case BOOLEAN -> Kind.BOOLEAN;
      case STRING ->
          s.parameters() != null && s.parameters().containsKey(ENUM_PARAMETER)
              ? Kind.SYMBOL
              : Kind.VARCHAR;
      default -> null;
    };
  }

  private static List<Field> path(Schema schema, String dotted, String key) {
    List<Field> path = new ArrayList<>();
    Schema s = schema;
    for (String part : dotted.split("\\.")) {
      Field f = s.type() == Schema.Type.STRUCT ? s.field(part) : null;
      if (f == null) {
        throw new BadRecordException(
            key + " '" + dotted + "' names no field of " + describe(schema));
      }
      path.add(f);
      s = f.schema();
    }
    return List.copyOf(path);
  }

  private static String dotted(List<Field> path) {
    return String.join(".", path.stream().map(Field::name).toList());
  }

  private static String describe(Schema s) {
    return (s.name() != null ? s.name() + " (" + s.type() + ")" : s.type().toString());
  }

  /** Column name to type, the designated timestamp column not included. */
  Map<String, Kind> columnTypes() {
    return columnTypes;
  }

  TopicMapping mapping() {
    return mapping;
  }

  /**
   * Writes the rows of {@code record}.
   *
   * @return the number of rows written
   * @throws BadRecordException if the record has no timestamp, or its exploded array is empty; no
   *     row of it has been written then
   */
  int write(SinkRecord record, RowWriter out) {
    Struct value = (Struct) record.value();
    long ts = timestampMicros(record, value);
    // Fresh per record: the values of the record's own fields, read once for all its rows.
    Object[] symbolValues = new Object[symbols.length];
    Object[] otherValues = new Object[others.length];
    read(value, false, symbols, symbolPaths, symbolValues);
    read(value, false, others, otherPaths, otherValues);
    if (explodePath.isEmpty()) {
      row(symbolValues, otherValues, ts, out);
      return 1;
    }
    Object elements = get(value, explodePath);
    if (!(elements instanceof List<?> list) || list.isEmpty()) {
      throw new BadRecordException(
          "field '" + mapping.explode() + "' is empty: the record has no rows to write");
    }
    for (Object e : list) {
      if (e == null) {
        throw new BadRecordException(
            "field '" + mapping.explode() + "' holds a null element: no row can be written");
      }
    }
    for (Object e : list) {
      read((Struct) e, true, symbols, symbolPaths, symbolValues);
      read((Struct) e, true, others, otherPaths, otherValues);
      row(symbolValues, otherValues, ts, out);
    }
    return list.size();
  }

  private static Field[][] paths(Column[] columns) {
    Field[][] paths = new Field[columns.length][];
    for (int i = 0; i < columns.length; i++) {
      paths[i] = columns[i].path().toArray(Field[]::new);
    }
    return paths;
  }

  /** Reads the values of the columns that come from {@code struct} (the record or an element). */
  private static void read(
      Struct struct, boolean element, Column[] columns, Field[][] paths, Object[] values) {
    for (int i = 0; i < columns.length; i++) {
      if (columns[i].fromElement() == element) {
        Object v = struct;
        for (Field f : paths[i]) {
          if (v == null) {
            break;
          }
          v = ((Struct) v).get(f);
        }
        values[i] = v;
      }
    }
  }

  private void row(Object[] symbolValues, Object[] otherValues, long ts, RowWriter out) {
    out.table(mapping.table());
    for (int i = 0; i < symbols.length; i++) {
      Object v = symbolValues[i];
      if (v != null) {
        out.symbol(symbols[i].name(), v.toString());
      }
    }
    for (int i = 0; i < others.length; i++) {
      Column c = others[i];
      Object v = otherValues[i];
      if (v == null) {
        continue;
      }
      switch (c.kind()) {
        case VARCHAR -> out.string(c.name(), v.toString());
        case LONG ->
            out.longColumn(
                c.name(), c.isTime() ? ((java.util.Date) v).getTime() : ((Number) v).longValue());
        case DOUBLE ->
            out.doubleColumn(
                c.name(), v instanceof BigDecimal d ? d.doubleValue() : ((Number) v).doubleValue());
        case BOOLEAN -> out.boolColumn(c.name(), (Boolean) v);
        case TIMESTAMP -> out.timestampColumn(c.name(), ((java.util.Date) v).getTime() * 1000L);
        default -> throw new IllegalStateException("symbol among the other columns: " + c);
      }
    }
    out.at(ts);
  }

  private long timestampMicros(SinkRecord record, Struct value) {
    if (timestampPath.isEmpty()) {
      Long t = record.timestamp();
      if (t == null) {
        throw new BadRecordException(
            "the record has no Kafka timestamp and "
                + QuestDbSinkConfig.TIMESTAMP_FIELD_NAME
                + " is not set: set it to the field that holds the record's time");
      }
      return t * 1000L;
    }
    Object v = get(value, timestampPath);
    if (v == null) {
      throw new BadRecordException(
          "timestamp field '" + mapping.timestampField() + "' is null: the row has no time");
    }
    return (v instanceof java.util.Date d ? d.getTime() : ((Number) v).longValue()) * 1000L;
  }

  private static Object get(Struct struct, List<Field> path) {
    Object v = struct;
    for (Field f : path) {
      if (v == null) {
        return null;
      }
      v = ((Struct) v).get(f);
    }
    return v;
  }
}
