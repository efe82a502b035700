package io.biometer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The commands bench's options and rows: the target is the baseline's p99 plus 50 ms, judged only
 * at 10,000 devices and 1,000 commands/s; a lost or doubled command fails the run at any size.
 */
class CommandsRowsTest {

  private static final Machine MACHINE =
      new Machine("CPU", 2, 8, "JDK", "", 1024, "Linux", 0, 0, 0, 0);

  private static final long MS = 1_000_000;

  /** {@code n} commands, each received {@code latencyMs} after it was due; one of them late. */
  private static CommandLedger.Summary run(int n, long latencyMs, long p99Ms, int lost) {
    CommandLedger l = new CommandLedger(true);
    for (int i = 0; i < n; i++) {
      String id = "c" + i;
      l.sent(id, i * MS, true);
      if (i >= lost) {
        long ms = i % 50 == 0 ? p99Ms : latencyMs;
        l.received(id, i * MS + ms * MS);
        l.answered(id, i * MS + 2 * ms * MS);
      }
    }
    return l.summary();
  }

  private static BenchReport report(BenchReport.Builder b) {
    return b.build("./biometer bench commands", "t", 1, MACHINE);
  }

  @Test
  void theDefaultsAreTheIssues() {
    CommandsOptions o = CommandsOptions.parse(new String[0]);
    assertThat(o.devices()).isEqualTo(10_000);
    assertThat(o.rate()).isEqualTo(1_000);
    assertThat(o.run()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.warmUp()).isEqualTo(Duration.ofSeconds(5));
    assertThat(o.atTarget()).isTrue();
    CommandsOptions quick = CommandsOptions.parse(new String[] {"--quick", "--devices=200"});
    assertThat(quick.run()).isEqualTo(Duration.ofSeconds(10));
    assertThat(quick.atTarget()).isFalse();
  }

  @Test
  void aWrongArgumentIsNamed() {
    assertThatThrownBy(() -> CommandsOptions.parse(new String[] {"--devices=0"}))
        .hasMessageContaining("--devices=0: expected a positive whole number");
    assertThatThrownBy(() -> CommandsOptions.parse(new String[] {"--rate=lots"}))
        .hasMessageContaining("--rate=lots");
    assertThatThrownBy(() -> CommandsOptions.parse(new String[] {"--connections=5"}))
        .hasMessageContaining("unknown argument '--connections=5'");
    assertThatThrownBy(() -> CommandsOptions.parse(new String[] {"--rate=1000000"}))
        .hasMessageContaining("at most 100,000 commands/s");
    assertThatThrownBy(() -> CommandsOptions.parse(new String[] {"commands.enabled=false"}))
        .hasMessageContaining("command routing on");
    assertThatThrownBy(() -> CommandsOptions.parse(new String[] {"no.such.key=1"}))
        .hasMessageContaining("gateway config");
    assertThat(BenchApp.run(new String[] {"commands", "--devices=x"}, System.out, System.err))
        .isEqualTo(ExitCode.USAGE.code());
  }

  @Test
  void theTargetIsTheBaselinesP99PlusFiftyMilliseconds() {
    assertThat(CommandsRows.latencyJudgement(62, 12, true).verdict()).isEqualTo(Verdict.MEETS);
    assertThat(CommandsRows.latencyJudgement(62.5, 12, true).verdict()).isEqualTo(Verdict.MISSES);
    assertThat(CommandsRows.latencyJudgement(62, 12, true).cell())
        .isEqualTo("p99 <= baseline p99 + 50 ms = 62 ms");
    assertThat(CommandsRows.latencyJudgement(900, 12, false).verdict())
        .isEqualTo(Verdict.NO_VERDICT);
    assertThat(Target.find("commands", "p99 <= baseline p99 + 50 ms = 1,062 ms"))
        .contains(Target.COMMANDS_LATENCY);
  }

  @Test
  void atTheIssuesConditionsTheLatencyIsJudgedAgainstTheBaseline() {
    BenchReport.Builder b = new BenchReport.Builder();
    new CommandsRows(b)
        .latency(
            run(1_000, 10, 40, 0),
            run(1_000, 2, 5, 0),
            CommandsOptions.parse(new String[0]),
            0.1,
            0.1);
    BenchReport r = report(b);
    BenchReport.Row latency = r.rows().get(0);
    assertThat(latency.section()).isEqualTo("commands");
    assertThat(latency.figure()).isEqualTo("10.0 / 40.0 / 40.0 / 40.0 ms");
    assertThat(latency.baseline()).contains("2.0 / 5.0 / 5.0 / 5.0 ms");
    assertThat(latency.target()).isEqualTo("p99 <= baseline p99 + 50 ms = 55 ms");
    assertThat(latency.verdict()).isEqualTo(Verdict.MEETS);
    // 80 ms is 80.1 to the histogram's 3 significant digits.
    assertThat(r.rows().get(1).figure()).isEqualTo("20.0 / 80.1 / 80.1 / 80.1 ms");
    assertThat(r.rows().get(2).verdict()).isEqualTo(Verdict.MEETS);
    assertThat(r.rows().get(2).figure()).startsWith("0 lost, 0 twice: 1,000 sent");
    assertThat(r.succeeded()).isTrue();
    assertThat(r.unknownTargets()).isEmpty();
    assertThat(r.ownRun()).isEqualTo("commands");
  }

  @Test
  void aLostCommandFailsTheRunAtAnySize() {
    BenchReport.Builder b = new BenchReport.Builder();
    new CommandsRows(b)
        .latency(
            run(1_000, 10, 40, 3),
            run(1_000, 2, 5, 0),
            CommandsOptions.parse(new String[] {"--devices=50"}),
            0.1,
            0.1);
    BenchReport r = report(b);
    assertThat(r.rows().get(0).verdict()).isEqualTo(Verdict.NO_VERDICT);
    assertThat(r.rows().get(2).verdict()).isEqualTo(Verdict.FAILS);
    assertThat(r.rows().get(2).figure()).startsWith("3 lost, 0 twice");
    assertThat(r.succeeded()).isFalse();
  }

  @Test
  void aBaselineThatLostRecordsIsVoid() {
    BenchReport.Builder b = new BenchReport.Builder();
    new CommandsRows(b)
        .latency(
            run(100, 10, 40, 0), run(100, 2, 5, 1), CommandsOptions.parse(new String[0]), 0.1, 0.1);
    assertThat(report(b).failures()).anyMatch(f -> f.contains("the baseline is void"));
  }
}
