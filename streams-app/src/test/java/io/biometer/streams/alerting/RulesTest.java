package io.biometer.streams.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.avro.AlertKind;
import io.biometer.avro.AlertState;
import io.biometer.avro.SensorType;
import io.biometer.avro.Severity;
import io.biometer.catalog.SensorCatalog;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure logic under the alert steps, without Kafka. */
class RulesTest {

  private static final ThresholdRule HIGH =
      new ThresholdRule("T.x.high", AlertKind.VALUE_HIGH, "x", 100, 5, 0, Severity.MEDIUM);

  private static RuleState feed(
      ThresholdRule rule, RuleState s, double v, long t, StringBuilder log) {
    AlertStateMachine.Outcome step = AlertStateMachine.step(rule, s, v, t);
    if (step.transition() != null) {
      log.append(step.transition()).append('@').append(t).append(' ');
    }
    return step.state();
  }

  @Test
  void highRuleRaisesAboveAndClearsOnlyBelowTheHysteresisBand() {
    StringBuilder log = new StringBuilder();
    RuleState s = RuleState.NORMAL;
    double[] values = {90, 101, 99, 101, 96, 94, 101};
    for (int i = 0; i < values.length; i++) {
      s = feed(HIGH, s, values[i], i, log);
    }
    assertThat(log.toString().trim()).isEqualTo("RAISED@1 CLEARED@5 RAISED@6");
  }

  @Test
  void pendingResetsWhenTheConditionStopsBeforeTheMinimumDuration() {
    ThresholdRule slow =
        new ThresholdRule("T.x.high", AlertKind.VALUE_HIGH, "x", 100, 5, 10, Severity.MEDIUM);
    StringBuilder log = new StringBuilder();
    RuleState s = RuleState.NORMAL;
    s = feed(slow, s, 101, 0, log);
    assertThat(s.status()).isEqualTo(RuleState.Status.PENDING);
    s = feed(slow, s, 99, 5, log);
    assertThat(s).isEqualTo(RuleState.NORMAL);
    s = feed(slow, s, 101, 6, log);
    s = feed(slow, s, 101, 15, log);
    s = feed(slow, s, 101, 16, log);
    assertThat(log.toString().trim()).isEqualTo("RAISED@16");
  }

  @Test
  void lowRuleMirrorsTheHighRule() {
    ThresholdRule low =
        new ThresholdRule("T.x.low", AlertKind.VALUE_LOW, "x", 10, 1, 0, Severity.HIGH);
    assertThat(low.breached(9.9)).isTrue();
    assertThat(low.breached(10)).isFalse();
    assertThat(low.clears(11)).isFalse();
    assertThat(low.clears(11.1)).isTrue();
    assertThat(low.clearingThreshold()).isEqualTo(11);
    assertThat(AlertStateMachine.step(low, RuleState.NORMAL, 5, 0).transition())
        .isEqualTo(AlertState.RAISED);
  }

  @Test
  void ruleBookLeavesOutLowRulesThatCanNeverHoldAndAddsBattery() {
    RuleBook book = new RuleBook(SensorCatalog.standard(), Map.of(), Map.of(), Map.of(), 5);
    assertThat(book.rules(SensorType.EMG, null))
        .extracting(ThresholdRule::id)
        .containsExactly("EMG.rms_amplitude.high", "EMG.battery.low");
    assertThat(book.rules(SensorType.BLOOD_PRESSURE, null))
        .extracting(ThresholdRule::id)
        .containsExactly(
            "BLOOD_PRESSURE.systolic.high",
            "BLOOD_PRESSURE.systolic.low",
            "BLOOD_PRESSURE.diastolic.high",
            "BLOOD_PRESSURE.diastolic.low",
            "BLOOD_PRESSURE.battery.low");
    assertThat(book.batteryRule(SensorType.PACEMAKER).threshold()).isEqualTo(25.0);
  }
}
