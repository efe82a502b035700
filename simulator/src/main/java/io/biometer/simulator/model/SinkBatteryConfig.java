package io.biometer.simulator.model;

/**
 * How a body sink's battery behaves (percent of a full charge; hours are simulated hours).
 *
 * @param relayCost charge taken by relaying one reading
 * @param idleDrainPerHour charge lost per hour while awake
 * @param chargePerHour charge gained per hour on the charger
 * @param sleepBelow below this charge the sink falls asleep (relays nothing) and goes on the
 *     charger
 * @param wakeAt a sleeping sink wakes when charged back to this level
 * @param chargingHoursPerDay length of the sink's daily charging period, during which it relays and
 *     charges (0 for none)
 */
public record SinkBatteryConfig(
    double relayCost,
    double idleDrainPerHour,
    double chargePerHour,
    double sleepBelow,
    double wakeAt,
    double chargingHoursPerDay) {

  /** Checks the thresholds are ordered and the rates are not negative. */
  public SinkBatteryConfig {
    if (!(0 <= sleepBelow && sleepBelow < wakeAt && wakeAt <= 100)) {
      throw new IllegalArgumentException(
          "sink battery: need 0 <= sleep threshold < wake threshold <= 100, got "
              + sleepBelow
              + " and "
              + wakeAt);
    }
    if (relayCost < 0 || idleDrainPerHour < 0 || chargePerHour <= 0) {
      throw new IllegalArgumentException(
          "sink battery: costs and drains must be >= 0 and the charge rate > 0");
    }
    if (chargingHoursPerDay < 0 || chargingHoursPerDay >= 24) {
      throw new IllegalArgumentException(
          "sink battery: charging hours per day must be in [0, 24), got " + chargingHoursPerDay);
    }
  }

  /**
   * Defaults: a sink relaying ten sensors at catalogue cadence runs about a day on a charge, sleeps
   * below 10 %, wakes at 60 %, and sits on a charger one hour a day.
   */
  public static SinkBatteryConfig defaults() {
    return new SinkBatteryConfig(0.0002, 2.0, 50.0, 10.0, 60.0, 1.0);
  }

  /** A battery that never runs down, for tests that are about something else. */
  public static SinkBatteryConfig everlasting() {
    return new SinkBatteryConfig(0, 0, 50.0, 10.0, 60.0, 0);
  }
}
