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

  private static boolean blank(CharSequence s) {
    return s == null || s.toString().isBlank();
  }
}
