package io.biometer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the bench exits with: failures first, then missed targets, then success. */
class ExitCodeTest {

  private static final Machine MACHINE =
      new Machine("CPU", 2, 8, "JDK", "", 1024, "Linux", 0, 0, 0, 0);

  private static BenchReport.Builder row(BenchReport.Builder b, Verdict verdict) {
    return b.row("streams", "records/s", "1", "2", "0.5x", "", ">= 0.70x", verdict, Map.of());
  }

  private static ExitCode exit(BenchReport.Builder b) {
    return ExitCode.of(b.build("c", "t", 1, MACHINE));
  }

  @Test
  void aRunThatMetEveryTargetExitsZero() {
    BenchReport.Builder b = row(new BenchReport.Builder(), Verdict.MEETS);
    row(b, Verdict.NO_VERDICT);
    row(b, Verdict.NONE);
    assertThat(exit(b)).isEqualTo(ExitCode.OK);
    assertThat(ExitCode.OK.code()).isZero();
  }

  @Test
  void aMissedTargetExitsThree() {
    BenchReport.Builder b = row(row(new BenchReport.Builder(), Verdict.MEETS), Verdict.MISSES);
    assertThat(exit(b)).isEqualTo(ExitCode.MISSED_TARGET);
    assertThat(ExitCode.MISSED_TARGET.code()).isEqualTo(3);
    assertThat(b.build("c", "t", 1, MACHINE).missed())
        .containsExactly("streams: records/s: 1 (>= 0.70x)");
  }

  @Test
  void aFailureOutranksAMissedTargetAndExitsOne() {
    BenchReport.Builder b = row(new BenchReport.Builder(), Verdict.MISSES).failure("e2e: error");
    assertThat(exit(b)).isEqualTo(ExitCode.FAILED);
    assertThat(exit(row(new BenchReport.Builder(), Verdict.FAILS))).isEqualTo(ExitCode.FAILED);
    assertThat(ExitCode.FAILED.code()).isEqualTo(1);
  }

  @Test
  void aSmokeRunGivesNoVerdictSoItsMissesDoNotCountButItsFailuresDo() {
    BenchReport.Builder b = new BenchReport.Builder().smokeRun();
    row(row(b, Verdict.MISSES), Verdict.MEETS);
    BenchReport r = b.build("c", "t", 1, MACHINE);
    assertThat(r.rows()).extracting(BenchReport.Row::verdict).containsOnly(Verdict.NO_VERDICT);
    assertThat(ExitCode.of(r)).isEqualTo(ExitCode.OK);
    assertThat(exit(row(new BenchReport.Builder().smokeRun(), Verdict.FAILS)))
        .isEqualTo(ExitCode.FAILED);
  }

  @Test
  void aWrongArgumentExitsTwoBeforeAnyStackStarts() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    for (String bench : new String[] {"streams", "connector", "e2e", "simulator"}) {
      int rc =
          BenchApp.run(
              new String[] {bench, "--fast"},
              out,
              new PrintStream(err, true, StandardCharsets.UTF_8));
      assertThat(rc).as(bench).isEqualTo(ExitCode.USAGE.code()).isEqualTo(2);
    }
    assertThat(BenchApp.run(new String[] {"--fast"}, out, out)).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("biometer bench streams: unknown argument '--fast'; try ./biometer bench --help")
        .contains("biometer bench e2e: unknown argument '--fast'");
  }

  @Test
  void theHelpListsEveryExitCode() {
    ByteArrayOutputStream help = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(help, true, StandardCharsets.UTF_8);
    assertThat(BenchApp.run(new String[] {"--help"}, out, out)).isZero();
    assertThat(help.toString(StandardCharsets.UTF_8))
        .contains("exit codes:")
        .contains("  0  every check held")
        .contains("  1  something failed")
        .contains("  2  the command line was wrong")
        .contains("  3  the run succeeded but a figure missed its target");
  }
}
