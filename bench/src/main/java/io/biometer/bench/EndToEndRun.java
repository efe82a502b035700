package io.biometer.bench;

import java.util.ArrayList;
import java.util.List;

/** What the load and the checks found. */
final class EndToEndRun {
  final List<double[]> samples = new ArrayList<>(); // {nanos since start, readings, clean, rows}
  long t0;
  long sendEnd;
  long simReadings;
  long simCopies;
  long simErrors;
  long simLost;
  ReadingLedger input;
  ReadingLedger clean;
  long rows;
  long distinctRows;
  double drainSeconds = Double.NaN;
  long dlq;
  long alertsLanded;
  String alertsByRule = "";
  long aggregatesLanded;

  /**
   * The per-series rate between two instants of the samples: the value at each is the last sample
   * at or before it (values move in steps: a flush, a fetch).
   */
  static double rate(List<double[]> samples, int series, double fromNanos, double toNanos) {
    double a = at(samples, series, fromNanos);
    double b = at(samples, series, toNanos);
    return (b - a) / ((toNanos - fromNanos) / 1e9);
  }

  private static double at(List<double[]> samples, int series, double nanos) {
    double v = 0;
    for (double[] s : samples) {
      if (s[0] > nanos) {
        break;
      }
      v = s[series];
    }
    return v;
  }
}
