package io.biometer.streams.commands;

import io.biometer.avro.Alert;
import io.biometer.avro.AlertState;
import io.biometer.avro.DeviceCommand;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * One rule that turns the transitions of one alert rule into commands for a device
 * (docs/commands.md, "Rules: alerts that command"): while the alert is RAISED the target should be
 * in one state, once it is CLEARED in another. Pure logic, no Kafka types; the step that runs it is
 * {@link AlertCommands}, its keys {@link CommandRulesConfig}.
 *
 * <p>A rule never acts on a late alert: a meter's day-old batch describes the past, and switching a
 * valve for yesterday's dry soil would be wrong now. The command id is derived from the alert
 * transition alone (a name-based UUID), so an alert that is processed again (at-least-once, a
 * replay) yields the same command id, which the gateway answers once.
 *
 * @param name the rule's name, as listed in {@code rules.names}; commands are issued by {@code
 *     rule:<name>}
 * @param alertRule the {@code Alert.rule} id whose transitions the rule acts on, e.g. {@code
 *     BODY_TEMPERATURE.body_temperature.high}
 * @param target the target device id, {@code {owner}} standing for the alert's owner and {@code
 *     {device}} for its device
 * @param command the command name, e.g. {@code set_power}
 * @param onRaised the arguments of the command sent on RAISED; empty: no command on RAISED
 * @param onCleared the arguments of the command sent on CLEARED; empty: no command on CLEARED
 * @param ttl how long after it is issued a command may still be delivered
 */
public record CommandRule(
    String name,
    String alertRule,
    String target,
    String command,
    Map<String, String> onRaised,
    Map<String, String> onCleared,
    Duration ttl) {

  /** The placeholder for {@code Alert.ownerId} in {@link #target}. */
  public static final String OWNER = "{owner}";

  /** The placeholder for {@code Alert.deviceId} in {@link #target}. */
  public static final String DEVICE = "{device}";

  public CommandRule {
    onRaised = Map.copyOf(onRaised);
    onCleared = Map.copyOf(onCleared);
  }

  /** The principal the rule's commands are issued by: {@code rule:<name>}. */
  public String issuer() {
    return "rule:" + name;
  }

  /** Whether {@code alert} comes from the alert rule this rule watches (late or not). */
  public boolean watches(Alert alert) {
    return alertRule.equals(alert.getRule());
  }

  /** The target device for {@code alert}: {@link #target} with its placeholders filled in. */
  public String targetOf(Alert alert) {
    return target.replace(OWNER, alert.getOwnerId()).replace(DEVICE, alert.getDeviceId());
  }

  /**
   * The command for {@code alert}, issued at its {@code detectedAt} and expiring {@link #ttl}
   * later; empty if the rule does not watch the alert, the alert is late, or the rule has no
   * arguments for the alert's state.
   */
  public Optional<DeviceCommand> commandFor(Alert alert) {
    if (!watches(alert) || alert.getLate()) {
      return Optional.empty();
    }
    Map<String, String> arguments = alert.getState() == AlertState.RAISED ? onRaised : onCleared;
    if (arguments.isEmpty()) {
      return Optional.empty();
    }
    Instant issuedAt = alert.getDetectedAt();
    return Optional.of(
        DeviceCommand.newBuilder()
            .setCommandId(commandId(alert).toString())
            .setDeviceId(targetOf(alert))
            .setName(command)
            .setArguments(Map.copyOf(arguments))
            .setIssuedBy(issuer())
            .setIssuedAt(issuedAt)
            .setExpiresAt(issuedAt.plus(ttl))
            .setCause(cause(alert))
            .build());
  }

  /**
   * The command id of this rule's command for {@code alert}: a name-based UUID of the rule's name
   * and the transition (device, alert rule, state, event time). Not the detection time, which
   * differs each time the same alert is processed.
   */
  public UUID commandId(Alert alert) {
    String transition =
        String.join(
            "|",
            name,
            alert.getDeviceId(),
            alert.getRule(),
            alert.getState().name(),
            Long.toString(alert.getEventTime().toEpochMilli()));
    return UUID.nameUUIDFromBytes(transition.getBytes(StandardCharsets.UTF_8));
  }

  private static String cause(Alert alert) {
    StringBuilder b =
        new StringBuilder()
            .append("alert ")
            .append(alert.getRule())
            .append(' ')
            .append(alert.getState())
            .append(" for ")
            .append(alert.getDeviceId())
            .append(" at ")
            .append(alert.getEventTime());
    if (alert.getValue() != null) {
      b.append(", value ").append(String.format(Locale.ROOT, "%.2f", alert.getValue()));
    }
    if (alert.getMessage() != null) {
      b.append(" (").append(alert.getMessage()).append(')');
    }
    return b.toString();
  }
}
