package io.biometer.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The arithmetic of a ratio between a figure and its baseline, measured in paired, interleaved
 * rounds: each round measures the figure and the baseline once, one after the other, and the order
 * alternates from round to round ({@link #figureFirst(int)}), because a run reads faster or slower
 * by what ran just before it. The ratio is the median of the rounds' own ratios, never a best-of;
 * the spread is their minimum, maximum and interquartile range. Plain logic, no Kafka types.
 */
public final class PairedRounds {

  /** Fewer pairs than this give no verdict. */
  public static final int MIN_PAIRS = 5;

  private final List<double[]> pairs = new ArrayList<>(); // {figure, baseline}

  /** True if round {@code round} (0-based) measures the figure first, the baseline second. */
  public static boolean figureFirst(int round) {
    return round % 2 == 0;
  }

  /** Measures one side of a pair in round {@code round} (0-based). */
  public interface Side {
    double measure(int round) throws Exception;
  }

  /** Hears each pair once both sides are measured. */
  public interface Paired {
    void pair(int round, double figure, double baseline) throws Exception;
  }

  /**
   * Measures {@code rounds} pairs, the figure first in every other round ({@link #figureFirst}),
   * and returns them; {@code paired} hears each pair as it completes.
   */
  public static PairedRounds interleave(int rounds, Side figure, Side baseline, Paired paired)
      throws Exception {
    PairedRounds p = new PairedRounds();
    for (int r = 0; r < rounds; r++) {
      double f = Double.NaN;
      double b = Double.NaN;
      // A run reads faster or slower by what ran just before it: the order alternates.
      for (int k = 0; k < 2; k++) {
        if ((k == 0) == figureFirst(r)) {
          f = figure.measure(r);
        } else {
          b = baseline.measure(r);
        }
      }
      paired.pair(r, f, b);
      p.add(f, b);
    }
    return p;
  }

  /** Records one round's figure and baseline. */
  public PairedRounds add(double figure, double baseline) {
    pairs.add(new double[] {figure, baseline});
    return this;
  }

  /** The figures, in round order. */
  public double[] figures() {
    return pairs.stream().mapToDouble(p -> p[0]).toArray();
  }

  /** The baselines, in round order. */
  public double[] baselines() {
    return pairs.stream().mapToDouble(p -> p[1]).toArray();
  }

  /** Each round's figure over its baseline (NaN where either is missing or the baseline is 0). */
  public double[] ratios() {
    return pairs.stream().mapToDouble(p -> ratio(p[0], p[1])).toArray();
  }

  /** What the rounds say, over the pairs with a ratio. */
  public Summary summary() {
    double[] r = Arrays.stream(ratios()).filter(d -> !Double.isNaN(d)).sorted().toArray();
    double[] f = valid(figures(), ratios());
    double[] b = valid(baselines(), ratios());
    if (r.length == 0) {
      double n = Double.NaN;
      return new Summary(0, n, n, n, n, n, n, n);
    }
    return new Summary(
        r.length,
        quantile(r, 0.5),
        r[0],
        r[r.length - 1],
        quantile(r, 0.25),
        quantile(r, 0.75),
        median(f),
        median(b));
  }

  private static double[] valid(double[] values, double[] ratios) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      if (!Double.isNaN(ratios[i])) {
        out.add(values[i]);
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /**
   * The median and spread of the rounds' ratios, and the medians of their figures and baselines.
   *
   * @param pairs rounds with a ratio
   * @param median median of the ratios (the mean of the middle two for an even count)
   * @param min smallest ratio
   * @param max largest ratio
   * @param q1 first quartile of the ratios
   * @param q3 third quartile of the ratios
   * @param figure median of the figures
   * @param baseline median of the baselines
   */
  public record Summary(
      int pairs,
      double median,
      double min,
      double max,
      double q1,
      double q3,
      double figure,
      double baseline) {

    /** True if there are enough pairs for a verdict. */
    public boolean enough() {
      return pairs >= MIN_PAIRS;
    }

    /** The spread for people: {@code min-max 0.85-0.97x, IQR 0.88-0.95x, 5 pairs}. */
    public String spread() {
      if (pairs == 0) {
        return "no pair measured";
      }
      return String.format(
          Locale.ROOT, "min-max %.2f-%.2fx, IQR %.2f-%.2fx, %d pairs", min, max, q1, q3, pairs);
    }

    /** The verdict on a target of at least {@code target}x. */
    public Verdict atLeast(double target) {
      if (!enough()) {
        return Verdict.NO_VERDICT;
      }
      return median >= target ? Verdict.MEETS : Verdict.MISSES;
    }
  }

  /** {@code a / b}, or NaN if either is NaN or {@code b} is not positive. */
  public static double ratio(double a, double b) {
    return Double.isNaN(a) || Double.isNaN(b) || b <= 0 ? Double.NaN : a / b;
  }

  /** The median of {@code values} (NaN if empty). */
  public static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    return s.length == 0 ? Double.NaN : quantile(s, 0.5);
  }

  /**
   * The {@code p}-quantile of sorted values, interpolated linearly between the two closest ranks
   * (the method of R's default, type 7, and of numpy): for five values the quartiles are the second
   * and fourth.
   */
  static double quantile(double[] sorted, double p) {
    double h = (sorted.length - 1) * p;
    int lo = (int) Math.floor(h);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }
}
