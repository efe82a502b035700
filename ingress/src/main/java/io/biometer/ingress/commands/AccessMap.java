package io.biometer.ingress.commands;

import io.biometer.avro.CommandGrant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Who may command whom (seed 004's stored map of which phone may reach which device): the latest
 * {@code CommandGrant} of each principal from {@code telemetry.command.access}. Deny by default: a
 * principal without an entry, or whose entry names neither the device nor the command, may not.
 */
public final class AccessMap {

  private record Compiled(CommandGrant grant, List<Pattern> devices, List<Pattern> commands) {}

  private final Map<String, Compiled> grants = new ConcurrentHashMap<>();

  /** Takes the latest entry of a principal; {@code null} (a tombstone) takes every right away. */
  public void put(String principal, CommandGrant grant) {
    if (grant == null) {
      grants.remove(principal);
      return;
    }
    grants.put(
        principal,
        new Compiled(
            grant,
            grant.getDevices().stream().map(AccessMap::glob).toList(),
            grant.getCommands().stream().map(AccessMap::glob).toList()));
  }

  /**
   * Why {@code principal} may not send {@code command} to {@code deviceId}, or null if it may.
   *
   * @return a sentence for the FORBIDDEN response, naming what is missing
   */
  public String denial(String principal, String deviceId, String command) {
    Compiled c = grants.get(principal);
    if (c == null) {
      return principal + " has no entry in the access map (telemetry.command.access)";
    }
    if (c.devices().stream().noneMatch(p -> p.matcher(deviceId).matches())) {
      return principal + " may command " + c.grant().getDevices() + ", not " + deviceId;
    }
    if (c.commands().stream().noneMatch(p -> p.matcher(command).matches())) {
      return principal + " may send " + c.grant().getCommands() + ", not " + command;
    }
    return null;
  }

  /** Every entry, by principal. */
  public Map<String, CommandGrant> entries() {
    Map<String, CommandGrant> out = new java.util.TreeMap<>();
    grants.forEach((k, v) -> out.put(k, v.grant()));
    return out;
  }

  /** A pattern in which {@code *} stands for any run of characters and nothing else is special. */
  static Pattern glob(String pattern) {
    List<String> parts = java.util.Arrays.asList(pattern.split("\\*", -1));
    return Pattern.compile(
        String.join(".*", parts.stream().map(Pattern::quote).toList()), Pattern.DOTALL);
  }
}
