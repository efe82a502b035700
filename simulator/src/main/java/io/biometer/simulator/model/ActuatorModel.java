package io.biometer.simulator.model;

import io.biometer.avro.SensorType;
import java.util.Locale;
import java.util.Map;

/**
 * What a simulated actuator does with a command (docs/commands.md): a fan obeys {@code set_power
 * {state: on|off}}, a valve {@code set_valve {state: open|closed}}. Every command gets one answer:
 * {@code ok} with the state it is in now (also when it was in that state already), or {@code
 * failed} with a reason for a command it does not know or an argument that is missing or wrong,
 * which leaves the state as it was. An actuator starts off (closed), as one after a power cut.
 *
 * <p>Plain logic, no I/O: the device around it answers over the gateway and reports the state as a
 * reading of its sensor type's one channel, 1 on (open), 0 off (closed).
 */
public final class ActuatorModel {

  /** The kinds of actuator the simulator has: their command, channel and state words. */
  public enum Kind {
    /** The fan of a patient's room. */
    FAN(SensorType.FAN, "fan", "set_power", "fan_power", "on", "off"),
    /** The irrigation valve of a field. */
    VALVE(SensorType.VALVE, "valve", "set_valve", "valve_open", "open", "closed");

    private final SensorType sensorType;
    private final String suffix;
    private final String command;
    private final String channel;
    private final String active;
    private final String idle;

    Kind(
        SensorType sensorType,
        String suffix,
        String command,
        String channel,
        String active,
        String idle) {
      this.sensorType = sensorType;
      this.suffix = suffix;
      this.command = command;
      this.channel = channel;
      this.active = active;
      this.idle = idle;
    }

    public SensorType sensorType() {
      return sensorType;
    }

    /**
     * The device id of the actuator of {@code owner}: {@code <owner>.fan}, {@code <owner>.valve}.
     */
    public String deviceId(String owner) {
      return owner + "." + suffix;
    }

    /** The one command it obeys. */
    public String command() {
      return command;
    }

    /** The channel its state readings carry (the catalogue's). */
    public String channel() {
      return channel;
    }

    /**
     * The kind of {@code type}.
     *
     * @throws IllegalArgumentException if {@code type} is no actuator's
     */
    public static Kind of(SensorType type) {
      for (Kind k : values()) {
        if (k.sensorType == type) {
          return k;
        }
      }
      throw new IllegalArgumentException(
          "sensor type " + type + " is no actuator's; actuators are FAN and VALVE");
    }
  }

  /**
   * The answer to one command.
   *
   * @param commandId the command's correlation id
   * @param ok true: carried out, {@code details} says the state; false: refused, {@code reason}
   *     says why
   * @param details {@code {state: <now>}} when ok, else empty
   * @param reason what was wrong, or null when ok
   */
  public record Response(
      String commandId, boolean ok, Map<String, String> details, String reason) {}

  /**
   * What a command did.
   *
   * @param response the answer to send
   * @param changed true if the state changed, so a reading is due now
   */
  public record Outcome(Response response, boolean changed) {}

  private final Kind kind;
  private boolean active;

  public ActuatorModel(Kind kind) {
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /**
   * Carries out command {@code name} with {@code arguments} (values as the JSON had them),
   * answering under {@code commandId}.
   */
  public Outcome handle(String commandId, String name, Map<String, ?> arguments) {
    if (!kind.command.equals(name)) {
      return failed(
          commandId,
          "unknown command '"
              + name
              + "' for a "
              + kind.suffix
              + "; it obeys "
              + kind.command
              + " {state: "
              + kind.active
              + "|"
              + kind.idle
              + "}");
    }
    Object state = arguments == null ? null : arguments.get("state");
    boolean wanted;
    if (kind.active.equals(state)) {
      wanted = true;
    } else if (kind.idle.equals(state)) {
      wanted = false;
    } else {
      return failed(
          commandId,
          kind.command
              + " needs the argument state, "
              + kind.active
              + " or "
              + kind.idle
              + (state == null ? ", and it is missing" : ", got '" + state + "'"));
    }
    boolean changed = wanted != active;
    active = wanted;
    return new Outcome(new Response(commandId, true, Map.of("state", state()), null), changed);
  }

  private static Outcome failed(String commandId, String reason) {
    return new Outcome(new Response(commandId, false, Map.of(), reason), false);
  }

  /** The state as the commands name it: on/off, open/closed. */
  public String state() {
    return active ? kind.active : kind.idle;
  }

  /** The state as its reading's channel carries it: 1 on (open), 0 off (closed). */
  public double value() {
    return active ? 1 : 0;
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(Locale.ROOT) + " " + state();
  }
}
