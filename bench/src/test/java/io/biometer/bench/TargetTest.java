package io.biometer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The table of targets: the cells the rows state, the verdicts, and rows that refer to it. */
class TargetTest {

  private static final Machine MACHINE =
      new Machine("CPU", 2, 8, "JDK", "", 1024, "Linux", 0, 0, 0, 0);

  @Test
  void everyRowOfTheCommittedRunWithATargetRefersToAnEntry() throws Exception {
    BenchReport run =
        BenchReport.parse(Files.readString(Path.of("..").resolve(BenchApp.PERFORMANCE_JSON)));
    assertThat(run.unknownTargets()).isEmpty();
    long withTarget = run.rows().stream().filter(r -> !r.target().isEmpty()).count();
    assertThat(withTarget).isEqualTo(12);
  }

  @Test
  void everyEntryStatesItsThresholdUnitAndReason() {
    for (Target t : Target.values()) {
      assertThat(t.reason()).as(t.name()).isNotBlank();
      assertThat(t.figure()).as(t.name()).isNotBlank();
      assertThat(
              java.util.stream.Stream.concat(
                  BenchReport.SECTIONS.stream(), BenchReport.OWN_RUN_SECTIONS.stream()))
          .as(t.name())
          .contains(t.section());
      if (!t.relative()) {
        assertThat(Target.find(t.section(), t.cell())).as(t.name()).contains(t);
      }
    }
  }

  @Test
  void theCellsAreWrittenFromTheThresholds() {
    assertThat(Target.SIMULATOR_HEAP.cell()).isEqualTo("<= 2,048 B");
    assertThat(Target.SIMULATOR_THROUGHPUT.cell()).isEqualTo(">= 0.90x");
    assertThat(Target.STREAMS_THROUGHPUT.cell()).isEqualTo(">= 0.70x");
    assertThat(Target.CONNECTOR_LATENCY.cell()).isEqualTo("p99 <= 1,000 ms");
    assertThat(Target.ALERT_LATENCY_AT_LEAST_ONCE.cell()).isEqualTo("p99 <= 50 ms");
    assertThat(Target.ALERT_LATENCY_EXACTLY_ONCE.cell(102))
        .isEqualTo("p99 <= floor + 30 ms = 132 ms");
    assertThat(Target.END_TO_END_THROUGHPUT.cell())
        .isEqualTo(">= 50,000 readings/s (100,000 records/s in), kept up");
    assertThat(Target.END_TO_END_LOSS.cell()).isEqualTo("zero loss, zero duplicates");
    assertThat(Target.INGRESS_MQTT_THROUGHPUT.cell()).isEqualTo(">= 30,000 msg/s");
    assertThat(Target.INGRESS_MQTT_LATENCY.cell()).isEqualTo("p99 <= 50 ms");
    assertThat(Target.INGRESS_HEAP.cell()).isEqualTo("<= 20,480 B");
    assertThat(Target.INGRESS_LOSS.cell()).isEqualTo("none missing");
    assertThat(Target.COMMANDS_LATENCY.cell(12.4)).isEqualTo("p99 <= baseline p99 + 50 ms = 62 ms");
    assertThat(Target.COMMANDS_LOSS.cell()).isEqualTo("none lost, none twice");
    // The same cell in another section is another target.
    assertThat(Target.find("ingress", "p99 <= 50 ms")).contains(Target.INGRESS_MQTT_LATENCY);
    assertThat(Target.find("latency", "p99 <= 50 ms")).contains(Target.ALERT_LATENCY_AT_LEAST_ONCE);
  }

  @Test
  void anIngressMissingReadingFailsTheRun() {
    assertThat(Target.INGRESS_LOSS.judge(0).verdict()).isEqualTo(Verdict.MEETS);
    assertThat(Target.INGRESS_LOSS.judge(1).verdict()).isEqualTo(Verdict.FAILS);
    assertThat(Target.INGRESS_MQTT_THROUGHPUT.judge(29_999).verdict()).isEqualTo(Verdict.MISSES);
    assertThat(Target.INGRESS_MQTT_THROUGHPUT.judge(30_000).verdict()).isEqualTo(Verdict.MEETS);
  }

