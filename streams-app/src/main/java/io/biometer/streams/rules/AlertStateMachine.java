package io.biometer.streams.rules;

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
  public record Step(RuleState state, AlertState transition, double threshold) {
    static Step stay(RuleState s) {
      return new Step(s, null, Double.NaN);
    }
  }

  private AlertStateMachine() {}

  /** Feeds value {@code v} measured at event time {@code t} to {@code rule} in {@code state}. */
  public static Step step(ThresholdRule rule, RuleState state, double v, long t) {
    switch (state.status()) {
      case NORMAL -> {
        if (!rule.breached(v)) {
          return Step.stay(state);
        }
        if (rule.minDurationMillis() <= 0) {
          return new Step(
              new RuleState(RuleState.Status.RAISED, t), AlertState.RAISED, rule.threshold());
        }
        return Step.stay(new RuleState(RuleState.Status.PENDING, t));
      }
      case PENDING -> {
        if (!rule.breached(v)) {
          return Step.stay(RuleState.NORMAL);
        }
        if (t - state.since() >= rule.minDurationMillis()) {
          return new Step(
              new RuleState(RuleState.Status.RAISED, t), AlertState.RAISED, rule.threshold());
        }
        return Step.stay(state);
      }
      case RAISED -> {
        if (rule.clears(v)) {
          return new Step(RuleState.NORMAL, AlertState.CLEARED, rule.clearingThreshold());
        }
        return Step.stay(state);
      }
      default -> throw new IllegalStateException("unknown status " + state.status());
    }
  }
}
