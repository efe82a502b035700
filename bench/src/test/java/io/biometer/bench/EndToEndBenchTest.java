package io.biometer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The end-to-end bench's arithmetic: population, windowed rates, the loss and duplicate ledger. */
class EndToEndBenchTest {

  @Test
  void fiftyThousandReadingsASecondIs14370PatientsAtCatalogueCadence() {
    // Per patient: SpO2, EEG and EMG every second, blood pressure, pacemaker and temperature every
    // 10 s, ECG every 7 s, hydration and lactate every minute, glucose every 5 minutes.
    double perPatient = 3 + 0.3 + 1 / 7.0 + 2 / 60.0 + 1 / 300.0;
    assertThat(EndToEndBench.readingsPerPatient()).isCloseTo(perPatient, within(1e-9));
    assertThat(EndToEndBench.patients(50_000)).isEqualTo(14_370);
  }

  @Test
  void aRateTakesTheLastSampleAtOrBeforeEachEndOfTheWindow() {
    // {nanos, readings, clean, rows}: rows land in steps of 1,000 every 500 ms.
    List<double[]> samples =
        List.of(
            new double[] {0, 0, 0, 0},
            new double[] {500e6, 500, 400, 1000},
            new double[] {1000e6, 1000, 900, 1000},
            new double[] {1500e6, 1500, 1400, 2000},
            new double[] {2000e6, 2000, 1900, 3000});
    assertThat(EndToEndRun.rate(samples, 1, 500e6, 2000e6)).isEqualTo(1000.0);
    // From 0.7 s (1,000 rows) to 1.9 s (2,000 rows): 1,000 rows in 1.2 s.
    assertThat(EndToEndRun.rate(samples, 3, 700e6, 1900e6)).isCloseTo(833.33, within(0.01));
  }

  @Test
  void theLedgerCountsRecordsDistinctReadingsCopiesAndRows() {
    ReadingLedger t = new ReadingLedger();
    t.add("a", 0, 2);
    t.add("a", 0, 2);
    t.add("a", 1, 2);
    t.add("b", 0, 1);
    t.add("b", 0, 1);
    t.add("b", 0, 1);
    assertThat(t.records()).isEqualTo(6);
    assertThat(t.distinct()).isEqualTo(3);
    assertThat(t.twice()).isEqualTo(2);
    assertThat(t.rows()).isEqualTo(5);
  }

  @Test
  void missingReadingsAreThoseOfOneSideTheOtherLacks() {
    ReadingLedger in = new ReadingLedger();
    ReadingLedger out = new ReadingLedger();
    in.add("a", 0, 1);
    in.add("a", 1, 1);
    in.add("b", 7, 1);
    out.add("a", 1, 1);
    out.add("c", 3, 1);
    assertThat(in.missingFrom(out)).isEqualTo(2);
    assertThat(out.missingFrom(in)).isEqualTo(1);
  }

  @Test
  void aSequenceTheLedgerCannotHoldIsRefused() {
    assertThatThrownBy(() -> new ReadingLedger().add("a", -1, 1))
        .hasMessageContaining("sequence -1 of a");
  }

  @Test
  void argumentsSetLengthRateAndGuarantee() {
    EndToEndOptions o =
        EndToEndOptions.parse(
            new String[] {"--seconds=30", "--rate=20000", "--guarantee=at_least_once"});
    assertThat(o.run()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.rate()).isEqualTo(20_000);
    assertThat(o.guarantee()).isEqualTo("at_least_once");
    assertThat(EndToEndOptions.parse(new String[0]).guarantee()).isEqualTo("exactly_once_v2");
    assertThat(EndToEndOptions.parse(new String[] {"--quick"}).run())
        .isEqualTo(Duration.ofSeconds(10));
    assertThatThrownBy(() -> EndToEndOptions.parse(new String[] {"--guarantee=none"}))
        .hasMessageContaining("--guarantee=none");
  }

  @Test
  void aReferenceRunAddsItsConfigAndGivesNoVerdict() {
    EndToEndOptions o = EndToEndOptions.parse(new String[] {"--quick"});
    EndToEndOptions r = o.reference(java.util.Map.of("alerts.silent.factor", "100"));
    assertThat(o.reference()).isFalse();
    assertThat(r.reference()).isTrue();
    assertThat(r.overrides()).containsEntry("alerts.silent.factor", "100");
    assertThat(r.run()).isEqualTo(o.run());
  }
}
