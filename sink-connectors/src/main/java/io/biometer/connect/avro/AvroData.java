package io.biometer.connect.avro;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps Avro schemas and data to Kafka Connect schemas and data and back, the way Confluent's {@code
 * io.confluent.connect.avro.AvroData} does, so that connectors and transforms written against
 * Confluent's converter see the same Connect schemas (names, versions, parameters, defaults).
 *
 * <p>Avro to Connect:
 *
 * <ul>
 *   <li>{@code timestamp-millis} to {@link Timestamp}, {@code date} to {@link Date}, {@code
 *       time-millis} to {@link Time}, bytes or fixed {@code decimal} to {@link Decimal} (precision
 *       in the parameter {@code connect.decimal.precision} unless it is 64); fixed types keep their
 *       size in {@code connect.fixed.size}. Beyond Confluent: {@code timestamp-micros} to {@link
 *       Timestamp} too (values truncated to milliseconds), marked with the parameter {@value
 *       #AVRO_LOGICAL_TYPE_PARAM} so that the way back writes micros again.
 *   <li>Enums to STRING with the parameters {@code io.confluent.connect.avro.Enum=<full name>} and
 *       {@code io.confluent.connect.avro.Enum.<symbol>=<symbol>}, plus the enum's doc and default.
 *   <li>{@code ["null", T]} in either order to an optional T; any other union to a STRUCT named
 *       {@code io.confluent.connect.avro.Union} with one optional field per branch, named by the
 *       branch's type ({@code int}, {@code string}, …) or, for records, enums and fixed, by the
 *       simple name (the full name with {@code enhanced.avro.schema.support}).
 *   <li>The properties {@code connect.name}, {@code connect.version}, {@code connect.default}, and
 *       (with {@code connect.meta.data}) {@code connect.doc} and {@code connect.parameters}; record
 *       and field docs and Avro field defaults are kept as parameters.
 * </ul>
 *
 * <p>Departures from Confluent: a nullable field keeps its Avro default as the Connect default
 * (Confluent drops it, its issue #1693) unless {@code ignore.default.for.nullables} is true;
 * recursive Avro schemas and schemaless Connect data are refused with a {@link DataException}.
 *
 * <p>Values: Avro data as read by a {@link org.apache.avro.generic.GenericDatumReader} without
 * logical-type conversions (raw longs, ints and bytes); Connect data as Connect defines it. Schema
 * conversions are cached in LRU caches. Every failure is a {@link DataException}.
 */
public final class AvroData {

  private static final Logger log = LoggerFactory.getLogger(AvroData.class);

  /** Namespace of Confluent's parameters and generated names. */
  public static final String NAMESPACE = "io.confluent.connect.avro";

  /** Name of the Connect STRUCT that stands for a general Avro union. */
  public static final String UNION_NAME = NAMESPACE + ".Union";

  /** Parameter that holds the full name of the Avro enum a Connect STRING came from. */
  public static final String ENUM_PARAM = NAMESPACE + ".Enum";

  /** Prefix of the parameter holding an enum's doc, followed by the enum's simple name. */
  public static final String ENUM_DOC_PREFIX = NAMESPACE + ".enum.doc.";

  /** Prefix of the parameter holding an enum's default symbol, followed by its simple name. */
  public static final String ENUM_DEFAULT_PREFIX = NAMESPACE + ".enum.default.";

  /** Parameter holding a record's doc. */
  public static final String RECORD_DOC_PARAM = NAMESPACE + ".record.doc";

  /** Prefix of the struct parameter holding a field's doc, followed by the field name. */
  public static final String FIELD_DOC_PREFIX = NAMESPACE + ".field.doc.";

  /** Parameter marking a Connect default that came from an Avro field default. */
  public static final String FIELD_DEFAULT_FLAG = NAMESPACE + ".field.default";

  /** Parameter with the precision of a decimal, when it is not {@value #DEFAULT_PRECISION}. */
  public static final String DECIMAL_PRECISION_PARAM = "connect.decimal.precision";

  /** Parameter with the size of an Avro fixed. */
  public static final String FIXED_SIZE_PARAM = "connect.fixed.size";

  /**
   * biometer's parameter naming the Avro logical type of a Connect {@link Timestamp} when it is not
   * {@code timestamp-millis}; its only value is {@code timestamp-micros}.
   */
  public static final String AVRO_LOGICAL_TYPE_PARAM = "io.biometer.connect.avro.logicalType";

  static final String CONNECT_NAME_PROP = "connect.name";
  static final String CONNECT_DOC_PROP = "connect.doc";
  static final String CONNECT_VERSION_PROP = "connect.version";
  static final String CONNECT_DEFAULT_PROP = "connect.default";
  static final String CONNECT_PARAMETERS_PROP = "connect.parameters";
  static final String CONNECT_TYPE_PROP = "connect.type";
  static final String CONNECT_INTERNAL_TYPE_PROP = "connect.internal.type";
  static final String TIMESTAMP_MICROS = "timestamp-micros";
  private static final String LOGICAL_TYPE_PROP = "logicalType";
  private static final String DEFAULT_NAME = "ConnectDefault";
  private static final String MAP_ENTRY_NAME = "MapEntry";
  private static final int DEFAULT_PRECISION = 64;
  private static final Object NO_DEFAULT = new Object();

  private final boolean connectMetaData;
  private final boolean enhanced;
  private final boolean ignoreDefaultForNullables;
  private final LruCache<VersionedSchema, Schema> toConnectCache;
  private final LruCache<Schema, org.apache.avro.Schema> fromConnectCache;

  private record VersionedSchema(org.apache.avro.Schema schema, Integer version) {}

  /** A mapping configured by the converter's keys. */
  public AvroData(AvroConverterConfig config) {
    this(
        config.cacheSize(),
        config.connectMetaData(),
        config.enhancedAvroSchemaSupport(),
        config.ignoreDefaultForNullables());
  }

  /**
   * A mapping with explicit options.
   *
   * @param cacheSize size of each LRU schema cache
   * @param connectMetaData read and write the {@code connect.*} properties and docs
   * @param enhanced write enums back as enums; name union branches by full name
   * @param ignoreDefaultForNullables null values of nullable fields stay null
   */
  public AvroData(
      int cacheSize, boolean connectMetaData, boolean enhanced, boolean ignoreDefaultForNullables) {
    this.connectMetaData = connectMetaData;
    this.enhanced = enhanced;
    this.ignoreDefaultForNullables = ignoreDefaultForNullables;
    this.toConnectCache = new LruCache<>(cacheSize);
    this.fromConnectCache = new LruCache<>(cacheSize);
  }

  // ---------------------------------------------------------------- Avro -> Connect schema

  /**
   * The Connect schema of {@code avro}.
   *
   * @param version the version to give the top-level schema when it has no {@code connect.version}
   *     (the registry's version of the writer schema under the subject), or null
   */
  public Schema toConnectSchema(org.apache.avro.Schema avro, Integer version) {
    return toConnectCache.computeIfAbsent(
        new VersionedSchema(avro, version),
        k -> {
          try {
            return toConnect(
                avro,
                false,
                NO_DEFAULT,
                version,
                Collections.newSetFromMap(new IdentityHashMap<>()));
          } catch (AvroRuntimeException e) {
            throw new DataException(
                "cannot map Avro schema " + avro.getFullName() + " to Connect: " + e.getMessage(),
                e);
          }
        });
  }

  private Schema toConnect(
      org.apache.avro.Schema avro,
      boolean optional,
      Object fieldDefault,
      Integer version,
      Set<org.apache.avro.Schema> records) {
    String connectType = avro.getProp(CONNECT_TYPE_PROP);
    String logicalType = avro.getProp(LOGICAL_TYPE_PROP);
    SchemaBuilder builder;
    switch (avro.getType()) {
      case BOOLEAN -> builder = SchemaBuilder.bool();
      case BYTES, FIXED -> {
        if ("decimal".equalsIgnoreCase(logicalType)) {
          Object scale = avro.getObjectProp("scale");
          builder = Decimal.builder(scale instanceof Number n ? n.intValue() : 0);
          Object precision = avro.getObjectProp("precision");
          if (precision != null) {
            if (!(precision instanceof Number p)) {
              throw new DataException(
                  "the precision of decimal "
                      + avro
                      + " must be a JSON integer (Avro specification, decimal)");
            }
            if (p.intValue() != DEFAULT_PRECISION) {
              builder.parameter(DECIMAL_PRECISION_PARAM, String.valueOf(p.intValue()));
            }
          }
        } else {
          builder = SchemaBuilder.bytes();
        }
        if (avro.getType() == org.apache.avro.Schema.Type.FIXED) {
          builder.parameter(FIXED_SIZE_PARAM, String.valueOf(avro.getFixedSize()));
        }
      }
      case DOUBLE -> builder = SchemaBuilder.float64();
      case FLOAT -> builder = SchemaBuilder.float32();
      case INT -> {
        if (logicalType != null) {
          if ("date".equalsIgnoreCase(logicalType)) {
            builder = Date.builder();
          } else if ("time-millis".equalsIgnoreCase(logicalType)) {
            builder = Time.builder();
          } else {
            builder = SchemaBuilder.int32();
          }
        } else if (connectType == null) {
          builder = SchemaBuilder.int32();
        } else if ("int8".equals(connectType)) {
          builder = SchemaBuilder.int8();
        } else if ("int16".equals(connectType)) {
          builder = SchemaBuilder.int16();
        } else {
          throw new DataException(
              "unknown connect.type '" + connectType + "' on an Avro int (int8 or int16 expected)");
        }
      }
      case LONG -> {
        if ("timestamp-millis".equalsIgnoreCase(logicalType)) {
          builder = Timestamp.builder();
        } else if (TIMESTAMP_MICROS.equalsIgnoreCase(logicalType)) {
          builder = Timestamp.builder().parameter(AVRO_LOGICAL_TYPE_PARAM, TIMESTAMP_MICROS);
        } else {
          builder = SchemaBuilder.int64();
        }
      }
      case STRING -> builder = SchemaBuilder.string();
      case ARRAY -> {
        org.apache.avro.Schema element = avro.getElementType();
        if (isMapEntry(element)) {
          if (element.getFields().size() != 2
              || element.getField("key") == null
              || element.getField("value") == null) {
            throw new DataException(
                "array of "
                    + element.getFullName()
                    + " looks like a map encoded as key-value records, but the records do not have"
                    + " exactly the fields 'key' and 'value'");
          }
          builder =
              SchemaBuilder.map(
                  toConnect(element.getField("key").schema(), false, NO_DEFAULT, null, records),
                  toConnect(element.getField("value").schema(), false, NO_DEFAULT, null, records));
        } else {
          builder = SchemaBuilder.array(toConnect(element, false, NO_DEFAULT, null, records));
        }
      }
      case MAP ->
          builder =
              SchemaBuilder.map(
                  Schema.STRING_SCHEMA,
                  toConnect(avro.getValueType(), false, NO_DEFAULT, null, records));
      case RECORD -> {
        if (!records.add(avro)) {
          throw new DataException(
              "Avro record "
                  + avro.getFullName()
                  + " contains itself; recursive schemas have no Connect equivalent and are not"
                  + " supported by this converter");
        }
        builder = SchemaBuilder.struct();
        if (connectMetaData && avro.getDoc() != null) {
          builder.parameter(RECORD_DOC_PARAM, avro.getDoc());
        }
        for (org.apache.avro.Schema.Field field : avro.getFields()) {
          if (connectMetaData && field.doc() != null) {
            builder.parameter(FIELD_DOC_PREFIX + field.name(), field.doc());
          }
          Object def = NO_DEFAULT;
          if (field.hasDefaultValue()) {
            try {
              def = GenericData.get().getDefaultValue(field);
            } catch (AvroRuntimeException e) {
              log.warn("Ignoring invalid default of field {} in {}", field.name(), avro, e);
            }
          }
          builder.field(field.name(), toConnect(field.schema(), false, def, null, records));
        }
        records.remove(avro);
      }
      case ENUM -> {
        builder = SchemaBuilder.string();
        if (connectMetaData) {
          if (avro.getDoc() != null) {
            builder.parameter(ENUM_DOC_PREFIX + avro.getName(), avro.getDoc());
          }
          if (avro.getEnumDefault() != null) {
            builder.parameter(ENUM_DEFAULT_PREFIX + avro.getName(), avro.getEnumDefault());
          }
        }
        builder.parameter(ENUM_PARAM, avro.getFullName());
        for (String symbol : avro.getEnumSymbols()) {
          builder.parameter(ENUM_PARAM + "." + symbol, symbol);
        }
      }
      case UNION -> {
        List<org.apache.avro.Schema> types = avro.getTypes();
        if (types.size() == 1) {
          return toConnect(types.get(0), optional, fieldDefault, version, records);
        }
        if (types.size() == 2 && isNullable(avro)) {
          org.apache.avro.Schema member = nonNull(avro);
          Object memberDefault =
              ignoreDefaultForNullables || fieldDefault == null ? NO_DEFAULT : fieldDefault;
          return toConnect(member, true, memberDefault, null, records);
        }
        builder = SchemaBuilder.struct().name(UNION_NAME);
        Set<String> names = new HashSet<>();
        for (org.apache.avro.Schema member : types) {
          if (member.getType() == org.apache.avro.Schema.Type.NULL) {
            builder.optional();
            continue;
          }
          String name = unionFieldName(member);
          if (!names.add(name)) {
            throw new DataException(
                "two branches of union "
                    + avro
                    + " map to the Connect union field '"
                    + name
                    + "'; give the named types distinct simple names or set"
                    + " enhanced.avro.schema.support=true");
          }
          builder.field(name, toConnect(member, true, NO_DEFAULT, null, records));
        }
      }
      case NULL ->
          throw new DataException(
              "a standalone Avro null schema has no Connect equivalent; use it only inside a"
                  + " union");
      default ->
          throw new DataException("Avro type " + avro.getType() + " has no Connect equivalent");
    }

    if (connectMetaData && avro.getProp(CONNECT_DOC_PROP) != null) {
      builder.doc(avro.getProp(CONNECT_DOC_PROP));
    }
    applyVersion(builder, avro, version);
    if (connectMetaData) {
      Object params = avro.getObjectProp(CONNECT_PARAMETERS_PROP);
      if (params != null) {
        if (!(params instanceof Map<?, ?> map)) {
          throw new DataException(
              "connect.parameters of " + avro + " must be a JSON object, found " + params);
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
          if (!(e.getValue() instanceof String s)) {
            throw new DataException(
                "connect.parameters of "
                    + avro
                    + " must have string values, found "
                    + e.getKey()
                    + "="
                    + e.getValue());
          }
          builder.parameter(e.getKey().toString(), s);
        }
      }
    }
    for (Map.Entry<String, Object> e : avro.getObjectProps().entrySet()) {
      if (e.getKey().startsWith("avro")) {
        builder.parameter(e.getKey(), e.getValue().toString());
      }
    }
    applyDefault(builder, avro, fieldDefault);
    applyName(builder, avro);
    if (optional) {
      builder.optional();
    }
    return builder.build();
  }

  private static void applyVersion(
      SchemaBuilder builder, org.apache.avro.Schema avro, Integer registryVersion) {
    Object connectVersion = avro.getObjectProp(CONNECT_VERSION_PROP);
    if (connectVersion != null) {
      if (!(connectVersion instanceof Number n)) {
        throw new DataException(
            "connect.version of " + avro + " is not a number: " + connectVersion);
      }
      if (builder.version() != null && builder.version() != n.intValue()) {
        throw new DataException(
            "connect.version "
                + n
                + " of "
                + avro
                + " contradicts the version "
                + builder.version()
                + " of Connect's logical type "
                + builder.name());
      }
      builder.version(n.intValue());
    } else if (registryVersion != null && builder.version() == null) {
      // A logical type keeps its own version (1); Confluent fails on the mismatch instead.
      builder.version(registryVersion);
    }
  }

  private void applyDefault(
      SchemaBuilder builder, org.apache.avro.Schema avro, Object fieldDefault) {
    Object connectDefault = avro.getObjectProp(CONNECT_DEFAULT_PROP);
    Object datum = fieldDefault;
    if (fieldDefault == NO_DEFAULT) {
      if (connectDefault == null) {
        return;
      }
      try {
        datum = GenericData.get().getDefaultValue(asField(avro, connectDefault));
      } catch (AvroRuntimeException e) {
        log.warn("Ignoring invalid connect.default {} of {}", connectDefault, avro, e);
        return;
      }
    } else if (connectMetaData && connectDefault == null) {
      builder.parameter(FIELD_DEFAULT_FLAG, "true");
    }
    if (datum == null) {
      return;
    }
    try {
      builder.defaultValue(toConnectData(builder, avro, datum));
    } catch (DataException e) {
      log.warn("Ignoring invalid default {} of {}", datum, avro, e);
    }
  }

  private static org.apache.avro.Schema.Field asField(
      org.apache.avro.Schema avro, Object jsonDefault) {
    return new org.apache.avro.Schema.Field("default", avro, null, jsonDefault);
  }

  private static void applyName(SchemaBuilder builder, org.apache.avro.Schema avro) {
    Object connectName = avro.getObjectProp(CONNECT_NAME_PROP);
    String name = null;
    if (connectName != null) {
      if (!(connectName instanceof String s)) {
        throw new DataException("connect.name of " + avro + " is not a string: " + connectName);
      }
      name = s;
    } else if (avro.getType() == org.apache.avro.Schema.Type.RECORD
        || avro.getType() == org.apache.avro.Schema.Type.ENUM
        || (avro.getType() == org.apache.avro.Schema.Type.FIXED
            && !Decimal.LOGICAL_NAME.equals(builder.name()))) {
      name = avro.getFullName();
    }
    if (name == null || name.startsWith(NAMESPACE + "." + DEFAULT_NAME)) {
      return;
    }
    if (builder.name() == null) {
      builder.name(name);
    } else if (!builder.name().equals(name)) {
      throw new DataException(
          "Avro schema "
              + avro
              + " names itself "
              + name
              + " but maps to Connect's "
              + builder.name());
    }
  }

  private String unionFieldName(org.apache.avro.Schema member) {
    return switch (member.getType()) {
      case RECORD, ENUM, FIXED -> enhanced ? member.getFullName() : member.getName();
      default -> member.getType().getName();
    };
  }

  private static boolean isNullable(org.apache.avro.Schema union) {
    for (org.apache.avro.Schema t : union.getTypes()) {
      if (t.getType() == org.apache.avro.Schema.Type.NULL) {
        return true;
      }
    }
    return false;
  }

  private static org.apache.avro.Schema nonNull(org.apache.avro.Schema union) {
    for (org.apache.avro.Schema t : union.getTypes()) {
      if (t.getType() != org.apache.avro.Schema.Type.NULL) {
        return t;
      }
    }
    throw new DataException("union " + union + " has no branch but null");
  }

  private static boolean isMapEntry(org.apache.avro.Schema element) {
    return element.getType() == org.apache.avro.Schema.Type.RECORD
        && ((NAMESPACE.equals(element.getNamespace()) && MAP_ENTRY_NAME.equals(element.getName()))
            || MAP_ENTRY_NAME.equals(element.getProp(CONNECT_INTERNAL_TYPE_PROP)));
  }

  // ---------------------------------------------------------------- Avro -> Connect data

  /**
   * The Connect value of the Avro datum {@code datum} of schema {@code avro}, whose Connect schema
   * is {@code schema} (from {@link #toConnectSchema}).
   */
  /** The Avro field of each Connect field, by position; looked up by name once per schema pair. */
  private final Map<Schema, org.apache.avro.Schema.Field[]> avroFields =
      java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

  private org.apache.avro.Schema.Field[] avroFieldsOf(Schema schema, org.apache.avro.Schema avro) {
    org.apache.avro.Schema.Field[] found = avroFields.get(schema);
    if (found == null || (found.length > 0 && found[0] != avro.getField(found[0].name()))) {
      List<Field> fields = schema.fields();
      found = new org.apache.avro.Schema.Field[fields.size()];
      for (int i = 0; i < found.length; i++) {
        found[i] = avro.getField(fields.get(i).name());
      }
      if (avroFields.size() > 10_000) {
        avroFields.clear();
      }
      avroFields.put(schema, found);
    }
    return found;
  }

  public Object toConnectData(Schema schema, org.apache.avro.Schema avro, Object datum) {
    if (datum == null || datum == JsonProperties.NULL_VALUE) {
      if (!schema.isOptional()) {
        throw new DataException("null value for the required Connect schema " + describe(schema));
      }
      return null;
    }
    try {
      return switch (avro.getType()) {
        case UNION -> unionToConnect(schema, avro, datum);
        case RECORD -> {
          IndexedRecord record = (IndexedRecord) datum;
          Struct struct = new Struct(schema);
          org.apache.avro.Schema.Field[] avroFields = avroFieldsOf(schema, avro);
          List<Field> fields = schema.fields();
          for (int i = 0; i < avroFields.length; i++) {
            org.apache.avro.Schema.Field avroField = avroFields[i];
            Field field = fields.get(i);
            struct.put(
                field,
                toConnectData(field.schema(), avroField.schema(), record.get(avroField.pos())));
          }
          yield struct;
        }
        case ENUM, STRING -> datum.toString();
        case BYTES, FIXED -> {
          byte[] bytes = bytesOf(datum);
          yield Decimal.LOGICAL_NAME.equals(schema.name())
              ? Decimal.toLogical(schema, bytes)
              : ByteBuffer.wrap(bytes);
        }
        case INT -> intToConnect(schema, (Integer) datum);
        case LONG -> {
          long l = (Long) datum;
          if (!Timestamp.LOGICAL_NAME.equals(schema.name())) {
            yield Long.valueOf(l);
          }
          yield isMicros(schema)
              ? new java.util.Date(Math.floorDiv(l, 1000L))
              : Timestamp.toLogical(schema, l);
        }
        case FLOAT -> (Float) datum;
        case DOUBLE -> (Double) datum;
        case BOOLEAN -> (Boolean) datum;
        case ARRAY -> {
          Collection<?> items = (Collection<?>) datum;
          if (schema.type() == Schema.Type.MAP) {
            org.apache.avro.Schema entry = avro.getElementType();
            Map<Object, Object> map = new HashMap<>();
            for (Object item : items) {
              IndexedRecord r = (IndexedRecord) item;
              map.put(
                  toConnectData(
                      schema.keySchema(),
                      entry.getField("key").schema(),
                      r.get(entry.getField("key").pos())),
                  toConnectData(
                      schema.valueSchema(),
                      entry.getField("value").schema(),
                      r.get(entry.getField("value").pos())));
            }
            yield map;
          }
          List<Object> list = new ArrayList<>(items.size());
          for (Object item : items) {
            list.add(toConnectData(schema.valueSchema(), avro.getElementType(), item));
          }
          yield list;
        }
        case MAP -> {
          Map<?, ?> in = (Map<?, ?>) datum;
          Map<String, Object> out = new HashMap<>();
          for (Map.Entry<?, ?> e : in.entrySet()) {
            out.put(
                e.getKey().toString(),
                toConnectData(schema.valueSchema(), avro.getValueType(), e.getValue()));
          }
          yield out;
        }
        default ->
            throw new DataException("Avro type " + avro.getType() + " has no Connect equivalent");
      };
    } catch (ClassCastException e) {
      throw new DataException(
          "an Avro "
              + avro.getType()
              + " value is a "
              + datum.getClass().getName()
              + ", which does not fit; the datum does not match its schema",
          e);
    }
  }

  private static Object intToConnect(Schema schema, int i) {
    Object out;
    if (schema.type() == Schema.Type.INT8) {
      out = Byte.valueOf((byte) i);
    } else if (schema.type() == Schema.Type.INT16) {
      out = Short.valueOf((short) i);
    } else if (Date.LOGICAL_NAME.equals(schema.name())) {
      out = Date.toLogical(schema, i);
    } else if (Time.LOGICAL_NAME.equals(schema.name())) {
      out = Time.toLogical(schema, i);
    } else {
      out = Integer.valueOf(i);
    }
    return out;
  }

  private Object unionToConnect(Schema schema, org.apache.avro.Schema avro, Object datum) {
    int index;
    try {
      index = GenericData.get().resolveUnion(avro, datum);
    } catch (AvroRuntimeException e) {
      throw new DataException("no branch of union " + avro + " fits the value " + datum, e);
    }
    org.apache.avro.Schema member = avro.getTypes().get(index);
    if (member.getType() == org.apache.avro.Schema.Type.NULL) {
      return toConnectData(schema, member, null);
    }
    if (!isUnionStruct(schema)) {
      return toConnectData(schema, member, datum);
    }
    String name = unionFieldName(member);
    Field field = schema.field(name);
    if (field == null) {
      throw new DataException("Connect union " + describe(schema) + " has no field " + name);
    }
    return new Struct(schema).put(field, toConnectData(field.schema(), member, datum));
  }

  private static byte[] bytesOf(Object datum) {
    if (datum instanceof ByteBuffer b) {
      ByteBuffer dup = b.duplicate();
      byte[] bytes = new byte[dup.remaining()];
      dup.get(bytes);
      return bytes;
    }
    if (datum instanceof GenericFixed f) {
      return f.bytes();
    }
    if (datum instanceof byte[] a) {
      return a;
    }
    throw new ClassCastException(datum.getClass().getName());
  }

  private static boolean isMicros(Schema schema) {
    return schema.parameters() != null
        && TIMESTAMP_MICROS.equals(schema.parameters().get(AVRO_LOGICAL_TYPE_PARAM));
  }

  private static boolean isUnionStruct(Schema schema) {
    return schema.type() == Schema.Type.STRUCT && UNION_NAME.equals(schema.name());
  }

  private static String describe(Schema schema) {
    return schema.name() != null ? schema.name() : schema.type().toString();
  }

  // ---------------------------------------------------------------- Connect -> Avro schema

  /** The Avro schema fromConnectData writes for {@code schema} (never null). */
  public org.apache.avro.Schema fromConnectSchema(Schema schema) {
    Objects.requireNonNull(schema, "schema");
    return fromConnectCache.computeIfAbsent(
        schema,
        s -> {
          try {
            return fromConnect(s, new FromConnectContext(), false);
          } catch (AvroRuntimeException | NumberFormatException e) {
            throw new DataException(
                "cannot map Connect schema " + describe(s) + " to Avro: " + e.getMessage(), e);
          }
        });
  }

  /** Named types already defined in one conversion, and the count of generated names. */
  private static final class FromConnectContext {
    final Map<Schema, org.apache.avro.Schema> done = new HashMap<>();
    final Map<String, org.apache.avro.Schema> named = new HashMap<>();
    int defaultNames;

    String[] nameOrDefault(String name) {
      if (name != null) {
        int dot = name.lastIndexOf('.');
        return dot < 0
            ? new String[] {null, name}
            : new String[] {name.substring(0, dot), name.substring(dot + 1)};
      }
      defaultNames++;
      return new String[] {NAMESPACE, DEFAULT_NAME + (defaultNames > 1 ? defaultNames : "")};
    }
  }

  private org.apache.avro.Schema fromConnect(
      Schema schema, FromConnectContext ctx, boolean ignoreOptional) {
    if (!isUnionStruct(schema) && !schema.isOptional()) {
      org.apache.avro.Schema done = ctx.done.get(schema);
      if (done != null) {
        return done;
      }
    }
    String connectType = null;
    boolean reused = false;
    org.apache.avro.Schema base;
    Map<String, String> params = schema.parameters() == null ? Map.of() : schema.parameters();
    switch (schema.type()) {
      case INT8 -> {
        connectType = "int8";
        base = org.apache.avro.Schema.create(org.apache.avro.Schema.Type.INT);
      }
      case INT16 -> {
        connectType = "int16";
        base = org.apache.avro.Schema.create(org.apache.avro.Schema.Type.INT);
      }
      case INT32 -> base = org.apache.avro.Schema.create(org.apache.avro.Schema.Type.INT);
      case INT64 -> base = org.apache.avro.Schema.create(org.apache.avro.Schema.Type.LONG);
      case FLOAT32 -> base = org.apache.avro.Schema.create(org.apache.avro.Schema.Type.FLOAT);
      case FLOAT64 -> base = org.apache.avro.Schema.create(org.apache.avro.Schema.Type.DOUBLE);
      case BOOLEAN -> base = org.apache.avro.Schema.create(org.apache.avro.Schema.Type.BOOLEAN);
      case STRING -> {
        if (enhanced && params.containsKey(ENUM_PARAM)) {
          String enumName = params.get(ENUM_PARAM);
          org.apache.avro.Schema existing = ctx.named.get(enumName);
          if (existing != null) {
            base = existing;
            reused = true;
          } else {
            String simple = ctx.nameOrDefault(schema.name())[1];
            List<String> symbols = new ArrayList<>();
            for (String key : params.keySet()) {
              if (key.startsWith(ENUM_PARAM + ".")) {
                symbols.add(key.substring(ENUM_PARAM.length() + 1));
              }
            }
            String[] split = ctx.nameOrDefault(enumName);
            base =
                org.apache.avro.Schema.createEnum(
                    split[1],
                    params.get(ENUM_DOC_PREFIX + simple),
                    split[0],
                    symbols,
                    params.get(ENUM_DEFAULT_PREFIX + simple));
            ctx.named.put(enumName, base);
          }
        } else {
          base = org.apache.avro.Schema.create(org.apache.avro.Schema.Type.STRING);
        }
      }
      case BYTES -> {
        if (isFixed(schema)) {
          org.apache.avro.Schema existing = ctx.named.get(schema.name());
          if (existing != null) {
            base = existing;
            reused = true;
          } else {
            String[] split = ctx.nameOrDefault(schema.name());
            base =
                org.apache.avro.Schema.createFixed(
                    split[1], null, split[0], Integer.parseInt(params.get(FIXED_SIZE_PARAM)));
            ctx.named.put(schema.name(), base);
          }
        } else {
          base = org.apache.avro.Schema.create(org.apache.avro.Schema.Type.BYTES);
        }
        if (!reused && Decimal.LOGICAL_NAME.equals(schema.name())) {
          base.addProp("scale", Integer.parseInt(params.get(Decimal.SCALE_FIELD)));
          base.addProp(
              "precision",
              params.containsKey(DECIMAL_PRECISION_PARAM)
                  ? Integer.parseInt(params.get(DECIMAL_PRECISION_PARAM))
                  : DEFAULT_PRECISION);
        }
      }
      case ARRAY ->
          base = org.apache.avro.Schema.createArray(fromConnect(schema.valueSchema(), ctx, false));
      case MAP -> {
        if (schema.keySchema().type() == Schema.Type.STRING && !schema.keySchema().isOptional()) {
          base = org.apache.avro.Schema.createMap(fromConnect(schema.valueSchema(), ctx, false));
        } else {
          org.apache.avro.Schema entry;
          if (schema.name() == null) {
            entry = org.apache.avro.Schema.createRecord(MAP_ENTRY_NAME, null, NAMESPACE, false);
          } else {
            String[] split = ctx.nameOrDefault(schema.name());
            entry = org.apache.avro.Schema.createRecord(split[1], null, split[0], false);
            entry.addProp(CONNECT_INTERNAL_TYPE_PROP, MAP_ENTRY_NAME);
          }
          List<org.apache.avro.Schema.Field> fields = new ArrayList<>();
          fields.add(avroField("key", schema.keySchema(), null, ctx));
          fields.add(avroField("value", schema.valueSchema(), null, ctx));
          entry.setFields(fields);
          base = org.apache.avro.Schema.createArray(entry);
        }
      }
      case STRUCT -> {
        if (isUnionStruct(schema)) {
          List<org.apache.avro.Schema> branches = new ArrayList<>();
          if (schema.isOptional()) {
            branches.add(org.apache.avro.Schema.create(org.apache.avro.Schema.Type.NULL));
          }
          for (Field field : schema.fields()) {
            branches.add(fromConnect(field.schema(), ctx, true));
          }
          base = org.apache.avro.Schema.createUnion(branches);
        } else if (schema.isOptional() && !ignoreOptional) {
          base = fromConnect(schema, ctx, true);
          reused = true; // the record carries its metadata already
        } else {
          String fullName = schema.name();
          org.apache.avro.Schema existing = fullName == null ? null : ctx.named.get(fullName);
          if (existing != null) {
            base = existing;
            reused = true;
          } else {
            String[] split = ctx.nameOrDefault(fullName);
            base =
                org.apache.avro.Schema.createRecord(
                    split[1], params.get(RECORD_DOC_PARAM), split[0], false);
            if (fullName != null) {
              ctx.named.put(fullName, base);
            }
            List<org.apache.avro.Schema.Field> fields = new ArrayList<>();
            for (Field field : schema.fields()) {
              fields.add(
                  avroField(
                      field.name(),
                      field.schema(),
                      params.get(FIELD_DOC_PREFIX + field.name()),
                      ctx));
            }
            base.setFields(fields);
          }
        }
      }
      default ->
          throw new DataException("Connect type " + schema.type() + " has no Avro equivalent");
    }

    org.apache.avro.Schema result = base;
    if (base.getType() != org.apache.avro.Schema.Type.UNION) {
      if (!reused) {
        addMetadata(schema, base, connectType, params);
      }
      if (!ignoreOptional && schema.isOptional()) {
        result = optional(schema, base);
      }
    }
    if (!schema.isOptional()) {
      ctx.done.put(schema, result);
    }
    return result;
  }

  private void addMetadata(
      Schema schema, org.apache.avro.Schema base, String connectType, Map<String, String> params) {
    if (connectMetaData) {
      if (schema.doc() != null) {
        base.addProp(CONNECT_DOC_PROP, schema.doc());
      }
      if (schema.version() != null) {
        base.addProp(CONNECT_VERSION_PROP, schema.version());
      }
      Map<String, String> written = new LinkedHashMap<>(params);
      written.remove(FIELD_DEFAULT_FLAG);
      if (!written.isEmpty()) {
        base.addProp(CONNECT_PARAMETERS_PROP, written);
      }
      if (schema.defaultValue() != null && !params.containsKey(FIELD_DEFAULT_FLAG)) {
        base.addProp(CONNECT_DEFAULT_PROP, defaultToJson(schema, schema.defaultValue()));
      }
      if (schema.name() != null) {
        base.addProp(CONNECT_NAME_PROP, schema.name());
      }
      if (connectType != null) {
        base.addProp(CONNECT_TYPE_PROP, connectType);
      }
    }
    if (schema.name() != null) {
      switch (schema.name()) {
        case Decimal.LOGICAL_NAME -> {
          int precision =
              params.containsKey(DECIMAL_PRECISION_PARAM)
                  ? Integer.parseInt(params.get(DECIMAL_PRECISION_PARAM))
                  : DEFAULT_PRECISION;
          int scale = Integer.parseInt(params.getOrDefault(Decimal.SCALE_FIELD, "0"));
          if (scale < 0 || scale > precision) {
            // Not a valid Avro decimal: Confluent's legacy encoding, the property alone.
            base.addProp(LOGICAL_TYPE_PROP, "decimal");
          } else {
            LogicalTypes.decimal(precision, scale).addToSchema(base);
          }
        }
        case Time.LOGICAL_NAME -> LogicalTypes.timeMillis().addToSchema(base);
        case Timestamp.LOGICAL_NAME ->
            (isMicros(schema) ? LogicalTypes.timestampMicros() : LogicalTypes.timestampMillis())
                .addToSchema(base);
        case Date.LOGICAL_NAME -> LogicalTypes.date().addToSchema(base);
        default -> {}
      }
    }
    for (Map.Entry<String, String> e : params.entrySet()) {
      if (e.getKey().startsWith("avro")) {
        base.addProp(e.getKey(), e.getValue());
      }
    }
  }

  private static org.apache.avro.Schema optional(Schema schema, org.apache.avro.Schema base) {
    org.apache.avro.Schema nul = org.apache.avro.Schema.create(org.apache.avro.Schema.Type.NULL);
    // Avro requires a field's default to match the union's first branch.
    return schema.defaultValue() != null
        ? org.apache.avro.Schema.createUnion(base, nul)
        : org.apache.avro.Schema.createUnion(nul, base);
  }

  private org.apache.avro.Schema.Field avroField(
      String name, Schema schema, String doc, FromConnectContext ctx) {
    org.apache.avro.Schema avro = fromConnect(schema, ctx, false);
    Object def = null;
    if (schema.defaultValue() != null) {
      def = defaultToJson(schema, schema.defaultValue());
    } else if (schema.isOptional()) {
      def = JsonProperties.NULL_VALUE;
    }
    try {
      return new org.apache.avro.Schema.Field(name, avro, doc, def);
    } catch (AvroRuntimeException e) {
      log.warn("Ignoring invalid default of field {}", name, e);
      return new org.apache.avro.Schema.Field(name, avro, doc);
    }
  }

  private static boolean isFixed(Schema schema) {
    return schema.type() == Schema.Type.BYTES
        && schema.name() != null
        && schema.parameters() != null
        && schema.parameters().containsKey(FIXED_SIZE_PARAM);
  }

  /** A Connect default as the Java form of its Avro JSON default (Avro's field-default rules). */
  private Object defaultToJson(Schema schema, Object value) {
    if (value == null) {
      return JsonProperties.NULL_VALUE;
    }
    Object v = logicalToAvro(schema, value, isMicros(schema));
    try {
      return switch (schema.type()) {
        case INT8 -> Integer.valueOf((Byte) v);
        case INT16 -> Integer.valueOf((Short) v);
        case INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING -> v;
        case BYTES ->
            new String(v instanceof byte[] a ? a : bytesOf(v), StandardCharsets.ISO_8859_1);
        case ARRAY -> {
          List<Object> out = new ArrayList<>();
          for (Object item : (Collection<?>) v) {
            out.add(defaultToJson(schema.valueSchema(), item));
          }
          yield out;
        }
        case MAP -> {
          if (schema.keySchema().type() == Schema.Type.STRING && !schema.keySchema().isOptional()) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
              out.put((String) e.getKey(), defaultToJson(schema.valueSchema(), e.getValue()));
            }
            yield out;
          }
          List<Object> out = new ArrayList<>();
          for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("key", defaultToJson(schema.keySchema(), e.getKey()));
            entry.put("value", defaultToJson(schema.valueSchema(), e.getValue()));
            out.add(entry);
          }
          yield out;
        }
        case STRUCT -> {
          Struct struct = (Struct) v;
          if (isUnionStruct(schema)) {
            for (Field f : schema.fields()) {
              Object member = struct.get(f);
              if (member != null) {
                yield defaultToJson(f.schema(), member);
              }
            }
            yield JsonProperties.NULL_VALUE;
          }
          Map<String, Object> out = new LinkedHashMap<>();
          for (Field f : schema.fields()) {
            out.put(f.name(), defaultToJson(f.schema(), struct.get(f)));
          }
          yield out;
        }
      };
    } catch (ClassCastException e) {
      throw new DataException(
          "the default of Connect schema "
              + describe(schema)
              + " is a "
              + value.getClass().getName()
              + ", which does not fit its type "
              + schema.type(),
          e);
    }
  }

  // ---------------------------------------------------------------- Connect -> Avro data

  /**
   * The Avro datum of the Connect value {@code value} of schema {@code schema}, to be written with
   * {@code avro} (from {@link #fromConnectSchema}).
   */
  public Object fromConnectData(Schema schema, org.apache.avro.Schema avro, Object value) {
    if (value == null) {
      if (!schema.isOptional()) {
        throw new DataException("null value for the required Connect schema " + describe(schema));
      }
      return null;
    }
    org.apache.avro.Schema target = avro;
    if (avro.getType() == org.apache.avro.Schema.Type.UNION && !isUnionStruct(schema)) {
      target = nonNull(avro);
    }
    try {
      boolean micros = TIMESTAMP_MICROS.equals(target.getProp(LOGICAL_TYPE_PROP));
      Object v = logicalToAvro(schema, value, micros);
      return switch (schema.type()) {
        case INT8 -> Integer.valueOf((Byte) v);
        case INT16 -> Integer.valueOf((Short) v);
        case INT32 -> (Integer) v;
        case INT64 -> (Long) v;
        case FLOAT32 -> (Float) v;
        case FLOAT64 -> (Double) v;
        case BOOLEAN -> (Boolean) v;
        case STRING ->
            target.getType() == org.apache.avro.Schema.Type.ENUM
                ? new GenericData.EnumSymbol(target, (String) v)
                : (String) v;
        case BYTES -> {
          byte[] bytes = v instanceof byte[] a ? a : bytesOf(v);
          if (target.getType() != org.apache.avro.Schema.Type.FIXED) {
            yield ByteBuffer.wrap(bytes);
          }
          if (Decimal.LOGICAL_NAME.equals(schema.name())) {
            bytes = padToFixedSize(bytes, target.getFixedSize());
          }
          yield new GenericData.Fixed(target, bytes);
        }
        case ARRAY -> {
          Collection<?> items = (Collection<?>) v;
          List<Object> out = new ArrayList<>(items.size());
          for (Object item : items) {
            out.add(fromConnectData(schema.valueSchema(), target.getElementType(), item));
          }
          yield out;
        }
        case MAP -> mapFromConnect(schema, target, (Map<?, ?>) v);
        case STRUCT -> structFromConnect(schema, target, (Struct) v);
      };
    } catch (ClassCastException e) {
      throw new DataException(
          "a value of Connect schema "
              + describe(schema)
              + " is a "
              + value.getClass().getName()
              + ", which does not fit its type "
              + schema.type(),
          e);
    }
  }

  private Object mapFromConnect(Schema schema, org.apache.avro.Schema avro, Map<?, ?> map) {
    if (avro.getType() == org.apache.avro.Schema.Type.MAP) {
      Map<String, Object> out = new HashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        out.put(
            (String) e.getKey(),
            fromConnectData(schema.valueSchema(), avro.getValueType(), e.getValue()));
      }
      return out;
    }
    org.apache.avro.Schema entry = avro.getElementType();
    List<Object> out = new ArrayList<>(map.size());
    for (Map.Entry<?, ?> e : map.entrySet()) {
      GenericData.Record r = new GenericData.Record(entry);
      r.put("key", fromConnectData(schema.keySchema(), entry.getField("key").schema(), e.getKey()));
      r.put(
          "value",
          fromConnectData(schema.valueSchema(), entry.getField("value").schema(), e.getValue()));
      out.add(r);
    }
    return out;
  }

  private Object structFromConnect(Schema schema, org.apache.avro.Schema avro, Struct struct) {
    if (!struct.schema().equals(schema)) {
      throw new DataException(
          "a Struct of schema "
              + describe(struct.schema())
              + " was given where its field's schema is "
              + describe(schema)
              + "; the two differ");
    }
    if (isUnionStruct(schema)) {
      int offset = schema.isOptional() ? 1 : 0;
      List<Field> fields = schema.fields();
      for (int i = 0; i < fields.size(); i++) {
        Field f = fields.get(i);
        Object member = fieldValue(struct, f);
        if (member != null) {
          return fromConnectData(f.schema(), avro.getTypes().get(i + offset), member);
        }
      }
      if (!schema.isOptional()) {
        throw new DataException(
            "the Connect union " + describe(schema) + " has no branch set, and is not optional");
      }
      return null;
    }
    GenericRecord record = new GenericData.Record(avro);
    for (Field f : schema.fields()) {
      org.apache.avro.Schema.Field avroField = avro.getField(f.name());
      record.put(
          avroField.pos(), fromConnectData(f.schema(), avroField.schema(), fieldValue(struct, f)));
    }
    return record;
  }

  private Object fieldValue(Struct struct, Field field) {
    return ignoreDefaultForNullables ? struct.getWithoutDefault(field.name()) : struct.get(field);
  }

  private static Object logicalToAvro(Schema schema, Object value, boolean micros) {
    if (schema.name() == null) {
      return value;
    }
    try {
      return switch (schema.name()) {
        case Decimal.LOGICAL_NAME -> Decimal.fromLogical(schema, (BigDecimal) value);
        case Date.LOGICAL_NAME -> Date.fromLogical(schema, (java.util.Date) value);
        case Time.LOGICAL_NAME -> Time.fromLogical(schema, (java.util.Date) value);
        case Timestamp.LOGICAL_NAME ->
            micros
                ? Math.multiplyExact(((java.util.Date) value).getTime(), 1000L)
                : Timestamp.fromLogical(schema, (java.util.Date) value);
        default -> value;
      };
    } catch (ClassCastException e) {
      throw new DataException(
          "a value of Connect logical type "
              + schema.name()
              + " must be a "
              + (Decimal.LOGICAL_NAME.equals(schema.name()) ? "BigDecimal" : "java.util.Date")
              + ", got a "
              + value.getClass().getName(),
          e);
    }
  }

  private static byte[] padToFixedSize(byte[] unscaled, int size) {
    if (unscaled.length == size) {
      return unscaled;
    }
    if (unscaled.length > size) {
      throw new DataException(
          "a decimal needs " + unscaled.length + " bytes, more than its Avro fixed's size " + size);
    }
    byte sign = unscaled.length > 0 && unscaled[0] < 0 ? (byte) 0xff : 0;
    byte[] padded = new byte[size];
    java.util.Arrays.fill(padded, 0, size - unscaled.length, sign);
    System.arraycopy(unscaled, 0, padded, size - unscaled.length, unscaled.length);
    return padded;
  }
}
