package io.biometer.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** How the bench tables write numbers. */
final class Fmt {

  private Fmt() {}

  /** {@code 123,457}, or {@code -} for NaN. */
  static String num(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,.0f", v);
  }

  /** {@code 0.934x} (three decimals, so that a verdict at the target reads), or empty for NaN. */
  static String ratio(double r) {
    return Double.isNaN(r) ? "" : String.format(Locale.ROOT, "%.3fx", r);
  }

  /** {@code p50 / p99 / p99.9} of a latency histogram in ms, or {@code -} if it is empty. */
  static String percentiles(Histogram h) {
    return h.getTotalCount() == 0
        ? "-"
        : String.format(
            Locale.ROOT,
            "%d / %d / %d ms",
            h.getValueAtPercentile(50),
            h.getValueAtPercentile(99),
            h.getValueAtPercentile(99.9));
  }

  /** What a latency figure adds when readings were never seen: empty if all were. */
  static String notYet(long unseen) {
    return unseen == 0
        ? ""
        : String.format(
            Locale.ROOT, " (%,d readings not yet rows 30 s after the last send)", unseen);
  }

  /** The p99 of a latency histogram in ms, or NaN if it is empty (no verdict). */
  static double p99(Histogram h) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99);
  }

  /** The raw numbers of a latency histogram, for the JSON. */
  static Map<String, Object> latency(Histogram h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", h.getTotalCount());
    if (h.getTotalCount() > 0) {
      m.put("p50Ms", h.getValueAtPercentile(50));
      m.put("p99Ms", h.getValueAtPercentile(99));
      m.put("p999Ms", h.getValueAtPercentile(99.9));
      m.put("maxMs", h.getMaxValue());
    }
    return m;
  }

  /** The raw numbers of paired rounds, for the JSON. */
  static Map<String, Object> rounds(PairedRounds rounds) {
    PairedRounds.Summary s = rounds.summary();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("figures", round(rounds.figures()));
    m.put("baselines", round(rounds.baselines()));
    m.put(
        "ratios", Arrays.stream(rounds.ratios()).map(r -> Math.round(r * 1000) / 1000.0).toArray());
    m.put("medianRatio", s.median());
    m.put("minRatio", s.min());
    m.put("maxRatio", s.max());
    m.put("q1Ratio", s.q1());
    m.put("q3Ratio", s.q3());
    m.put("medianFigure", s.figure());
    m.put("medianBaseline", s.baseline());
    m.put("pairs", s.pairs());
    return m;
  }

  private static double[] round(double[] values) {
    return Arrays.stream(values).map(Math::rint).toArray();
  }
}
