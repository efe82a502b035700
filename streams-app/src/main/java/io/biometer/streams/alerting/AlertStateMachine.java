package io.biometer.streams.alerting;

import io.biometer.avro.AlertState;

/**
 * The transitions of one rule for one device: RAISED once when it starts to hold (after its minimum
 * duration), CLEARED once when the value is back past the hysteresis band. Pure: no Kafka types, no
 * clock.
 */
public final class AlertStateMachine {

  /**
   * The result of one value.
   *
   * @param state the rule's new state
   * @param transition RAISED or CLEARED if this value caused one, else null
   * @param threshold the threshold crossed (the clearing threshold for CLEARED), or NaN
   */
  public record Outcome(RuleState state, AlertState transition, double threshold) {
    static Outcome stay(RuleState s) {
      return new Outcome(s, null, Double.NaN);
    }
  }

  private AlertStateMachine() {}

  /** Feeds value {@code v} measured at event time {@code t} to {@code rule} in {@code state}. */
  public static Outcome step(ThresholdRule rule, RuleState state, double v, long t) {
    switch (state.status()) {
      case NORMAL -> {
        if (!rule.breached(v)) {
          return Outcome.stay(state);
        }
        if (rule.minDurationMillis() <= 0) {
          return new Outcome(
              new RuleState(RuleState.Status.RAISED, t), AlertState.RAISED, rule.threshold());
        }
        return Outcome.stay(new RuleState(RuleState.Status.PENDING, t));
      }
      case PENDING -> {
        if (!rule.breached(v)) {
          return Outcome.stay(RuleState.NORMAL);
        }
        if (t - state.since() >= rule.minDurationMillis()) {
          return new Outcome(
              new RuleState(RuleState.Status.RAISED, t), AlertState.RAISED, rule.threshold());
        }
        return Outcome.stay(state);
      }
      case RAISED -> {
        if (rule.clears(v)) {
          return new Outcome(RuleState.NORMAL, AlertState.CLEARED, rule.clearingThreshold());
        }
        return Outcome.stay(state);
      }
      default -> throw new IllegalStateException("unknown status " + state.status());
    }
  }
}
