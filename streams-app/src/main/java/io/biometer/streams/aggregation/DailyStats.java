package io.biometer.streams.aggregation;

/**
 * Running statistics of one channel over one day: count, min, max, sum (for the mean), first and
 * last event time. Pure and mutable; {@link #add} in any order gives the same result.
 */
public final class DailyStats {

  private long count;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;
  private double sum;
  private long first = Long.MAX_VALUE;
  private long last = Long.MIN_VALUE;

  public DailyStats() {}

  /** Statistics with these fields (as read back from a store). */
  public DailyStats(long count, double min, double max, double sum, long first, long last) {
    this.count = count;
    this.min = min;
    this.max = max;
    this.sum = sum;
    this.first = first;
    this.last = last;
  }

  /** An independent copy. */
  public DailyStats copy() {
    return new DailyStats(count, min, max, sum, first, last);
  }

  /** Adds value {@code v} measured at {@code t}. */
  public DailyStats add(double v, long t) {
    count++;
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
    first = Math.min(first, t);
    last = Math.max(last, t);
    return this;
  }

  public long count() {
    return count;
  }

  public double min() {
    return min;
  }

  public double max() {
    return max;
  }

  public double sum() {
    return sum;
  }

  public double mean() {
    return count == 0 ? Double.NaN : sum / count;
  }

  public long first() {
    return first;
  }

  public long last() {
    return last;
  }
}
