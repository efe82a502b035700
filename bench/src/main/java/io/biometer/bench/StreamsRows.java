package io.biometer.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The streams bench's rows: the throughput ratios, the latency runs against their targets and the
 * exactly-once floor, and the note on how they were measured.
 */
final class StreamsRows {

  private StreamsRows() {}

  static void add(
      BenchReport.Builder report,
      int partitions,
      StreamsOptions o,
      int threads,
      long input,
      PairedRounds alos,
      PairedRounds eos,
      AlertLatency alosLat,
      AlertLatency eosLat,
      AlertLatency eosCached,
      Histogram txn) {
    if (o.latencyOnly()) {
      report.row(
          "streams",
          "records/s, full topology (skipped: --latency-only)",
          "-",
          "-",
          "",
          "",
          Target.STREAMS_THROUGHPUT.cell(),
          Verdict.NO_VERDICT,
          Map.of());
    } else {
      PairedRounds.Summary s = alos.summary();
      report.row(
          String.format(
              "records/s, full topology, at-least-once (%,d records in: every reading twice)",
              input),
          Fmt.num(s.figure()),
          "pass-through (read, deserialize, serialize, write), same input and settings: "
              + Fmt.num(s.baseline()),
          Fmt.ratio(s.median()),
          s.spread(),
          Target.STREAMS_THROUGHPUT.judge(s),
          Fmt.rounds(alos));
      if (o.eosThroughput()) {
        PairedRounds.Summary e = eos.summary();
        report.row(
            "streams",
            "records/s, full topology, exactly-once",
            Fmt.num(e.figure()),
            "pass-through, at-least-once: " + Fmt.num(e.baseline()),
            Fmt.ratio(e.median()),
            e.spread(),
            "",
            Verdict.NONE,
            Fmt.rounds(eos));
      }
    }
    boolean landing = alosLat.toRow() != null;
    String load = "10,000 readings/s" + (landing ? ", landing in QuestDB meanwhile" : "");
    Histogram a = alosLat.eventToAlert();
    report.row(
        "event-to-alert p50 / p99 / p99.9, at-least-once, " + load,
        Fmt.percentiles(a),
        "alert produced-to-visible p50 / p99: " + pct2(alosLat.producedToVisible()),
        "",
        "",
        Target.ALERT_LATENCY_AT_LEAST_ONCE.judge(Fmt.p99(a)),
        alosLat.values());
    Histogram e = eosLat.eventToAlert();
    long floor = txn.getTotalCount() == 0 ? -1 : txn.getValueAtPercentile(99);
    report.row(
        "event-to-alert p50 / p99 / p99.9, exactly-once, " + load,
        Fmt.percentiles(e),
        "transactional producer floor p99 " + floor + " ms (next row)",
        "",
        "",
        Target.ALERT_LATENCY_EXACTLY_ONCE.judge(Fmt.p99(e), floor),
        eosLat.values());
    report.row(
        "latency",
        "send-to-visible p50 / p99 / p99.9, transactional producer committing every 100 ms,"
            + " 10,000 records/s, read_committed (no Streams): the exactly-once floor",
        Fmt.percentiles(txn),
        "-",
        "",
        "",
        "",
        Verdict.NONE,
        Fmt.latency(txn));
    if (eosCached != null) {
      report.row(
          "latency",
          "event-to-alert p50 / p99 / p99.9, exactly-once, Kafka Streams' default record cache"
              + " (10 MiB) on, "
              + load,
          Fmt.percentiles(eosCached.eventToAlert()),
          "the app's default (cache off): " + Fmt.percentiles(e),
          "",
          "",
          "",
          Verdict.NONE,
          eosCached.values());
    }
    if (landing) {
      for (AlertLatency l : List.of(alosLat, eosLat)) {
        boolean atLeastOnce = l == alosLat;
        Histogram h = l.toRow();
        report.row(
            "event-to-row p50 / p99 / p99.9, body reading to queryable QuestDB row through"
                + " streams app and Connect, "
                + (atLeastOnce ? "at-least-once" : "exactly-once")
                + ", 10,000 readings/s",
            Fmt.percentiles(h) + Fmt.notYet(l.unseenRows()),
            "sink's allowed.lag 250 ms; rows polled over PG wire every 20 ms",
            "",
            "",
            Target.ROW_LATENCY.judge(Fmt.p99(h), l.unseenRows() == 0),
            Fmt.latency(h));
      }
    }
    report.note(
        String.format(
            Locale.ROOT,
            "streams: embedded KRaft broker, %d partitions, %d stream thread(s), %d devices, %,d"
                + " input records (every reading twice); records/s: steady rate, from 10%% to 90%%"
                + " of the output; %s; latency: %d s at 10,000 readings/s after a %d s warm-up at"
                + " the same rate (warm-up maxima %d / %d ms at-least-once / exactly-once, not"
                + " counted); alerts measured %,d / %,d; stream thread under exactly-once: commit"
                + " latency avg / max; mean time between commits %s%s%s.",
            partitions,
            threads,
            StreamsWorkload.DEVICES,
            input,
            o.latencyOnly()
                ? "throughput skipped"
                : o.rounds()
                    + " paired rounds after a warm-up run, full topology first in every other"
                    + " round",
            o.latencyRun().toSeconds(),
            o.warmUp().toSeconds(),
            alosLat.warmUp().getMaxValue(),
            eosLat.warmUp().getMaxValue(),
            alosLat.eventToAlert().getTotalCount(),
            eosLat.eventToAlert().getTotalCount(),
            eosLat.commits(),
            landing
                ? "; each latency run lands clean readings, alerts and aggregates in QuestDB"
                    + " through a connector of its own"
                : "",
            o.overrides().isEmpty() ? "" : "; app config " + o.overrides()));
  }

  private static String pct2(Histogram h) {
    return h == null || h.getTotalCount() == 0
        ? "-"
        : h.getValueAtPercentile(50) + " / " + h.getValueAtPercentile(99) + " ms";
  }
}
