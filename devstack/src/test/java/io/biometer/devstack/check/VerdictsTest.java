package io.biometer.devstack.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The judge on evidence made by hand: a faithful pipeline holds, and each kind of defect the truth
 * check is there to find makes its row fail.
 */
class VerdictsTest {

  private static final long MIN = 60_000;
  private static final long T0 = 1_795_651_200_000L; // a UTC midnight

  /** Two relays, three readings of a thermometer, the third one high (an alert), all landed. */
  private static Evidence faithful() {
    Evidence ev = new Evidence();
    double[] values = {36.6, 36.7, 39.9, 36.5};
    for (int seq = 0; seq < values.length; seq++) {
      for (String sink : List.of("p.sink-a", "p.sink-b")) {
        ev.raw.add(raw(seq, values[seq], sink));
      }
      ev.clean.add("p.temp|" + seq);
      ev.rows.add(new Evidence.Row("p.temp", seq, "body_temperature", values[seq], "p.sink-a"));
    }
    ev.alerts.add(
        new Evidence.Alert(
            "p.temp",
            "BODY_TEMPERATURE.body_temperature.high",
            "VALUE_HIGH",
            "RAISED",
            T0 + 2 * MIN));
    ev.alerts.add(
        new Evidence.Alert(
            "p.temp",
            "BODY_TEMPERATURE.body_temperature.high",
            "VALUE_HIGH",
            "CLEARED",
            T0 + 3 * MIN));
    ev.episodes.add(new Evidence.Episode("p.temp", "FEVER", T0 + MIN, T0 + 3 * MIN, 0));
    ev.aggregates.add(
        new Evidence.Aggregate(
            "p.temp",
            "body_temperature",
            T0,
            4,
            36.5,
            39.9,
            (36.6 + 36.7 + 39.9 + 36.5) / 4,
            true));
    ev.cadence.put("p.temp", MIN);
    ev.ledger.add(new Evidence.Ledger("p.temp", T0, 4, 4, 0, 4, 4, 0, 0));
    ev.sinkSleeps = 1;
    ev.spooled = 1;
    ev.spooledIds.put("telemetry.body.readings|p.temp|3", 1L);
    ev.meterBatches = 1;
    ev.meterSamples = 0;
    return ev;
  }

  private static Evidence.Raw raw(long seq, double v, String sink) {
    Map<String, Double> values = new LinkedHashMap<>();
    values.put("body_temperature", v);
    return new Evidence.Raw(
        "telemetry.body.readings",
        0,
        0,
        "p.temp",
        "BODY_TEMPERATURE",
        seq,
        T0 + seq * MIN,
        values,
        sink,
        seq == 3);
  }

  private static TruthTable judge(Evidence ev) {
    TruthTable t = new TruthTable();
    new Verdicts(ev, t).judge();
    return t;
  }

  private static List<String> failing(TruthTable t) {
    return t.rows().stream().filter(r -> !r.holds()).map(TruthTable.Row::check).toList();
  }

  @Test
  void aFaithfulPipelineHolds() {
    TruthTable t = judge(faithful());
    assertThat(failing(t)).isEmpty();
    assertThat(t.holds()).isTrue();
  }

  @Test
  void aReadingTwiceInTheCleanTopicFails() {
    Evidence ev = faithful();
    ev.clean.add("p.temp|1");
    assertThat(failing(judge(ev))).containsExactly("telemetry.readings.clean: each reading once");
  }

  @Test
  void aLostRowAndAWrongValueFail() {
    Evidence ev = faithful();
    ev.rows.remove(0);
    ev.rows.set(0, new Evidence.Row("p.temp", 1, "body_temperature", 36.8, "p.sink-a"));
    assertThat(failing(judge(ev))).contains("rows landed: BODY_TEMPERATURE.body_temperature");
  }

  @Test
  void anAlertRaisedTwiceForOneEpisodeFails() {
    Evidence ev = faithful();
    ev.alerts.add(
        1,
        new Evidence.Alert(
            "p.temp",
            "BODY_TEMPERATURE.body_temperature.high",
            "VALUE_HIGH",
            "RAISED",
            T0 + 2 * MIN));
    assertThat(failing(judge(ev)))
        .containsExactly("p.temp BODY_TEMPERATURE.body_temperature.high RAISED/CLEARED");
  }

  @Test
  void anAggregateThatMissesAReadingFails() {
    Evidence ev = faithful();
    ev.aggregates.set(
        0, new Evidence.Aggregate("p.temp", "body_temperature", T0, 3, 36.5, 39.9, 37.7, true));
    assertThat(failing(judge(ev)))
        .containsExactly("daily aggregates (count, min, max, mean) per device, channel, day");
  }

  @Test
  void aLedgerColumnThatDisagreesWithTheRawInputFails() {
    Evidence ev = faithful();
    ev.ledger.set(0, new Evidence.Ledger("p.temp", T0, 4, 4, 0, 3, 4, 0, 0));
    assertThat(failing(judge(ev)))
        .containsExactly("data_completeness rows per device and day, every column");
  }

  @Test
  void aDeadLetterThatNobodyPoisonedFails() {
    Evidence ev = faithful();
    ev.dlqByReason.put("impossible-value", 1L);
    assertThat(failing(judge(ev)))
        .containsExactly("telemetry.dlq records, reason impossible-value");
  }

  @Test
  void aSpooledReadingThatNeverArrivedFails() {
    Evidence ev = faithful();
    ev.spooledIds.put("telemetry.body.readings|p.temp|2", 1L);
    assertThat(failing(judge(ev)))
        .containsExactly(
            "readings spooled while Kafka was unreachable, replayed and marked spooled");
  }
}
