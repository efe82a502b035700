package io.biometer.simulator.model;

import io.biometer.catalog.ChannelSpec;

/**
 * Physiology-like values for one channel: a per-patient baseline inside the normal range, a slow
 * circadian drift (a 24-hour sine), Gaussian noise, and an episode pulling the value towards an
 * abnormal target. Pure: the same inputs give the same value.
 */
public final class SignalModel {

  private static final double DAY_MILLIS = 86_400_000d;

  private SignalModel() {}

  /**
   * The baseline of a channel for a patient: somewhere in the middle half of the normal range,
   * chosen by {@code u} in [0, 1).
   */
  public static double baseline(ChannelSpec c, double u) {
    double span = c.normalMax() - c.normalMin();
    return c.normalMin() + span * (0.25 + 0.5 * u);
  }

  /**
   * The value at simulated time {@code t}.
   *
   * @param c the channel
   * @param baseline the patient's baseline for it
   * @param t simulated epoch milliseconds
   * @param gaussian a standard normal draw for the noise
   * @param episode the device's current episode, or null
   */
  public static double value(
      ChannelSpec c, double baseline, long t, double gaussian, Episode episode) {
    double span = c.normalMax() - c.normalMin();
    // Circadian: lowest in the early morning, highest in the late afternoon (peak at 17:00).
    double phase = 2 * Math.PI * ((t % (long) DAY_MILLIS) / DAY_MILLIS - 17 / 24d);
    double drift = 0.08 * span * Math.cos(phase);
    double noise = 0.03 * span * gaussian;
    double v = baseline + drift + noise;
    if (episode != null) {
      Double target = episode.kind().target(c.name());
      if (target != null) {
        v += (target - v) * episode.weight(t);
      }
    }
    // A sensor reports what is physically possible, whatever the model says.
    return Math.max(c.possibleMin(), Math.min(c.possibleMax(), v));
  }
}
