package io.biometer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * Each bench's rows, built from made-up measurements as a full run makes them: every row with a
 * target refers to an entry of {@link Target}, and the rows are those of the committed run.
 */
class BenchRowsTest {

  private static final Machine MACHINE =
      new Machine("CPU", 2, 8, "JDK", "", 1024, "Linux", 0, 0, 0, 0);

  private static BenchReport committed() throws Exception {
    return BenchReport.parse(Files.readString(Path.of("..").resolve(BenchApp.PERFORMANCE_JSON)));
  }

  private static List<String> measures(BenchReport r) {
    return r.rows().stream().map(row -> row.section() + ": " + row.measure()).toList();
  }

  /** The rows refer to the table of targets and are rows of the committed run. */
  private static BenchReport check(BenchReport.Builder b, Target... expected) throws Exception {
    BenchReport r = b.build("c", "t", 1, MACHINE);
    assertThat(r.unknownTargets()).isEmpty();
    assertThat(
            r.rows().stream()
                .filter(row -> !row.target().isEmpty())
                .map(row -> Target.find(row.section(), row.target()).orElseThrow())
                .toList())
        .containsExactly(expected);
    assertThat(measures(committed())).containsAll(measures(r));
    return r;
  }

  private static PairedRounds rounds(double figure, double baseline, int pairs) {
    PairedRounds p = new PairedRounds();
    for (int i = 0; i < pairs; i++) {
      p.add(figure, baseline);
    }
    return p;
  }

  private static Histogram latency(long... ms) {
    Histogram h = new Histogram(60_000, 3);
    for (long v : ms) {
      h.recordValue(v);
    }
    return h;
  }

  @Test
  void simulatorRows() throws Exception {
    BenchReport.Builder b = new BenchReport.Builder();
    SimulatorRows.heap(b, 248);
    SimulatorRows.add(
        b,
        SimulatorOptions.parse(new String[0]),
        6,
        rounds(880_000, 1_400_000, 5),
        new double[] {34_790, 34_795},
        138,
        14_000_000);
    BenchReport r = check(b, Target.SIMULATOR_HEAP, Target.SIMULATOR_THROUGHPUT);
    assertThat(r.rows()).extracting(BenchReport.Row::verdict).startsWith(Verdict.MEETS);
    assertThat(r.rows().get(1).verdict()).isEqualTo(Verdict.MISSES);
  }

  @Test
  void streamsRows() throws Exception {
    BenchReport.Builder b = new BenchReport.Builder();
    AlertLatency alos =
        new AlertLatency(latency(12, 16), latency(6), latency(40), 2, 5, 100, latency(300), 0);
    AlertLatency eos =
        new AlertLatency(latency(70, 147), latency(60), latency(200), 2, 5, 100, latency(428), 0);
    StreamsRows.add(
        b,
        6,
        StreamsOptions.parse(new String[0]).withoutCacheRun(),
        1,
        600_000,
        rounds(263_565, 483_292, 5),
        rounds(116_234, 483_292, 5),
        alos,
        eos,
        null,
        latency(102));
    BenchReport r =
        check(
            b,
            Target.STREAMS_THROUGHPUT,
            Target.ALERT_LATENCY_AT_LEAST_ONCE,
            Target.ALERT_LATENCY_EXACTLY_ONCE,
            Target.ROW_LATENCY,
            Target.ROW_LATENCY);
    assertThat(r.rows().stream().filter(row -> row.target().contains("floor")).findFirst())
        .hasValueSatisfying(
            row -> {
              assertThat(row.target()).isEqualTo("p99 <= floor + 30 ms = 132 ms");
              assertThat(row.verdict()).isEqualTo(Verdict.MISSES);
            });
  }

  @Test
  void connectorRows() throws Exception {
    BenchReport.Builder b = new BenchReport.Builder();
    ConnectorRows.add(
        b,
        6,
        ConnectorOptions.parse(new String[0]),
        Map.of("allowed.lag", "250"),
        400_000,
        rounds(262_574, 428_675, 5),
        rounds(262_574, 545_799, 5),
        new ConnectorLatencyRun.Latency(latency(162, 300), latency(500), 200_000, 0, 1000, 3));
    BenchReport r = check(b, Target.CONNECTOR_THROUGHPUT, Target.CONNECTOR_LATENCY);
    assertThat(r.missed()).hasSize(1);
  }

  @Test
  void endToEndRowsAndTheReferenceRunWithoutATarget() throws Exception {
    for (boolean reference : new boolean[] {false, true}) {
      EndToEndOptions o = EndToEndOptions.parse(new String[0]);
      if (reference) {
        o = o.reference(Map.of("alerts.silent.factor", "100"));
      }
      EndToEndRun run = new EndToEndRun();
      run.t0 = 0;
      run.sendEnd = 60_000_000_000L;
      run.samples.add(new double[] {0, 0, 0, 0});
      run.samples.add(new double[] {60e9, 3_000_000, 3_000_000, 2_000_000});
      run.drainSeconds = 30;
      run.input = new ReadingLedger();
      run.clean = new ReadingLedger();
      for (int s = 0; s < 10; s++) {
        run.input.add("d", s, 1);
        run.input.add("d", s, 1);
        run.clean.add("d", s, 1);
      }
      run.simReadings = 10;
      run.simCopies = 20;
      run.rows = 10;
      run.distinctRows = 10;
      BenchReport.Builder b = new BenchReport.Builder();
      EndToEndRows.add(b, o, 14_370, 50_001, run);
      BenchReport r =
          reference
              ? check(b, Target.END_TO_END_LOSS)
              : check(b, Target.END_TO_END_THROUGHPUT, Target.END_TO_END_LOSS);
      assertThat(r.succeeded()).isTrue();
      assertThat(r.missed()).hasSize(reference ? 0 : 1);
    }
  }
}
