package io.biometer.check;

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

  /**
   * A thermometer relayed by two sinks: readings 0 to 5 a minute apart, 4 never relayed (both sinks
   * asleep), 2 high (an alert), 3 spooled, 5 arrived at once (not late); and a second device's
   * reading two days later, which moves stream time past the first day's close (grace 0).
   * Everything landed as it should.
   */
  private static Evidence faithful() {
    Evidence ev = new Evidence();
    ev.grace = 0;
    double[] values = {36.6, 36.7, 39.9, 36.5, 0, 36.6};
    for (int seq = 0; seq < values.length; seq++) {
      if (seq == 4) {
        ev.neverRelayed.add("p.temp|4");
        continue;
      }
      for (String sink : List.of("p.sink-a", "p.sink-b")) {
        ev.raw.add(raw("p.temp", seq, T0 + seq * MIN, values[seq], sink, seq == 3, seq != 5));
      }
      ev.clean.add("p.temp|" + seq);
      ev.rows.add(new Evidence.Row("p.temp", seq, "body_temperature", values[seq], "p.sink-a"));
    }
    long later = T0 + 2 * 24 * 60 * MIN;
    ev.raw.add(raw("p.late", 0, later, 36.6, "p.sink-a", false, true));
    ev.clean.add("p.late|0");
    ev.rows.add(new Evidence.Row("p.late", 0, "body_temperature", 36.6, "p.sink-a"));
    String rule = "BODY_TEMPERATURE.body_temperature.high";
    ev.alerts.add(new Evidence.Alert("p.temp", rule, "VALUE_HIGH", "RAISED", T0 + 2 * MIN));
    ev.alerts.add(new Evidence.Alert("p.temp", rule, "VALUE_HIGH", "CLEARED", T0 + 3 * MIN));
    ev.episodes.add(new Evidence.Episode("p.temp", "FEVER", T0 + MIN, T0 + 3 * MIN, 0));
    ev.aggregates.add(
        new Evidence.Aggregate(
            "p.temp",
            "body_temperature",
            T0,
            5,
            36.5,
            39.9,
            (36.6 + 36.7 + 39.9 + 36.5 + 36.6) / 5,
            true));
    ev.aggregates.add(
        new Evidence.Aggregate("p.late", "body_temperature", later, 1, 36.6, 36.6, 36.6, false));
    ev.cadence.put("p.temp", MIN);
    ev.cadence.put("p.late", MIN);
    ev.ledger.add(new Evidence.Ledger("p.temp", T0, 6, 5, 1, 5, 4, 0, 0, 0L, 5L, true));
    ev.ledger.add(new Evidence.Ledger("p.late", later, 1, 1, 0, 0, 1, 0, 0, 0L, 0L, false));
    ev.sinkSleeps = 1;
    ev.spooled = 1;
    ev.spooledIds.put("telemetry.body.readings|p.temp|3", 1L);
    ev.meterBatches = 1;
    ev.meterSamples = 0;
    return ev;
  }

  private static Evidence.Raw raw(
      String device, long seq, long t, double v, String sink, boolean spooled, boolean late) {
    Map<String, Double> values = new LinkedHashMap<>();
    values.put("body_temperature", v);
    return new Evidence.Raw(
        "telemetry.body.readings",
        0,
        0,
        device,
        "BODY_TEMPERATURE",
        seq,
        t,
        values,
        sink,
        spooled,
        t + (late ? 3_600_000 : 1_000));
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
        0, new Evidence.Aggregate("p.temp", "body_temperature", T0, 4, 36.5, 39.9, 37.4, true));
    assertThat(failing(judge(ev)))
        .containsExactly("daily aggregates (count, min, max, mean) per device, channel, day");
  }

  @Test
  void aLedgerColumnThatDisagreesWithTheRawInputFails() {
    Evidence ev = faithful();
    ev.ledger.set(0, new Evidence.Ledger("p.temp", T0, 6, 5, 1, 4, 4, 0, 0, 0L, 5L, true));
    assertThat(failing(judge(ev)))
        .containsExactly("data_completeness rows per device and day, every column");
  }

  @Test
  void aDayLeftRunningAfterItClosedFails() {
    Evidence ev = faithful();
    ev.ledger.set(0, new Evidence.Ledger("p.temp", T0, 6, 5, 1, 5, 4, 0, 0, 0L, 5L, false));
    assertThat(failing(judge(ev)))
        .containsExactly("data_completeness rows per device and day, every column");
  }

  @Test
  void aGapTheGroundTruthDoesNotExplainFails() {
    Evidence ev = faithful();
    ev.neverRelayed.clear();
    assertThat(failing(judge(ev)))
        .contains(
            "data_completeness rows per device and day, every column",
            "sink asleep: readings no sink relayed (ground truth) = gaps in the ledger");
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