  @Test
  void aRatioNeedsFivePairsForAVerdict() {
    PairedRounds four = new PairedRounds();
    PairedRounds five = new PairedRounds();
    for (int i = 0; i < 5; i++) {
      five.add(69, 100);
      if (i < 4) {
        four.add(99, 100);
      }
    }
    assertThat(Target.STREAMS_THROUGHPUT.judge(four.summary()).verdict())
        .isEqualTo(Verdict.NO_VERDICT);
    assertThat(Target.STREAMS_THROUGHPUT.judge(five.summary()).verdict()).isEqualTo(Verdict.MISSES);
    assertThat(Target.SIMULATOR_THROUGHPUT.judge(new PairedRounds().summary()).verdict())
        .isEqualTo(Verdict.NO_VERDICT);
  }

  @Test
  void aLatencyIsMetAtTheThresholdOnlyIfEveryReadingWasSeen() {
    assertThat(Target.ROW_LATENCY.judge(1000, true).verdict()).isEqualTo(Verdict.MEETS);
    assertThat(Target.ROW_LATENCY.judge(1001, true).verdict()).isEqualTo(Verdict.MISSES);
    assertThat(Target.ROW_LATENCY.judge(300, false).verdict()).isEqualTo(Verdict.MISSES);
    assertThat(Target.ROW_LATENCY.judge(Double.NaN).verdict()).isEqualTo(Verdict.NO_VERDICT);
  }

  @Test
  void theExactlyOnceTargetIsTheFloorPlus30MsAndNeedsAFloor() {
    Target t = Target.ALERT_LATENCY_EXACTLY_ONCE;
    assertThat(t.judge(132, 102).verdict()).isEqualTo(Verdict.MEETS);
    assertThat(t.judge(147, 102).verdict()).isEqualTo(Verdict.MISSES);
    assertThat(t.judge(10, -1).verdict()).isEqualTo(Verdict.NO_VERDICT);
    assertThat(t.judge(10, -1).cell()).isEqualTo("p99 <= floor + 30 ms = 29 ms");
    assertThat(Target.find("latency", "p99 <= floor + 30 ms = 1,030 ms")).contains(t);
    assertThat(Target.find("latency", "p99 <= floor + 40 ms = 132 ms")).isEmpty();
  }

  @Test
  void theEndToEndRateAllows2PercentAndMustKeepUp() {
    Target t = Target.END_TO_END_THROUGHPUT;
    assertThat(t.judge(49_000, true).verdict()).isEqualTo(Verdict.MEETS);
    assertThat(t.judge(48_999, true).verdict()).isEqualTo(Verdict.MISSES);
    assertThat(t.judge(60_000, false).verdict()).isEqualTo(Verdict.MISSES);
  }

  @Test
  void aLossFailsTheRunRatherThanMissingATarget() {
    assertThat(Target.END_TO_END_LOSS.judge(0).verdict()).isEqualTo(Verdict.MEETS);
    assertThat(Target.END_TO_END_LOSS.judge(2).verdict()).isEqualTo(Verdict.FAILS);
    BenchReport r =
        new BenchReport.Builder()
            .row("loss", "3 lost", "-", "", "", Target.END_TO_END_LOSS.judge(1), Map.of())
            .build("c", "t", 1, MACHINE);
    assertThat(r.succeeded()).isFalse();
    assertThat(r.rows().get(0).section()).isEqualTo("end-to-end");
  }

  @Test
  void theReadmeIsNotGeneratedFromARunWithATargetNobodySet() {
    BenchReport r =
        new BenchReport.Builder()
            .row("streams", "records/s", "1", "-", "", "", ">= 0.75x", Verdict.MISSES, Map.of())
            .build("c", "t", 1, MACHINE);
    assertThat(Target.find("streams", ">= 0.75x")).isEmpty();
    assertThatThrownBy(
            () -> r.readme(BenchReport.README_BEGIN + "\n" + BenchReport.README_END + "\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("streams: records/s: >= 0.75x");
  }
}
