package io.biometer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The ratio of paired rounds: median of the rounds' own ratios, spread, verdict, order. */
class PairedRoundsTest {

  @Test
  void theOrderAlternatesFromRoundToRound() {
    assertThat(PairedRounds.figureFirst(0)).isTrue();
    assertThat(PairedRounds.figureFirst(1)).isFalse();
    assertThat(PairedRounds.figureFirst(2)).isTrue();
    assertThat(PairedRounds.figureFirst(3)).isFalse();
  }

  @Test
  void theRatioIsTheMedianOfEachRoundsRatioNotTheRatioOfMedians() {
    // Ratios 1.0, 2.0 and 0.5: their median is 1.0; the medians' ratio would be 200 / 100 = 2.0.
    PairedRounds r = new PairedRounds().add(100, 100).add(200, 100).add(300, 600);
    PairedRounds.Summary s = r.summary();
    assertThat(s.median()).isEqualTo(1.0);
    assertThat(s.figure()).isEqualTo(200);
    assertThat(s.baseline()).isEqualTo(100);
    assertThat(r.ratios()).containsExactly(1.0, 2.0, 0.5);
  }

  @Test
  void fivePairsGiveMedianMinMaxAndQuartiles() {
    PairedRounds r = new PairedRounds();
    for (double ratio : new double[] {1.2, 0.8, 1.0, 1.1, 0.9}) {
      r.add(ratio * 1000, 1000);
    }
    PairedRounds.Summary s = r.summary();
    assertThat(s.pairs()).isEqualTo(5);
    assertThat(s.median()).isCloseTo(1.0, within(1e-9));
    assertThat(s.min()).isCloseTo(0.8, within(1e-9));
    assertThat(s.max()).isCloseTo(1.2, within(1e-9));
    // Linear interpolation between ranks: for five values the quartiles are the 2nd and 4th.
    assertThat(s.q1()).isCloseTo(0.9, within(1e-9));
    assertThat(s.q3()).isCloseTo(1.1, within(1e-9));
    assertThat(s.spread()).isEqualTo("min-max 0.80-1.20x, IQR 0.90-1.10x, 5 pairs");
  }

  @Test
  void anEvenCountTakesTheMeanOfTheMiddleTwo() {
    assertThat(PairedRounds.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    assertThat(PairedRounds.quantile(new double[] {1, 2, 3, 4}, 0.25)).isEqualTo(1.75);
  }

  @Test
  void aRoundWithoutARatioIsLeftOutAndNotCounted() {
    PairedRounds r = new PairedRounds().add(Double.NaN, 100).add(90, 100).add(80, 0).add(70, 100);
    PairedRounds.Summary s = r.summary();
    assertThat(s.pairs()).isEqualTo(2);
    assertThat(s.median()).isCloseTo(0.8, within(1e-9));
    assertThat(s.figure()).isEqualTo(80);
  }

  @Test
  void aVerdictNeedsFivePairsAndTheMedianAtTheTarget() {
    PairedRounds four = new PairedRounds();
    PairedRounds five = new PairedRounds();
    for (int i = 0; i < 5; i++) {
      five.add(70, 100);
      if (i < 4) {
        four.add(99, 100);
      }
    }
    assertThat(four.summary().atLeast(0.7)).isEqualTo(Verdict.NO_VERDICT);
    assertThat(five.summary().atLeast(0.7)).isEqualTo(Verdict.MEETS);
    assertThat(five.summary().atLeast(0.71)).isEqualTo(Verdict.MISSES);
  }

  @Test
  void noPairIsNoVerdictAndSaysSo() {
    PairedRounds.Summary s = new PairedRounds().summary();
    assertThat(s.pairs()).isZero();
    assertThat(s.median()).isNaN();
    assertThat(s.spread()).isEqualTo("no pair measured");
    assertThat(s.atLeast(0.5)).isEqualTo(Verdict.NO_VERDICT);
  }
}
