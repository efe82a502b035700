package io.biometer.catalog;

/**
 * One channel of a sensor type, as the sensor-type catalogue defines it.
 *
 * @param name channel name used in readings, e.g. {@code systolic}
 * @param unit unit of every value on this channel, e.g. {@code mmHg}
 * @param description one sentence for people
 * @param possibleMin smallest physically possible value; anything lower is rejected as impossible
 * @param possibleMax largest physically possible value; anything higher is rejected as impossible
 * @param normalMin lower bound of the normal range; below it a value-low alert is raised
 * @param normalMax upper bound of the normal range; above it a value-high alert is raised
 * @param hysteresis how far back inside the normal range a value must come to clear an alert
 */
public record ChannelSpec(
    String name,
    String unit,
    String description,
    double possibleMin,
    double possibleMax,
    double normalMin,
    double normalMax,
    double hysteresis) {

  /** Checks the ranges are ordered: possibleMin ≤ normalMin < normalMax ≤ possibleMax. */
  public ChannelSpec {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("channel name must not be blank");
    }
    if (!(possibleMin <= normalMin && normalMin < normalMax && normalMax <= possibleMax)) {
      throw new IllegalArgumentException(
          "channel '"
              + name
              + "': ranges must satisfy possibleMin <= normalMin < normalMax <= possibleMax, got "
              + possibleMin
              + " <= "
              + normalMin
              + " < "
              + normalMax
              + " <= "
              + possibleMax);
    }
    if (hysteresis < 0) {
      throw new IllegalArgumentException(
          "channel '" + name + "': hysteresis must be >= 0, got " + hysteresis);
    }
  }

  /** True if {@code value} is physically possible on this channel (NaN never is). */
  public boolean isPossible(double value) {
    return value >= possibleMin && value <= possibleMax;
  }

  /** True if {@code value} is inside the normal range. */
  public boolean isNormal(double value) {
    return value >= normalMin && value <= normalMax;
  }
}
