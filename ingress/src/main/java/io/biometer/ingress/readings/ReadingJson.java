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
    // Decoded by hand, not by Avro's decoder: Avro allocates a string or map of the length the
    // bytes claim before it reads them, so 15 bytes claiming 2 GB would exhaust the heap. Here
    // every length is checked against the bytes that are left.
    AvroIn in = new AvroIn(bytes);
    if (bytes.length < 10) {
      throw new Refused(Refusal.MALFORMED, "not an Avro single-object IngressReading: too short");
    }
    long fingerprint = 0;
    for (int i = 9; i >= 2; i--) {
      fingerprint = (fingerprint << 8) | (bytes[i] & 0xff);
    }
    if (fingerprint != FINGERPRINT) {
      throw new Refused(
          Refusal.MALFORMED,
          "Avro single-object encoding of an unknown schema: send io.biometer.avro.IngressReading"
              + " (fingerprint "
              + fingerprint()
              + ")");
    }
    in.pos = 10;
    String deviceId = in.string("deviceId");
    long sequence = in.varLong("sequence");
    long sentAt = in.varLong("sentAt");
    long eventTime = in.varLong("eventTime");
    Map<String, Double> values = new LinkedHashMap<>();
    while (true) {
      long count = in.varLong("values");
      if (count == 0) {
        break;
      }
      if (count < 0) {
        count = -count;
        in.varLong("values"); // the block's size in bytes
      }
      if (count > in.remaining()) {
        throw in.bad("values", "claims " + count + " entries");
      }
      for (long n = 0; n < count; n++) {
        String channel = in.string("a channel name");
        double v = Double.longBitsToDouble(in.fixed(8, "the value of " + channel));
        if (!Double.isFinite(v)) {
          throw new Refused(
              Refusal.MALFORMED, "value of channel '" + channel + "' is not a finite number");
        }
        values.put(channel, v);
      }
    }
    float battery = Float.intBitsToFloat((int) in.fixed(4, "batteryPercent"));
    if (in.remaining() != 0) {
      throw in.bad("the datum", "has " + in.remaining() + " bytes after its last field");
    }
    if (deviceId.isBlank()) {
      throw new Refused(Refusal.MALFORMED, "deviceId must be a non-empty string");
    }
    if (sequence < 0) {
      throw new Refused(Refusal.MALFORMED, "sequence must be >= 0, got " + sequence);
    }
    if (values.isEmpty()) {
      throw new Refused(Refusal.MALFORMED, "values must name at least one channel");
    }
    if (!(battery >= 0 && battery <= 100)) {
      throw new Refused(Refusal.MALFORMED, "batteryPercent must be a number 0 to 100");
    }
    return new DeviceReading(deviceId, sequence, sentAt, eventTime, values, battery);
  }

  private static final long FINGERPRINT =
      org.apache.avro.SchemaNormalization.parsingFingerprint64(
          io.biometer.avro.IngressReading.getClassSchema());

  /** Avro's binary encoding, read with every length checked against what is left. */
  private static final class AvroIn {
    final byte[] b;
    int pos;

    AvroIn(byte[] b) {
      this.b = b;
    }

    int remaining() {
      return b.length - pos;
    }

    Refused bad(String field, String why) {
      return new Refused(
          Refusal.MALFORMED, "not an Avro single-object IngressReading: " + field + " " + why);
    }

    long varLong(String field) {
      long raw = 0;
      for (int shift = 0; shift < 70; shift += 7) {
        if (pos >= b.length) {
          throw bad(field, "is cut short");
        }
        int x = b[pos++] & 0xff;
        raw |= (long) (x & 0x7f) << shift;
        if ((x & 0x80) == 0) {
          return (raw >>> 1) ^ -(raw & 1);
        }
      }
      throw bad(field, "is not a valid long");
    }

    long fixed(int n, String field) {
      if (remaining() < n) {
        throw bad(field, "is cut short");
      }
      long v = 0;
      for (int i = n - 1; i >= 0; i--) {
        v = (v << 8) | (b[pos + i] & 0xff);
      }
      pos += n;
      return v;
    }

    String string(String field) {
      long n = varLong(field);
      if (n < 0 || n > remaining()) {
        throw bad(field, "claims " + n + " bytes, " + remaining() + " are left");
      }
      String s = new String(b, pos, (int) n, java.nio.charset.StandardCharsets.UTF_8);
      pos += (int) n;
      return s;
    }
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
