package io.biometer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench table as Markdown and JSON, and the README section generated from the JSON. */
class BenchReportTest {

  @TempDir Path dir;

  private static final Machine MACHINE =
      new Machine(
          "Test CPU", 2, 23.5, "OpenJDK 17", "-Xmx1g", 1024, "Linux 6", 0.5, 1.25, 1.9, 0.05);

  private static BenchReport report() {
    return new BenchReport.Builder()
        .row(
            "latency",
            "event-to-alert p50 / p99 / p99.9",
            "12 / 20 / 36 ms",
            "-",
            "",
            "",
            "p99 <= 50 ms",
            Verdict.MEETS,
            Map.of("p99Ms", 20))
        .row(
            "simulator",
            "records/s, flat out",
            "700,000",
            "Kafka's `ProducerPerformance`: 750,000",
            "0.93x",
            "min-max 0.88-0.97x, IQR 0.90-0.95x, 5 pairs",
            ">= 0.90x",
            Verdict.MEETS,
            Map.of("ratios", new double[] {0.88, 0.9, 0.93, 0.95, 0.97}))
        .row(
            "streams",
            "records/s | full topology",
            "300,000",
            "pass-through: 500,000",
            "0.60x",
            "min-max 0.55-0.66x, IQR 0.58-0.62x, 5 pairs",
            ">= 0.70x",
            Verdict.MISSES,
            Map.of())
        .note("streams: 1 stream thread")
        .note("simulator: lz4")
        .build("./biometer bench", "2026-12-01T10:00:00Z", 18.25, MACHINE);
  }

  @Test
  void theTableHasOneRowPerFigureInTheSectionsOrderWithItsVerdict() {
    String table = report().table();
    assertThat(table.lines())
        .containsExactly(
            "| measure | biometer | baseline (same run, same stack) | ratio (median) | spread of the"
                + " ratio | target | verdict |",
            "| --- | --- | --- | --- | --- | --- | --- |",
            "| simulator: records/s, flat out | 700,000 | Kafka's `ProducerPerformance`: 750,000 |"
                + " 0.93x | min-max 0.88-0.97x, IQR 0.90-0.95x, 5 pairs | >= 0.90x | meets |",
            "| streams: records/s \\| full topology | 300,000 | pass-through: 500,000 | 0.60x |"
                + " min-max 0.55-0.66x, IQR 0.58-0.62x, 5 pairs | >= 0.70x | misses |",
            "| latency: event-to-alert p50 / p99 / p99.9 | 12 / 20 / 36 ms | - |  |  | p99 <= 50 ms"
                + " | meets |");
  }

  @Test
  void theMarkdownStatesCommandMachineAndNotesInSectionOrder() {
    String md = report().markdown();
    assertThat(md)
        .startsWith("`./biometer bench`, started 2026-12-01T10:00:00Z, took 18.3 min. Machine: 2")
        .contains("23.5 GiB RAM, OpenJDK 17 (bench JVM: max heap 1,024 MiB, -Xmx1g), Linux 6")
        .contains("1.90 cores by the bench, 0.05 cores by other processes")
        .contains("- simulator: lz4\n- streams: 1 stream thread\n")
        .doesNotContain("Failed");
  }

  @Test
  void aFailedCheckIsAFailureOfTheRun() {
    BenchReport r =
        new BenchReport.Builder()
            .row("end-to-end", "loss", "3 lost", "-", "", "", "zero", Verdict.FAILS, Map.of())
            .failure("connector: error: boom")
            .build("c", "t", 1, MACHINE);
    assertThat(r.succeeded()).isFalse();
    assertThat(r.failures()).containsExactly("end-to-end: loss: 3 lost", "connector: error: boom");
    assertThat(r.markdown()).contains("**Failed:**\n- end-to-end: loss: 3 lost\n");
    assertThat(r.table()).contains("| zero | FAILS |");
  }

  @Test
  void theJsonReadsBackToTheSameTable() throws Exception {
    BenchReport r = report();
    BenchReport back = BenchReport.parse(r.json());
    assertThat(back.markdown()).isEqualTo(r.markdown());
    assertThat(back.rows().get(0).values()).containsKey("ratios");
    assertThat(r.json()).contains("\"verdict\" : \"MEETS\"").contains("\"cores\" : 2");
  }

  @Test
  void writeLeavesJsonAndMarkdownInTheFolder() throws Exception {
    var files = report().write(dir.resolve("out"), "bench");
    assertThat(files).containsExactly(dir.resolve("out/bench.json"), dir.resolve("out/bench.md"));
    assertThat(Files.readString(files.get(1))).isEqualTo(report().markdown());
  }

  @Test
  void theReadmeSectionBetweenTheMarkersIsReplacedAndTheRestKept() {
    String readme =
        "# x\n\n## Performance\n\nbefore\n"
            + BenchReport.README_BEGIN
            + "\nold table\n"
            + BenchReport.README_END
            + "\nafter\n";
    String updated = report().readme(readme);
    assertThat(updated)
        .startsWith("# x\n\n## Performance\n\nbefore\n" + BenchReport.README_BEGIN + "\n")
        .contains(report().markdown())
        .endsWith(BenchReport.README_END + "\nafter\n")
        .doesNotContain("old table");
    assertThat(report().readme(updated)).isEqualTo(updated);
  }

  @Test
  void aReadmeWithoutTheMarkersIsRefusedWithWhatToAdd() {
    assertThatThrownBy(() -> report().readme("# no markers\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(BenchReport.README_BEGIN)
        .hasMessageContaining(BenchReport.README_END);
  }
}
