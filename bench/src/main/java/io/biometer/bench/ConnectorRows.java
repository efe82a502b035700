package io.biometer.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** The connector bench's rows: the two throughput ratios, the latency, the note. */
final class ConnectorRows {

  private ConnectorRows() {}

  static void add(
      BenchReport.Builder report,
      int partitions,
      ConnectorOptions o,
      Map<String, String> connector,
      long rows,
      PairedRounds vsConsumer,
      PairedRounds vsIlp,
      ConnectorLatencyRun.Latency lat) {
    PairedRounds.Summary b = vsConsumer.summary();
    PairedRounds.Summary a = vsIlp.summary();
    String lag = connector.getOrDefault("allowed.lag", "500");
    report.row(
        String.format(
            "rows/s through Connect (AvroConverter + QuestDB sink, real worker), backlog of %,d rows",
            rows),
        Fmt.num(b.figure()),
        "(b) plain consumer, `AvroDeserializer<CleanReading>`, ILP client: "
            + Fmt.num(b.baseline()),
        Fmt.ratio(b.median()),
        b.spread(),
        Target.CONNECTOR_THROUGHPUT.judge(b),
        Fmt.rounds(vsConsumer));
    report.row(
        "connector",
        "rows/s through Connect against QuestDB's ingest limit",
        Fmt.num(a.figure()),
        "(a) ILP client alone, rows pre-built in memory: " + Fmt.num(a.baseline()),
        Fmt.ratio(a.median()),
        a.spread(),
        "",
        Verdict.NONE,
        Fmt.rounds(vsIlp));
    Map<String, Object> v = new LinkedHashMap<>(Fmt.latency(lat.measured()));
    v.put("sent", lat.sent());
    v.put("unseen", lat.unseen());
    v.put("warmUp", Fmt.latency(lat.warmUp()));
    v.put("polls", lat.polls());
    v.put("meanPollMs", lat.meanPollMs());
    Histogram h = lat.measured();
    report.row(
        "event-to-queryable-row p50 / p99 / p99.9, clean readings at 10,000 readings/s straight"
            + " to the sink",
        Fmt.percentiles(h) + Fmt.notYet(lat.unseen()),
        "sink's allowed.lag " + lag + " ms; rows polled over PG wire every 20 ms",
        "",
        "",
        Target.CONNECTOR_LATENCY.judge(Fmt.p99(h), lat.unseen() == 0),
        v);
    report.note(
        String.format(
            "connector: embedded KRaft broker (%d partitions), embedded QuestDB, one Connect worker"
                + " (child JVM, tasks.max=%s); %,d clean readings x 2 channels = %,d rows"
                + " pre-produced to %s; each run writes a fresh table (WAL, PARTITION BY DAY,"
                + " DEDUP UPSERT KEYS(ts, device_id, sequence, channel)); rows/s: steady rate, from"
                + " the flush that took the table past 10%% of the rows to the one that took it"
                + " past 90%% (counted over PG wire every 10 ms); connector: allowed.lag %s ms,"
                + " flush.max.records %s; baselines flush every %,d rows; %d paired rounds after"
                + " a warm-up round, the order of the three writers alternating; latency: %d s at"
                + " 10,000 readings/s after a %d s warm-up (%,d readings measured, %,d sent;"
                + " warm-up max %d ms)%s.",
            partitions,
            connector.getOrDefault("tasks.max", "1"),
            o.readings(),
            rows,
            ConnectorWorkload.TOPIC,
            lag,
            connector.getOrDefault("flush.max.records", "50000"),
            ConnectorWriters.flushRows(rows),
            o.rounds(),
            o.latencyRun().toSeconds(),
            o.warmUp().toSeconds(),
            h.getTotalCount(),
            lat.sent(),
            lat.warmUp().getMaxValue(),
            o.config().isEmpty() ? "" : "; connector config " + o.config()));
  }
}
