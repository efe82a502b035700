package io.biometer.check;

import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The truth check under each of the other faults, mid-run: the broker restarted, the streams
 * instance SIGKILLed and restarted, the Connect worker SIGKILLed and restarted, QuestDB stopped for
 * 30 s. About two minutes each, so they run with {@code ./mvnw verify -Pfaults} (README, "Trust"),
 * not in every {@code verify}; skipped, visibly, otherwise.
 */
@EnabledIfSystemProperty(
    named = "biometer.faults",
    matches = "true",
    disabledReason = "the truth check's fault scenarios run with ./mvnw verify -Pfaults")
class TruthCheckFaultsIT {

  @ParameterizedTest
  @EnumSource(
      value = TruthCheck.Fault.class,
      names = {"BROKER_RESTART", "STREAMS_KILL", "CONNECT_KILL", "QUESTDB_OUTAGE"})
  void everyRowHoldsWith(TruthCheck.Fault fault) throws Exception {
    TruthCheckIT.assertHolds(fault);
  }
}
