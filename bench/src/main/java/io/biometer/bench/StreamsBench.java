package io.biometer.bench;

import io.biometer.devstack.LocalStack;
import io.biometer.streams.StreamsAppConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The streams benchmark, on one embedded broker in one run: the full topology's records/s next to a
 * pass-through topology (read, deserialize, serialize, write) over the same input, both
 * at-least-once; then event-to-alert latency p50/p99/p99.9 at 10,000 readings/s after a warm-up at
 * the same rate, at-least-once and exactly-once (with and without Kafka Streams' record cache),
 * next to a plain transactional producer's send-to-visible latency. Arguments {@code key=value} set
 * the app's config (as in its properties file) for every run.
 */
public final class StreamsBench {

  private StreamsBench() {}

  /**
   * {@code ./biometer bench streams}: a stack of its own (with QuestDB and Connect, so that the
   * latency runs land their output as the pipeline does), the table, the files in {@code out}.
   */
  static int run(String[] args, Path outDir, PrintStream out, PrintStream err) {
    return BenchRun.cli(
        "streams",
        args,
        outDir,
        out,
        err,
        StreamsOptions::parse,
        (o, report) -> {
          err.println(
              "biometer bench streams: starting a private stack (Kafka, registry, QuestDB,"
                  + " Connect worker) ...");
          try (BenchStack bench = new BenchStack("streams", true)) {
            measure(bench, o, report, err);
          }
        });
  }

  /**
   * Measures on {@code bench} and adds the rows to {@code report}: full topology against
   * pass-through in paired rounds, then event-to-alert latency (and, where the stack has Connect,
   * event-to-row latency through a landing connector that runs meanwhile). Starts by emptying the
   * pipeline's topics.
   */
  static void measure(
      BenchStack bench, StreamsOptions o, BenchReport.Builder report, PrintStream err)
      throws Exception {
    LocalStack stack = bench.stack;
    Path dir = bench.dir;
    Map<String, Object> overrides = o.overrides();
    int threads =
        new StreamsAppConfig(overrides).getInt(StreamsAppConfig.NUM_STREAM_THREADS_CONFIG);
    int readings = o.readings();
    bench.emptyPipelineTopics();
    bench.createTopic(StreamsThroughput.PASS_THROUGH);
    StreamsWorkload.register(stack);
    err.printf(
        "biometer bench streams: producing %,d readings, each relayed by two sinks (%,d records) ...%n",
        readings, readings * 2L);
    StreamsWorkload.backlog(stack, readings);
    long input = readings * 2L;

    StreamsThroughput.Rounds rounds =
        o.latencyOnly()
            ? new StreamsThroughput.Rounds(new PairedRounds(), new PairedRounds())
            : StreamsThroughput.measure(bench, o, readings, input, err);
    Landing.Factory landing = bench.hasConnect() ? prefix -> Landing.start(bench, prefix) : null;
    String landingNote = landing == null ? "" : ", landing in QuestDB";
    err.println(
        "biometer bench streams: event-to-alert latency at 10,000 readings/s, at-least-once"
            + landingNote
            + " ...");
    AlertLatency alosLat =
        AlertLatencyRun.measure(
            stack,
            dir,
            overrides,
            StreamsConfig.AT_LEAST_ONCE,
            o.warmUp(),
            o.latencyRun(),
            landing);
    err.println(
        "biometer bench streams: event-to-alert latency at 10,000 readings/s, exactly-once"
            + landingNote
            + " ...");
    AlertLatency eosLat =
        AlertLatencyRun.measure(
            stack,
            dir,
            overrides,
            StreamsConfig.EXACTLY_ONCE_V2,
            o.warmUp(),
            o.latencyRun(),
            landing);
    // The app turns Kafka Streams' record cache off under exactly-once; measure the default too,
    // unless the command line set the cache itself.
    AlertLatency eosCached = null;
    if (o.cacheOn()) {
      Map<String, Object> cacheOn = new HashMap<>(overrides);
      cacheOn.put(StreamsOptions.CACHE_KEY, "10485760");
      err.println(
          "biometer bench streams: the same, exactly-once with Kafka Streams' default record"
              + " cache ...");
      eosCached =
          AlertLatencyRun.measure(
              stack,
              dir,
              cacheOn,
              StreamsConfig.EXACTLY_ONCE_V2,
              o.warmUp(),
              o.latencyRun(),
              landing);
    }
    err.println(
        "biometer bench streams: baseline, a transactional producer committing every 100 ms ...");
    Histogram txn = TransactionalFloor.measure(bench, o.warmUp(), o.latencyRun());

    StreamsRows.add(
        report,
        stack.config().topicPartitions(),
        o,
        threads,
        input,
        rounds.atLeastOnce(),
        rounds.exactlyOnce(),
        alosLat,
        eosLat,
        eosCached,
        txn);
  }
}
