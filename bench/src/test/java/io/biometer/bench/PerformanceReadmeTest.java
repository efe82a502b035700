package io.biometer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's "Performance" section is the Markdown of the committed run, {@code
 * docs/performance.json}, as {@code ./biometer bench readme} writes it: a full run of every bench,
 * whose ratios are medians of at least five pairs; its ingress section likewise shows {@code
 * docs/performance-ingress.json}, a full run of {@code ./biometer bench ingress}, and its commands
 * section {@code docs/performance-commands.json}, a full run of {@code ./biometer bench commands}.
 */
class PerformanceReadmeTest {

  private static final Path ROOT = Path.of("..");

  private static BenchReport committed() throws Exception {
    return BenchReport.parse(Files.readString(ROOT.resolve(BenchApp.PERFORMANCE_JSON)));
  }

  @Test
  void theReadmeShowsTheCommittedRunAsGenerated() throws Exception {
    String readme = Files.readString(ROOT.resolve(BenchApp.BENCHMARKS_PAGE));
    assertThat(committed().readme(readme)).isEqualTo(readme);
  }

  @Test
  void theCommittedRunIsAFullRunOfEveryBenchThatSucceeded() throws Exception {
    BenchReport run = committed();
    assertThat(run.command()).isEqualTo("./biometer bench");
    assertThat(run.succeeded()).isTrue();
    assertThat(run.rows()).extracting(BenchReport.Row::section).containsAll(BenchReport.SECTIONS);
    assertThat(run.machine().cores()).isPositive();
  }

  @Test
  void theIngressSectionShowsTheCommittedIngressRunAsGenerated() throws Exception {
    String readme = Files.readString(ROOT.resolve(BenchApp.BENCHMARKS_PAGE));
    BenchReport ingress = committedIngress();
    assertThat(ingress.readme(readme)).isEqualTo(readme);
    assertThat(readme).contains(ingress.table());
  }

  @Test
  void theCommittedIngressRunIsAFullRunThatSucceeded() throws Exception {
    BenchReport run = committedIngress();
    assertThat(run.command()).isEqualTo("./biometer bench ingress");
    assertThat(run.succeeded()).isTrue();
    assertThat(run.rows()).extracting(BenchReport.Row::section).containsOnly("ingress");
    // At the conditions every target has a verdict.
    assertThat(run.rows().stream().filter(r -> !r.target().isEmpty()))
        .hasSize(4)
        .allSatisfy(r -> assertThat(r.verdict()).isIn(Verdict.MEETS, Verdict.MISSES));
    assertThat(run.unknownTargets()).isEmpty();
  }

  @Test
  void theCommandsSectionShowsTheCommittedCommandsRunAsGenerated() throws Exception {
    String readme = Files.readString(ROOT.resolve(BenchApp.BENCHMARKS_PAGE));
    BenchReport commands = committedCommands();
    assertThat(commands.readme(readme)).isEqualTo(readme);
    assertThat(readme).contains(commands.table());
  }

  @Test
  void theCommittedCommandsRunIsAFullRunThatSucceeded() throws Exception {
    BenchReport run = committedCommands();
    assertThat(run.command()).isEqualTo("./biometer bench commands");
    assertThat(run.succeeded()).isTrue();
    assertThat(run.rows()).extracting(BenchReport.Row::section).containsOnly("commands");
    // At the conditions the latency target has a verdict.
    assertThat(run.rows().stream().filter(r -> !r.target().isEmpty()))
        .hasSize(2)
        .allSatisfy(r -> assertThat(r.verdict()).isIn(Verdict.MEETS, Verdict.MISSES));
    assertThat(run.unknownTargets()).isEmpty();
  }

  private static BenchReport committedCommands() throws Exception {
    return BenchReport.parse(Files.readString(ROOT.resolve(BenchApp.PERFORMANCE_COMMANDS_JSON)));
  }

  private static BenchReport committedIngress() throws Exception {
    return BenchReport.parse(Files.readString(ROOT.resolve(BenchApp.PERFORMANCE_INGRESS_JSON)));
  }

  @Test
  void everyRatioOfTheCommittedRunIsAMedianOfAtLeastFivePairs() throws Exception {
    for (BenchReport.Row r : committedIngress().rows()) {
      if (!r.spread().isEmpty()) {
        assertThat(((Number) r.values().get("pairs")).intValue())
            .as(r.measure())
            .isGreaterThanOrEqualTo(5);
      }
    }
    for (BenchReport.Row r : committed().rows()) {
      if (!r.spread().isEmpty()) {
        Object pairs = r.values().get("pairs");
        assertThat(((Number) pairs).intValue()).as(r.measure()).isGreaterThanOrEqualTo(5);
      }
    }
  }
}
