package io.biometer.simulator.model;

/**
 * A battery's charge in percent, drained per message and while idle, charged while on a charger.
 * Advanced lazily: {@link #advance} accounts for the time since the last call.
 */
public final class Battery {

  private double percent;
  private long at;

  /** A battery at {@code percent} at simulated time {@code at}. */
  public Battery(double percent, long at) {
    this.percent = percent;
    this.at = at;
  }

  /**
   * Accounts for the time from the last call to {@code now}: idle drain, or charge if {@code
   * charging}; the charge stays within [0, 100].
   */
  public void advance(long now, boolean charging, double idleDrainPerHour, double chargePerHour) {
    if (now <= at) {
      return;
    }
    double hours = (now - at) / 3_600_000d;
    percent += charging ? chargePerHour * hours : -idleDrainPerHour * hours;
    percent = Math.max(0, Math.min(100, percent));
    at = now;
  }

  /** Takes {@code cost} percent for one message. */
  public void drain(double cost) {
    percent = Math.max(0, percent - cost);
  }

  public double percent() {
    return percent;
  }

  /** Simulated time the charge was last brought up to date. */
  public long at() {
    return at;
  }
}
