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
 * {@code ./biometer bench --tiny}: every benchmark on one stack, one table with every row, the
 * end-to-end run's loss and duplicate check holding, the JSON reading back to the same table.
 */
class WholeBenchIT {

  @TempDir Path out;

  @Test
  void everyBenchRunsOnOneStackIntoOneTable() throws Exception {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc =
        BenchApp.run(
            new String[] {"--tiny", "--out=" + out},
            new PrintStream(stdout, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String table = stdout.toString(StandardCharsets.UTF_8);
    String progress = err.toString(StandardCharsets.UTF_8);
    assertThat(rc).as(progress).isZero();
    assertThat(table)
        .contains("| simulator: records/s, flat out")
        .contains("| simulator: heap per virtual sensor")
        .contains("| streams: records/s, full topology, at-least-once")
        .contains("| connector: rows/s through Connect")
        .contains("| connector: rows/s through Connect against QuestDB's ingest limit")
        .contains("| end-to-end: readings/s landed in QuestDB while the load runs")
        .containsPattern("\\| end-to-end: loss and duplicates[^|]+\\| 0 lost, 0 duplicated: ")
        .contains("| latency: event-to-alert p50 / p99 / p99.9, at-least-once")
        .contains("| latency: event-to-alert p50 / p99 / p99.9, exactly-once")
        .contains("| latency: event-to-row p50 / p99 / p99.9")
        .contains("Machine: ")
        .doesNotContain("**Failed:**");
    // One round each: a ratio but no verdict.
    assertThat(table).contains("1 pairs | >= 0.90x | no verdict |");
    BenchReport back = BenchReport.parse(Files.readString(out.resolve("bench.json")));
    assertThat(back.markdown()).isEqualTo(Files.readString(out.resolve("bench.md")));
    assertThat(back.succeeded()).isTrue();
  }
}
