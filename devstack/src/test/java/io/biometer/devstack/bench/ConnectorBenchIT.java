package io.biometer.devstack.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code ./biometer bench connector} end to end at a tiny size: a private stack with the Connect
 * worker, one connector run and its two baselines, a short latency run, and the table.
 */
class ConnectorBenchIT {

  @Test
  void theBenchRunsAndPrintsItsTable() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc =
        ConnectorBench.run(
            new String[] {"--quick", "--readings=10000", "--rounds=1", "--seconds=3"},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String table = out.toString(StandardCharsets.UTF_8);
    String progress = err.toString(StandardCharsets.UTF_8);
    assertThat(rc).as(progress).isZero();
    assertThat(table)
        .contains("| measure | biometer | baseline (same run, same stack) | ratio | target |")
        .contains("| rows/s, round 1: connector |")
        .contains("best of 1")
        .contains("allowed.lag 250 ms")
        .containsPattern(
            "\\| event-to-queryable-row p50 / p99 / max, 10,000 readings/s \\| \\d+ / \\d+ / \\d+"
                + " ms \\|");
    // Every reading sent after the warm-up became visible and was measured.
    assertThat(table).containsPattern("\\| ([\\d,]+) / \\1; ");
    assertThat(progress).contains("r1: connector (real worker)").contains("r1: (a) ILP client");
  }
}
