package io.biometer.ingress.readings;

import io.biometer.ingress.Refusal;
import io.biometer.ingress.Refused;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON shape every front end takes (docs/ingress.md): one reading as an object, or a batch as
 * an array of them.
 *
 * <pre>{@code
 * {"deviceId": "p0001.blood_pressure", "sequence": 42,
 *  "sentAt": "2026-12-01T10:00:00.250Z", "eventTime": "2026-12-01T10:00:00Z",
 *  "values": {"systolic": 121.0, "diastolic": 79.5}, "batteryPercent": 87.5}
 * }</pre>
 *
 * Times are ISO-8601 instants or epoch milliseconds. Every field is required and no other is
 * allowed: a field the contract does not know is refused, not ignored, so a device with the wrong
 * firmware finds out at once.
 */
public final class ReadingJson {

  static final Set<String> FIELDS =
      Set.of("deviceId", "sequence", "sentAt", "eventTime", "values", "batteryPercent");

  private ReadingJson() {}

  /**
   * The readings of a body: an object or an array of objects.
   *
   * @throws Refused MALFORMED or UNKNOWN_FIELD, naming the reading (by index in a batch) and field
   */
  public static List<DeviceReading> parse(Buffer body) {
    if (body.length() >= 2 && body.getByte(0) == (byte) 0xC3 && body.getByte(1) == (byte) 0x01) {
      return List.of(avro(body.getBytes()));
    }
    Object json;
    try {
      json = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw new Refused(Refusal.MALFORMED, "not JSON: " + firstLine(e.getMessage()));
    }
    if (json instanceof JsonObject o) {
      return List.of(reading(o, ""));
    }
    if (json instanceof JsonArray a) {
      if (a.isEmpty()) {
        throw new Refused(Refusal.MALFORMED, "an empty batch");
      }
      List<DeviceReading> out = new ArrayList<>(a.size());
      for (int i = 0; i < a.size(); i++) {
        if (!(a.getValue(i) instanceof JsonObject o)) {
          throw new Refused(Refusal.MALFORMED, "reading [" + i + "] is not an object");
        }
        out.add(reading(o, "reading [" + i + "]: "));
      }
      return out;
    }
    throw new Refused(Refusal.MALFORMED, "expected a reading object or an array of them");
  }

