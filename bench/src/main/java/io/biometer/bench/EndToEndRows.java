package io.biometer.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The end-to-end bench's rows: the readings/s that landed against the target, the loss and
 * duplicate check ({@link LossCheck}), and the note on how they were measured.
 */
final class EndToEndRows {

  private EndToEndRows() {}

  static void add(
      BenchReport.Builder report,
      EndToEndOptions o,
      int patients,
      double offered,
      EndToEndRun run) {
    // The window: from a fifth into the run (the app's first fetches, the sink's first flushes
    // and the first aggregates' emission are behind it) to the last send.
    double from = 0.2 * (run.sendEnd - run.t0);
    double to = run.sendEnd - run.t0;
    double rowsPerReading =
        run.input.distinct() == 0 ? 1 : run.input.rows() / (double) run.input.distinct();
    double produced = EndToEndRun.rate(run.samples, 1, from, to);
    double clean = EndToEndRun.rate(run.samples, 2, from, to);
    double landed = EndToEndRun.rate(run.samples, 3, from, to) / rowsPerReading;
    boolean keptUp = !Double.isNaN(run.drainSeconds) && run.drainSeconds <= 5;
    Map<String, Object> rv = new LinkedHashMap<>();
    rv.put("landedReadingsPerSecond", landed);
    rv.put("cleanReadingsPerSecond", clean);
    rv.put("producedReadingsPerSecond", produced);
    rv.put("offeredReadingsPerSecond", offered);
    rv.put("drainSeconds", run.drainSeconds);
    rv.put("seconds", o.run().toSeconds());
    rv.put("guarantee", o.guarantee());
    report.row(
        "end-to-end",
        String.format(
            Locale.ROOT,
            "readings/s landed in QuestDB while the load runs (%s%s, every reading relayed"
                + " twice: dedup, alerts, daily aggregation, landing)%s",
            o.guarantee(),
            o.overrides().isEmpty() ? "" : ", " + config(o.overrides()),
            o.reference() ? ", for reference" : ""),
        Fmt.num(landed),
        String.format(
            Locale.ROOT,
            "offered %s readings/s = %s records/s in; produced %s, clean out of streams %s;"
                + " last row landed %s s after the last send",
            Fmt.num(offered),
            Fmt.num(offered * 2),
            Fmt.num(produced),
            Fmt.num(clean),
            Double.isNaN(run.drainSeconds)
                ? "never"
                : String.format(Locale.ROOT, "%.1f", run.drainSeconds)),
        Fmt.ratio(landed / offered),
        "",
        o.reference() ? "" : Target.END_TO_END_THROUGHPUT.cell(),
        o.reference() ? Verdict.NONE : Target.END_TO_END_THROUGHPUT.judge(landed, keptUp).verdict(),
        rv);
    LossCheck.add(report, o, run);
    report.note(
        String.format(
            Locale.ROOT,
            "end-to-end: %,d patients x 10 body sensors = %,d virtual sensors at the catalogue's"
                + " cadences (seed %d, episodes 0.5 per sensor-hour, sinks that never sleep, so"
                + " both relay every reading), simulated time = wall time, for %d s; streams app"
                + " %s with its default settings%s, 1 stream thread; one landing connector (the"
                + " local run's config) into tables of its own; readings/s over the window from"
                + " %.0f s to the last send, from samples every 200 ms (produced: the simulator's"
                + " count; clean: the end offsets of telemetry.readings.clean; landed: rows in"
                + " QuestDB over PG wire, divided by %.3f channels per reading); kept up = the"
                + " last row landed within 5 s of the last send; the verdict allows 2%% under the"
                + " target for the landed count's flush steps. Alongside: %,d alerts (%s) and %,d"
                + " daily aggregates landed, %,d records to the DLQ.",
            patients,
            patients * 10L,
            EndToEndBench.SEED,
            o.run().toSeconds(),
            o.guarantee(),
            o.overrides().isEmpty() ? "" : " but " + config(o.overrides()),
            from / 1e9,
            rowsPerReading,
            run.alertsLanded,
            run.alertsByRule,
            run.aggregatesLanded,
            run.dlq));
  }

  /** App config as people write it: {@code a=1, b=2}. */
  static String config(Map<String, Object> c) {
    return c.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .sorted()
        .collect(java.util.stream.Collectors.joining(", "));
  }
}
