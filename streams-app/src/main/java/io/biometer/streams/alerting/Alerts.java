package io.biometer.streams.alerting;

import io.biometer.avro.Alert;
import io.biometer.avro.AlertKind;
import io.biometer.avro.AlertState;
import io.biometer.avro.SensorType;
import io.biometer.avro.Severity;
import java.time.Instant;

/**
 * The one way alerts are built, by every alerting step (threshold, silent device, sink down):
 *
 * <pre>{@code
 * Alerts.raised(AlertKind.VALUE_LOW, rule.id())
 *     .about(deviceId, ownerId, sensorType)
 *     .severity(rule.severity())
 *     .value(channel, value, threshold)
 *     .at(eventTime, detectedAt, late)
 *     .message("...")
 *     .build();
 * }</pre>
 *
 * Channel, value, threshold, message and connection are optional (null); the rest is required, and
 * {@link Builder#build()} fails naming what is missing. Times are epoch milliseconds.
 */
public final class Alerts {

  private Alerts() {}

  /** An alert that starts to hold. */
  public static Builder raised(AlertKind kind, String rule) {
    return of(kind, AlertState.RAISED, rule);
  }

  /** An alert that stops holding. */
  public static Builder cleared(AlertKind kind, String rule) {
    return of(kind, AlertState.CLEARED, rule);
  }

  /** An alert of {@code kind} in {@code state}, from the rule with id {@code rule}. */
  public static Builder of(AlertKind kind, AlertState state, String rule) {
    return new Builder(kind, state, rule);
  }

  /** The parts of one alert; {@link #build()} makes the record. */
  public static final class Builder {
    private final Alert.Builder alert = Alert.newBuilder();

    private Builder(AlertKind kind, AlertState state, String rule) {
      alert.setKind(kind).setState(state).setRule(rule);
    }

    /** The device (or sink) the alert is about, its owner and its sensor type (null for sinks). */
    public Builder about(String deviceId, String ownerId, SensorType type) {
      alert.setDeviceId(deviceId).setOwnerId(ownerId).setSensorType(type);
      return this;
    }

    public Builder severity(Severity severity) {
      alert.setSeverity(severity);
      return this;
    }

    /** The channel watched (null: the battery or none), the value seen and the threshold. */
    public Builder value(String channel, Double value, Double threshold) {
      alert.setChannel(channel).setValue(value).setThreshold(threshold);
      return this;
    }

    /**
     * @param eventTime when what the alert is about happened, epoch ms
     * @param detectedAt when the step noticed it, wall-clock epoch ms
     * @param late whether the event is older than {@code alerts.late.after.ms}
     */
    public Builder at(long eventTime, long detectedAt, boolean late) {
      alert
          .setEventTime(Instant.ofEpochMilli(eventTime))
          .setDetectedAt(Instant.ofEpochMilli(detectedAt))
          .setLate(late);
      return this;
    }

    public Builder message(String message) {
      alert.setMessage(message);
      return this;
    }

    /**
     * DEVICE_SILENT only: {@code connected}, {@code disconnected} or null (see {@link
     * SilentConnection}).
     */
    public Builder connection(String connection) {
      alert.setConnection(connection);
      return this;
    }

    /**
     * The alert.
     *
     * @throws IllegalStateException if {@link #about}, {@link #severity} or {@link #at} was not
     *     called
     */
    public Alert build() {
      String missing =
          !alert.hasDeviceId()
              ? "device (about)"
              : !alert.hasSeverity() ? "severity" : !alert.hasEventTime() ? "time (at)" : null;
      if (missing != null) {
        throw new IllegalStateException(
            "an alert of rule " + alert.getRule() + " was built without its " + missing);
      }
      return alert.build();
    }
  }
}
