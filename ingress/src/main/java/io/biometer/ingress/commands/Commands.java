package io.biometer.ingress.commands;

import io.biometer.avro.DeviceCommand;
import io.biometer.ingress.Refusal;
import io.biometer.ingress.Refused;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The command contract of docs/commands.md: what a valid command is, and the JSON on the wire. */
public final class Commands {

  /** A device's answer to a command. */
  public record Answer(String id, boolean ok, Map<String, String> details, String reason) {}

  static final Set<String> ANSWER_FIELDS = Set.of("type", "id", "status", "details", "reason");

  private Commands() {}

  /**
   * Why {@code c} is not a command, or null if it is one.
   *
   * @param maxTtlMillis the longest a command may live ({@code commands.max.ttl})
   */
  public static String malformed(DeviceCommand c, long maxTtlMillis) {
    if (blank(c.getCommandId())) {
      return "no commandId";
    }
    if (blank(c.getDeviceId())) {
      return "no deviceId";
    }
    if (blank(c.getName())) {
      return "no name";
    }
    if (blank(c.getIssuedBy())) {
      return "no issuedBy (the principal: user:<name>, rule:<name> or device:<id>)";
    }
    long issued = c.getIssuedAt().toEpochMilli();
    long expires = c.getExpiresAt().toEpochMilli();
    if (expires <= issued) {
      return "expiresAt " + c.getExpiresAt() + " is not after issuedAt " + c.getIssuedAt();
    }
    if (expires - issued > maxTtlMillis) {
      return "it would live "
          + java.time.Duration.ofMillis(expires - issued)
          + ", longer than commands.max.ttl "
          + java.time.Duration.ofMillis(maxTtlMillis);
    }
    return null;
  }

  /** The frame a device gets: {@code {"type":"command","id",...}}. */
  public static JsonObject frame(DeviceCommand c) {
    JsonObject args = new JsonObject();
    c.getArguments().forEach((k, v) -> args.put(k.toString(), v.toString()));
    return new JsonObject()
        .put("type", "command")
        .put("id", c.getCommandId())
        .put("deviceId", c.getDeviceId())
        .put("name", c.getName())
        .put("arguments", args)
        .put("expiresAt", c.getExpiresAt().toString());
  }

  /**
   * A device's answer: {@code {"type":"response","id":...,"status":"ok"|"failed","details":{...},
   * "reason":...}}.
   *
   * @throws Refused MALFORMED naming the field that is missing or wrong
   */
  public static Answer answer(JsonObject frame) {
    for (String f : frame.fieldNames()) {
      if (!ANSWER_FIELDS.contains(f)) {
        throw new Refused(
            Refusal.UNKNOWN_FIELD, "a response has no field " + f + "; it has " + ANSWER_FIELDS);
      }
    }
    Object id = frame.getValue("id");
    if (!(id instanceof String s) || s.isBlank()) {
      throw new Refused(Refusal.MALFORMED, "a response needs the command's id (a string)");
    }
    Object status = frame.getValue("status");
    if (!"ok".equals(status) && !"failed".equals(status)) {
      throw new Refused(
          Refusal.MALFORMED, "response " + s + ": status must be \"ok\" or \"failed\"");
    }
    Map<String, String> details = new LinkedHashMap<>();
    Object d = frame.getValue("details");
    if (d instanceof JsonObject o) {
      o.forEach(e -> details.put(e.getKey(), String.valueOf(e.getValue())));
    } else if (d != null) {
      throw new Refused(Refusal.MALFORMED, "response " + s + ": details must be an object");
    }
    Object reason = frame.getValue("reason");
    if (reason != null && !(reason instanceof String)) {
      throw new Refused(Refusal.MALFORMED, "response " + s + ": reason must be a string");
    }
    return new Answer(s, "ok".equals(status), details, (String) reason);
  }

  static final Set<String> ISSUE_FIELDS = Set.of("deviceId", "name", "arguments", "ttl");

  /** How long a command a device issues lives when it says nothing. */
  public static final java.time.Duration DEFAULT_TTL = java.time.Duration.ofSeconds(60);

  /**
   * A command a device issues through the gateway ({@code POST /v1/commands}): {@code {"deviceId":
   * ..., "name": ..., "arguments": {...}, "ttl": "PT30S"}}, issued by {@code device:<its id>}.
   *
   * @throws Refused MALFORMED or UNKNOWN_FIELD naming the field
   */
  public static DeviceCommand issued(
      io.biometer.ingress.auth.Principal p, io.vertx.core.buffer.Buffer body) {
    JsonObject o;
    try {
      Object json = io.vertx.core.json.Json.decodeValue(body);
      if (!(json instanceof JsonObject x)) {
        throw new Refused(Refusal.MALFORMED, "a command is a JSON object");
      }
      o = x;
    } catch (io.vertx.core.json.DecodeException e) {
      throw new Refused(Refusal.MALFORMED, "not JSON: " + e.getMessage());
    }
    for (String f : o.fieldNames()) {
      if (!ISSUE_FIELDS.contains(f)) {
        throw new Refused(
            Refusal.UNKNOWN_FIELD, "a command has no field " + f + "; it has " + ISSUE_FIELDS);
      }
    }
    if (!(o.getValue("deviceId") instanceof String device) || device.isBlank()) {
      throw new Refused(Refusal.MALFORMED, "deviceId: the device to command, a string");
    }
    if (!(o.getValue("name") instanceof String name) || name.isBlank()) {
      throw new Refused(Refusal.MALFORMED, "name: what to do, a string such as set_power");
    }
    java.util.Map<String, String> args = new java.util.HashMap<>();
    Object a = o.getValue("arguments");
    if (a instanceof JsonObject x) {
      for (var e : x) {
        if (!(e.getValue() instanceof String v)) {
          throw new Refused(Refusal.MALFORMED, "arguments." + e.getKey() + " must be a string");
        }
        args.put(e.getKey(), v);
      }
    } else if (a != null) {
      throw new Refused(Refusal.MALFORMED, "arguments must be an object of strings");
    }
    java.time.Duration ttl = DEFAULT_TTL;
    Object t = o.getValue("ttl");
    if (t != null) {
      try {
        ttl = java.time.Duration.parse((String) t);
      } catch (RuntimeException e) {
        throw new Refused(Refusal.MALFORMED, "ttl must be an ISO-8601 duration such as PT30S");
      }
      if (ttl.isNegative() || ttl.isZero()) {
        throw new Refused(Refusal.MALFORMED, "ttl must be positive");
      }
    }
    java.time.Instant now = java.time.Instant.now();
    return DeviceCommand.newBuilder()
        .setCommandId(java.util.UUID.randomUUID().toString())
        .setDeviceId(device)
        .setName(name)
        .setArguments(args)
        .setIssuedBy("device:" + p.deviceId())
        .setIssuedAt(now)
        .setExpiresAt(now.plus(ttl))
        .setCause("issued by device " + p.deviceId() + " through the gateway")
        .build();
  }

  private static boolean blank(CharSequence s) {
    return s == null || s.toString().isBlank();
  }
}
