package io.biometer.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The end-to-end check, from the ground truth rather than from the pipeline: the simulator's counts
 * and the raw input give the readings and their channels; the distinct (device, sequence) pairs in
 * the clean topic, and the rows (count and count distinct) in QuestDB, must match them exactly.
 */
final class LossCheck {

  private LossCheck() {}

  /**
   * Adds the row of the check against the ground truth; every difference is a failure of the run.
   */
  static void add(BenchReport.Builder report, EndToEndOptions o, EndToEndRun run) {
    List<String> broken = new ArrayList<>();
    ReadingLedger in = run.input;
    ReadingLedger out = run.clean;
    if (run.simLost > 0) {
      broken.add(
          String.format("the simulator lost %,d records (spool full or refused)", run.simLost));
    }
    if (in.distinct() != run.simReadings) {
      broken.add(
          String.format(
              "the input holds %,d distinct readings, the simulator made %,d",
              in.distinct(), run.simReadings));
    }
    if (in.records() != run.simCopies) {
      broken.add(
          String.format(
              "the input holds %,d records, the simulator relayed %,d copies",
              in.records(), run.simCopies));
    }
    long missing = in.missingFrom(out);
    long phantom = out.missingFrom(in);
    long duplicates = out.records() - out.distinct();
    if (missing > 0) {
      broken.add(String.format("%,d readings of the input are not in the clean topic", missing));
    }
    if (phantom > 0) {
      broken.add(String.format("%,d clean readings are not in the input", phantom));
    }
    if (duplicates > 0) {
      broken.add(String.format("%,d duplicate records in the clean topic", duplicates));
    }
    if (run.rows != in.rows()) {
      broken.add(
          String.format(
              "QuestDB holds %,d rows, the input's readings have %,d channel values",
              run.rows, in.rows()));
    }
    if (run.distinctRows != run.rows) {
      broken.add(
          String.format(
              "QuestDB holds %,d rows but %,d distinct (device, sequence, channel)",
              run.rows, run.distinctRows));
    }
    Map<String, Object> cv = new LinkedHashMap<>();
    cv.put("simulatorReadings", run.simReadings);
    cv.put("simulatorCopies", run.simCopies);
    cv.put("simulatorSendErrors", run.simErrors);
    cv.put("inputRecords", in.records());
    cv.put("inputDistinctReadings", in.distinct());
    cv.put("inputReadingsRelayedTwice", in.twice());
    cv.put("expectedRows", in.rows());
    cv.put("cleanRecords", out.records());
    cv.put("cleanDistinctReadings", out.distinct());
    cv.put("missing", missing);
    cv.put("duplicates", duplicates);
    cv.put("phantoms", phantom);
    cv.put("questdbRows", run.rows);
    cv.put("questdbDistinctRows", run.distinctRows);
    cv.put("dlqRecords", run.dlq);
    cv.put("alertsLanded", run.alertsLanded);
    cv.put("dailyAggregatesLanded", run.aggregatesLanded);
    report.row(
        "loss and duplicates, checked against the ground truth"
            + (o.overrides().isEmpty() ? "" : " (" + EndToEndRows.config(o.overrides()) + ")"),
        String.format(
            "%,d lost, %,d duplicated: %,d readings made (%,d relayed twice); clean topic %,d"
                + " records, %,d distinct (device, sequence); QuestDB %,d rows, %,d distinct"
                + " (device, sequence, channel)",
            missing,
            duplicates,
            in.distinct(),
            in.twice(),
            out.records(),
            out.distinct(),
            run.rows,
            run.distinctRows),
        String.format(
            "ground truth: the simulator's counts (%,d readings, %,d copies) and the raw input"
                + " topic (%,d records; %,d channel values = rows expected)",
            run.simReadings, run.simCopies, in.records(), in.rows()),
        "",
        "",
        Target.END_TO_END_LOSS.judge(broken.size()),
        cv);
    for (String b : broken) {
      report.failure("end-to-end: " + b);
    }
  }
}
