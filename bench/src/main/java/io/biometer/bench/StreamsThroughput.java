package io.biometer.bench;

import io.biometer.Topics;
import io.biometer.devstack.LocalStack;
import io.biometer.streams.Dedup;
import io.biometer.streams.PipelineMetrics;
import io.biometer.streams.StreamsApp;
import io.biometer.streams.StreamsAppConfig;
import io.biometer.streams.TelemetrySerdes;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The streams bench's throughput rounds: the full topology against a pass-through topology (read,
 * deserialize, serialize, write) over the same input, both at-least-once, in paired rounds whose
 * order alternates; with {@code eosThroughput}, the full topology exactly-once in each round too.
 */
final class StreamsThroughput {

  /** The pass-through topology's output topic. */
  static final String PASS_THROUGH = "bench.pass-through";

  private StreamsThroughput() {}

  /**
   * The paired rounds: full topology at-least-once against pass-through, and exactly-once against
   * the same pass-through (all NaN without {@code eosThroughput}).
   */
  record Rounds(PairedRounds atLeastOnce, PairedRounds exactlyOnce) {}

  /** Warms up, then measures {@code o.rounds()} paired rounds over {@code readings} readings. */
  static Rounds measure(
      BenchStack bench, StreamsOptions o, int readings, long input, PrintStream err)
      throws Exception {
    LocalStack stack = bench.stack;
    Path dir = bench.dir;
    Map<String, Object> overrides = o.overrides();
    // The first run through a cold JVM and broker reads low whatever it is: warm up first.
    err.println("biometer bench streams: warm-up (full topology, not counted) ...");
    fullTopology(stack, dir, overrides, input, readings, StreamsConfig.AT_LEAST_ONCE);
    PairedRounds eos = new PairedRounds();
    double[] fullEos = {Double.NaN};
    PairedRounds alos =
        PairedRounds.interleave(
            o.rounds(),
            r -> {
              err.printf(
                  "biometer bench streams: round %d of %d: full topology, at-least-once ...%n",
                  r + 1, o.rounds());
              double full =
                  fullTopology(stack, dir, overrides, input, readings, StreamsConfig.AT_LEAST_ONCE);
              fullEos[0] = Double.NaN;
              if (o.eosThroughput()) {
                err.printf(
                    "biometer bench streams: round %d of %d: full topology, exactly-once ...%n",
                    r + 1, o.rounds());
                fullEos[0] =
                    fullTopology(
                        stack, dir, overrides, input, readings, StreamsConfig.EXACTLY_ONCE_V2);
              }
              return full;
            },
            r -> {
              err.printf(
                  "biometer bench streams: round %d of %d: pass-through ...%n", r + 1, o.rounds());
              return passThrough(stack, dir, overrides, input);
            },
            (r, full, pass) -> {
              err.printf(
                  Locale.ROOT,
                  "biometer bench streams: round %d: full %,.0f, pass-through %,.0f records/s,"
                      + " %.2fx%n",
                  r + 1,
                  full,
                  pass,
                  full / pass);
              eos.add(fullEos[0], pass);
            });
    return new Rounds(alos, eos);
  }

  private static double passThrough(
      LocalStack stack, Path dir, Map<String, Object> overrides, long input) throws Exception {
    TelemetrySerdes serdes = new TelemetrySerdes(stack.registryUrl());
    StreamsBuilder b = new StreamsBuilder();
    b.stream(
            Topics.BODY_READINGS,
            Consumed.with(Serdes.String(), serdes.body).withName("pass-source"))
        .to(PASS_THROUGH, Produced.with(Serdes.String(), serdes.body).withName("pass-sink"));
    // Exactly the Kafka Streams settings of the app at-least-once (clients, handlers, timestamp
    // extractor), so that the two differ by their topologies only.
    Map<String, Object> v =
        StreamsRunConfig.app(
            stack, dir, overrides, "bench-pass", StreamsConfig.AT_LEAST_ONCE, "earliest");
    Properties p = StreamsApp.properties(new StreamsAppConfig(v), PipelineMetrics.noop());
    try (KafkaStreams streams = new KafkaStreams(b.build(), p)) {
      return SteadyRate.of(stack, streams::start, PASS_THROUGH, input, input);
    }
  }

  private static double fullTopology(
      LocalStack stack,
      Path dir,
      Map<String, Object> overrides,
      long input,
      long readings,
      String guarantee)
      throws Exception {
    Map<String, Object> v =
        StreamsRunConfig.app(stack, dir, overrides, "bench-full", guarantee, "earliest");
    StreamsApp[] app = new StreamsApp[1];
    try {
      double rate =
          SteadyRate.of(
              stack,
              () -> app[0] = StreamsApp.start(new StreamsAppConfig(v)),
              Topics.READINGS_CLEAN,
              readings,
              input);
      checkDedup(app[0].metrics(), input, readings);
      return rate;
    } finally {
      if (app[0] != null) {
        app[0].close();
      }
    }
  }

  /**
   * The rate counts clean readings, so a dedup that let copies through would look fast: once every
   * input record went through dedup, exactly one copy of each reading must have passed and the
   * other dropped, or the run is void.
   */
  private static void checkDedup(PipelineMetrics metrics, long input, long readings) {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (metrics.count("biometer.records.in", "step", Dedup.STEP) < input
        && System.nanoTime() < deadline) {
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    }
    double in = metrics.count("biometer.records.in", "step", Dedup.STEP);
    double out = metrics.count("biometer.records.out", "step", Dedup.STEP);
    double dropped =
        metrics.registry().find("biometer.duplicates.dropped").counters().stream()
            .mapToDouble(c -> c.count())
            .sum();
    if (in != input || out != readings || dropped != input - readings) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "full topology: dedup took %.0f of %d records, passed %.0f (expected %d) and dropped"
                  + " %.0f (expected %d); this run's figure is void",
              in,
              input,
              out,
              readings,
              dropped,
              input - readings));
    }
  }
}
