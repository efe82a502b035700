package io.biometer.streams.alerting;

import io.biometer.avro.AlertKind;
import io.biometer.avro.Severity;

/**
 * One alert rule on one value: a HIGH rule holds above {@code threshold}, a LOW rule below it. A
 * raised alert clears only once the value is back inside by more than {@code hysteresis}, so a
 * value hovering at the threshold does not flap. With a {@code minDurationMillis}, the condition
 * must hold that long in event time before the alert is raised.
 *
 * @param id stable rule id, e.g. {@code BLOOD_OXYGEN.spo2.low}
 * @param kind VALUE_HIGH, VALUE_LOW or BATTERY_LOW
 * @param channel the channel watched, or null for the battery
 * @param threshold the limit
 * @param hysteresis how far back inside the value must come to clear
 * @param minDurationMillis how long the condition must hold before RAISED (0: at once)
 * @param severity priority of the alert
 */
public record ThresholdRule(
    String id,
    AlertKind kind,
    String channel,
    double threshold,
    double hysteresis,
    long minDurationMillis,
    Severity severity) {

  /** True for rules that hold above the threshold. */
  public boolean high() {
    return kind == AlertKind.VALUE_HIGH;
  }

  /** True if {@code v} is past the threshold. */
  public boolean breached(double v) {
    return high() ? v > threshold : v < threshold;
  }

  /** True if {@code v} is back inside by more than the hysteresis. */
  public boolean clears(double v) {
    return high() ? v < threshold - hysteresis : v > threshold + hysteresis;
  }

  /** The value a raised alert must cross to clear. */
  public double clearingThreshold() {
    return high() ? threshold - hysteresis : threshold + hysteresis;
  }
}
