package io.biometer.simulator.model;

/**
 * One abnormal episode: from {@code start} the channels ramp towards the kind's targets over {@code
 * rampMillis}, hold, and ramp back so they are normal again at {@code end} (simulated epoch
 * milliseconds).
 *
 * @param kind what happens
 * @param start simulated time the episode starts
 * @param end simulated time it is over
 * @param rampMillis length of the ramp in and of the ramp out
 */
public record Episode(EpisodeKind kind, long start, long end, long rampMillis) {

  /** The share of the way to the targets at time {@code t}: 0 outside, 1 on the plateau. */
  public double weight(long t) {
    if (t <= start || t >= end) {
      return 0;
    }
    double in = (t - start) / (double) rampMillis;
    double out = (end - t) / (double) rampMillis;
    return Math.min(1, Math.min(in, out));
  }
}
