package io.biometer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./biometer bench connector} end to end at a tiny size: a private stack with the Connect
 * worker, one connector run and its two baselines, a short latency run, and the table.
 */
class ConnectorBenchIT {

  @TempDir Path out;

  @Test
  void theBenchRunsAndPrintsItsTable() throws Exception {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc =
        ConnectorBench.run(
            new String[] {"--quick", "--readings=10000", "--rounds=1", "--seconds=3"},
            out,
            new PrintStream(stdout, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String table = stdout.toString(StandardCharsets.UTF_8);
    String progress = err.toString(StandardCharsets.UTF_8);
    assertThat(rc).as(progress).isZero();
    assertThat(table)
        .contains(
            "| measure | biometer | baseline (same run, same stack) | ratio (median) | spread of"
                + " the ratio | target | verdict |")
        .contains("| connector: rows/s through Connect (AvroConverter + QuestDB sink")
        // One round is too few for a verdict; at this size the sink may land every row in one
        // flush, which gives no rate.
        .containsPattern("\\| ([^|]*, 1 pairs|no pair measured) \\| >= 0.70x \\| no verdict \\|")
        .contains("allowed.lag 250 ms")
        .containsPattern(
            "\\| connector: event-to-queryable-row p50 / p99 / p99.9, [^|]+ \\| \\d+ / \\d+ / \\d+"
                + " ms \\|");
    // Every reading sent after the warm-up became visible and was measured.
    assertThat(table).containsPattern("\\(([\\d,]+) readings measured, \\1 sent;");
    assertThat(progress).contains("r1: connector (real worker)").contains("r1: (a) ILP client");
    assertThat(out.resolve("bench-connector.json")).exists();
    assertThat(Files.readString(out.resolve("bench-connector.md"))).contains(table.strip());
  }
}
