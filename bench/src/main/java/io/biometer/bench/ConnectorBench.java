package io.biometer.bench;

import io.biometer.devstack.ConnectWorker;
import io.biometer.devstack.LocalStack;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The QuestDB sink benchmark, on a stack with QuestDB and the Connect worker (no simulator, no
 * streams app running): the rows/s the sink lands through the real Connect worker (our converter
 * and sink) from a backlog of clean readings, next to (a) QuestDB's own ILP client writing the same
 * rows pre-built in memory, QuestDB's ingest limit here, and (b) a plain consumer with biometer's
 * deserializer and the ILP client writing the same rows, the same work without Connect, in paired
 * rounds whose order alternates; then event-to-queryable-row latency at 10,000 readings/s, seen
 * over QuestDB's PG wire. Arguments {@code key=value} set connector config for every connector run.
 */
public final class ConnectorBench {

  private ConnectorBench() {}

  /**
   * {@code ./biometer bench connector}: a stack of its own, the table, the files in {@code out}.
   */
  static int run(String[] args, Path outDir, PrintStream out, PrintStream err) {
    return BenchRun.cli(
        "connector",
        args,
        outDir,
        out,
        err,
        ConnectorOptions::parse,
        (o, report) -> {
          err.println(
              "biometer bench connector: starting a private stack (Kafka, registry, QuestDB,"
                  + " Connect worker) ...");
          try (BenchStack bench = new BenchStack("connector", true)) {
            measure(bench, o, report, err);
          }
        });
  }

  /**
   * Measures on {@code bench} (which must have QuestDB and Connect) and adds the rows to {@code
   * report}. Starts by emptying the pipeline's topics: the backlog is the only data on them.
   */
  static void measure(
      BenchStack bench, ConnectorOptions o, BenchReport.Builder report, PrintStream err)
      throws Exception {
    long rows = o.readings() * 2L;
    bench.emptyPipelineTopics();
    LocalStack stack = bench.stack;
    ConnectWorker worker = stack.connect();
    Map<String, String> connector = new LinkedHashMap<>(stack.connectorConfig());
    connector.putAll(o.config());
    String ilp =
        "http::addr="
            + stack.config().bindHost()
            + ":"
            + stack.config().questdbHttpPort()
            + ";auto_flush=off;protocol_version=2;";
    String jdbc = stack.questdb().jdbcUrl();
    try (Connection sql = DriverManager.getConnection(jdbc, "admin", "quest")) {
      err.printf(
          "biometer bench connector: producing %,d clean readings (%,d rows) to %s ...%n",
          o.readings(), rows, ConnectorWorkload.TOPIC);
      List<IlpRow> prebuilt = ConnectorWorkload.backlog(stack, o.readings());
      ConnectorRound round =
          new ConnectorRound(
              new ConnectorWriters(stack, worker, connector, ilp, sql, prebuilt, rows, err),
              sql,
              err);

      // A first run through a cold JVM, worker and QuestDB reads low whatever it is.
      err.println("biometer bench connector: warm-up, one run of each (not counted) ...");
      round.round("warm", true);
      PairedRounds vsConsumer = new PairedRounds();
      PairedRounds vsIlp = new PairedRounds();
      for (int r = 0; r < o.rounds(); r++) {
        // A run reads faster or slower by what ran just before it: alternate the order.
        double[] rates = round.round("r" + (r + 1), !PairedRounds.figureFirst(r));
        vsConsumer.add(rates[0], rates[1]);
        vsIlp.add(rates[0], rates[2]);
      }

      err.printf(
          "biometer bench connector: event-to-queryable-row latency at 10,000 readings/s for"
              + " %d s after a %d s warm-up ...%n",
          o.latencyRun().toSeconds(), o.warmUp().toSeconds());
      ConnectorLatencyRun.Latency lat =
          ConnectorLatencyRun.measure(bench, worker, connector, jdbc, o.warmUp(), o.latencyRun());
      ConnectorRows.add(
          report, stack.config().topicPartitions(), o, connector, rows, vsConsumer, vsIlp, lat);
    }
  }
}
