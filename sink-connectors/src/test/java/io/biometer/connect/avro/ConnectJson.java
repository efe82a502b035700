package io.biometer.connect.avro;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import org.apache.kafka.connect.data.ConnectSchema;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

/**
 * Renders Connect schemas and values as JSON, so that golden files can state them exactly: every
 * attribute of a schema that is set (type, name, version, optional, default, doc, parameters, and
 * fields, key and value schemas recursively), and every value in a form that tells the types apart
 * (timestamps as ISO instants, dates as ISO days, times as ISO times, decimals as plain strings
 * with their scale, bytes as hex). Struct fields are rendered as stored ({@link
 * Struct#getWithoutDefault}), so a null stays distinct from a default.
 */
final class ConnectJson {

  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private ConnectJson() {}

  /** The schema as JSON, with numbers normalised as a parser would read them. */
  static JsonNode schema(Schema schema) {
    return normalise(renderSchema(schema));
  }

  /** The value as JSON; the value is first validated against its schema. */
  static JsonNode value(Schema schema, Object value) {
    ConnectSchema.validateValue(schema, value);
    return normalise(renderValue(schema, value));
  }

  private static JsonNode normalise(JsonNode node) {
    try {
      return MAPPER.readTree(MAPPER.writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode renderSchema(Schema s) {
    ObjectNode o = F.objectNode();
    o.put("type", s.type().name());
    if (s.name() != null) {
      o.put("name", s.name());
    }
    if (s.version() != null) {
      o.put("version", s.version());
    }
    o.put("optional", s.isOptional());
    if (s.defaultValue() != null) {
      o.set("default", renderValue(s, s.defaultValue()));
    }
    if (s.doc() != null) {
      o.put("doc", s.doc());
    }
    if (s.parameters() != null) {
      ObjectNode p = o.putObject("parameters");
      s.parameters().forEach(p::put);
    }
    switch (s.type()) {
      case STRUCT -> {
        ArrayNode fields = o.putArray("fields");
        for (Field f : s.fields()) {
          fields.addObject().put("name", f.name()).set("schema", renderSchema(f.schema()));
        }
      }
      case MAP -> {
        o.set("keySchema", renderSchema(s.keySchema()));
        o.set("valueSchema", renderSchema(s.valueSchema()));
      }
      case ARRAY -> o.set("valueSchema", renderSchema(s.valueSchema()));
      default -> {}
    }
    return o;
  }

  private static JsonNode renderValue(Schema s, Object v) {
    if (v == null) {
      return F.nullNode();
    }
    if (s.name() != null) {
      switch (s.name()) {
        case Timestamp.LOGICAL_NAME -> {
          return F.textNode(((java.util.Date) v).toInstant().toString());
        }
        case Date.LOGICAL_NAME -> {
          return F.textNode(
              ((java.util.Date) v).toInstant().atZone(ZoneOffset.UTC).toLocalDate().toString());
        }
        case Time.LOGICAL_NAME -> {
          return F.textNode(
              LocalTime.ofInstant(
                      Instant.ofEpochMilli(((java.util.Date) v).getTime()), ZoneOffset.UTC)
                  .toString());
        }
        case Decimal.LOGICAL_NAME -> {
          return F.textNode(((BigDecimal) v).toPlainString());
        }
        default -> {}
      }
    }
    return switch (s.type()) {
      case INT8 -> F.numberNode((Byte) v);
      case INT16 -> F.numberNode((Short) v);
      case INT32 -> F.numberNode((Integer) v);
      case INT64 -> F.numberNode((Long) v);
      case FLOAT32 -> F.numberNode((double) (Float) v);
      case FLOAT64 -> F.numberNode((Double) v);
      case BOOLEAN -> F.booleanNode((Boolean) v);
      case STRING -> F.textNode((String) v);
      case BYTES -> F.textNode(HexFormat.of().formatHex(bytes(v)));
      case ARRAY -> {
        ArrayNode a = F.arrayNode();
        for (Object item : (Collection<?>) v) {
          a.add(renderValue(s.valueSchema(), item));
        }
        yield a;
      }
      case MAP -> {
        if (s.keySchema().type() == Schema.Type.STRING) {
          ObjectNode o = F.objectNode();
          for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
            o.set((String) e.getKey(), renderValue(s.valueSchema(), e.getValue()));
          }
          yield o;
        }
        ArrayNode a = F.arrayNode();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
          a.addArray()
              .add(renderValue(s.keySchema(), e.getKey()))
              .add(renderValue(s.valueSchema(), e.getValue()));
        }
        yield a;
      }
      case STRUCT -> {
        Struct struct = (Struct) v;
        ObjectNode o = F.objectNode();
        for (Field f : s.fields()) {
          o.set(f.name(), renderValue(f.schema(), struct.getWithoutDefault(f.name())));
        }
        yield o;
      }
    };
  }

  private static byte[] bytes(Object v) {
    if (v instanceof byte[] a) {
      return a;
    }
    ByteBuffer b = ((ByteBuffer) v).duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