  /**
   * One reading in Avro single-object encoding of {@code io.biometer.avro.IngressReading} (it
   * starts 0xC3 0x01): the same fields, for devices that send binary.
   *
   * @throws Refused MALFORMED naming what does not decode
   */
  public static DeviceReading avro(byte[] bytes) {
    io.biometer.avro.IngressReading r;
    try {
      r = io.biometer.avro.IngressReading.fromByteBuffer(java.nio.ByteBuffer.wrap(bytes));
    } catch (org.apache.avro.message.MissingSchemaException e) {
      throw new Refused(
          Refusal.MALFORMED,
          "Avro single-object encoding of an unknown schema: send io.biometer.avro.IngressReading"
              + " (fingerprint "
              + fingerprint()
              + ")");
    } catch (java.io.IOException | RuntimeException e) {
      throw new Refused(
          Refusal.MALFORMED, "not an Avro single-object IngressReading: " + e.getMessage());
    }
    if (r.getDeviceId().isBlank()) {
      throw new Refused(Refusal.MALFORMED, "deviceId must be a non-empty string");
    }
    if (r.getSequence() < 0) {
      throw new Refused(Refusal.MALFORMED, "sequence must be >= 0, got " + r.getSequence());
    }
    if (r.getValues().isEmpty()) {
      throw new Refused(Refusal.MALFORMED, "values must name at least one channel");
    }
    Map<String, Double> values = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : r.getValues().entrySet()) {
      if (!Double.isFinite(e.getValue())) {
        throw new Refused(
            Refusal.MALFORMED, "value of channel '" + e.getKey() + "' is not a finite number");
      }
      values.put(e.getKey().toString(), e.getValue());
    }
    if (!(r.getBatteryPercent() >= 0 && r.getBatteryPercent() <= 100)) {
      throw new Refused(Refusal.MALFORMED, "batteryPercent must be a number 0 to 100");
    }
    return new DeviceReading(
        r.getDeviceId(),
        r.getSequence(),
        r.getSentAt().toEpochMilli(),
        r.getEventTime().toEpochMilli(),
        values,
        r.getBatteryPercent());
  }

  /** The single-object encoding of {@code r}, as a device that sends binary would. */
  public static byte[] toAvro(DeviceReading r) {
    try {
      java.nio.ByteBuffer b =
          io.biometer.avro.IngressReading.newBuilder()
              .setDeviceId(r.deviceId())
              .setSequence(r.sequence())
              .setSentAt(Instant.ofEpochMilli(r.sentAt()))
              .setEventTime(Instant.ofEpochMilli(r.eventTime()))
              .setValues(new LinkedHashMap<>(r.values()))
              .setBatteryPercent(r.batteryPercent())
              .build()
              .toByteBuffer();
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The CRC-64-AVRO fingerprint of IngressReading's schema, in hex, as devices embed it. */
  public static String fingerprint() {
    return Long.toHexString(
        org.apache.avro.SchemaNormalization.parsingFingerprint64(
            io.biometer.avro.IngressReading.getClassSchema()));
  }

  /** One reading object. */
  public static DeviceReading reading(JsonObject o, String where) {
    for (String f : o.fieldNames()) {
      if (!FIELDS.contains(f)) {
        throw new Refused(
            Refusal.UNKNOWN_FIELD, where + "unknown field '" + f + "'; allowed: " + FIELDS);
      }
    }
    String deviceId = string(o, "deviceId", where);
    long sequence = integer(o, "sequence", where);
    if (sequence < 0) {
      throw new Refused(Refusal.MALFORMED, where + "sequence must be >= 0, got " + sequence);
    }
    long sentAt = time(o, "sentAt", where);
    long eventTime = time(o, "eventTime", where);
    Object v = o.getValue("values");
    if (!(v instanceof JsonObject values) || values.isEmpty()) {
      throw new Refused(Refusal.MALFORMED, where + "values must be an object of channel to number");
    }
    Map<String, Double> channels = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : values) {
      if (!(e.getValue() instanceof Number n) || !Double.isFinite(n.doubleValue())) {
        throw new Refused(
            Refusal.MALFORMED, where + "value of channel '" + e.getKey() + "' is not a number");
      }
      channels.put(e.getKey(), n.doubleValue());
    }
    Object b = o.getValue("batteryPercent");
    if (!(b instanceof Number battery)
        || !(battery.doubleValue() >= 0 && battery.doubleValue() <= 100)) {
      throw new Refused(Refusal.MALFORMED, where + "batteryPercent must be a number 0 to 100");
    }
    return new DeviceReading(deviceId, sequence, sentAt, eventTime, channels, battery.floatValue());
  }

  private static String string(JsonObject o, String field, String where) {
    Object v = o.getValue(field);
    if (!(v instanceof String s) || s.isBlank()) {
      throw new Refused(Refusal.MALFORMED, where + field + " must be a non-empty string");
    }
    return s;
  }

  private static long integer(JsonObject o, String field, String where) {
    Object v = o.getValue(field);
    if (v instanceof Integer || v instanceof Long) {
      return ((Number) v).longValue();
    }
    throw new Refused(Refusal.MALFORMED, where + field + " must be an integer");
  }

  private static long time(JsonObject o, String field, String where) {
    Object v = o.getValue(field);
    if (v instanceof Integer || v instanceof Long) {
      return ((Number) v).longValue();
    }
    if (v instanceof String s) {
      try {
        return Instant.parse(s).toEpochMilli();
      } catch (DateTimeParseException e) {
        // falls through
      }
    }
    throw new Refused(
        Refusal.MALFORMED,
        where + field + " must be an ISO-8601 instant or epoch milliseconds, got " + v);
  }

  /** The JSON of a reading, as the simulator and tests send it. */
  public static JsonObject toJson(DeviceReading r) {
    JsonObject values = new JsonObject();
    r.values().forEach(values::put);
    return new JsonObject()
        .put("deviceId", r.deviceId())
        .put("sequence", r.sequence())
        .put("sentAt", r.sentAt())
        .put("eventTime", r.eventTime())
        .put("values", values)
        .put("batteryPercent", r.batteryPercent());
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
