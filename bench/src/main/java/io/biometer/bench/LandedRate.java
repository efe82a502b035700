package io.biometer.bench;

import java.io.PrintStream;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The steady rate at which rows land in a QuestDB table: the rows that became visible between the
 * first count at or past 10% of a run's rows and the first at or past 90%, counted over PG wire
 * every 10 ms.
 */
final class LandedRate {

  private LandedRate() {}

  /** Starts a run; the probe it returns throws if the run has failed. */
  interface Start {
    Probe start() throws Exception;
  }

  /** Throws if a run has failed. */
  interface Probe {
    void check() throws Exception;
  }

  /**
   * Starts a run and returns its steady rate in rows/s: the rows that became visible in {@code
   * table} from the first count at or past 10% of the rows to the first at or past 90%, over that
   * time. Rows land in steps, one per flush that QuestDB applies; interpolating within a step, as
   * the streams bench does for records, would count a whole flush as landed in 10 ms.
   */
  static double measure(Connection sql, long rows, PrintStream err, String table, Start start)
      throws Exception {
    List<long[]> samples = new ArrayList<>(); // {nanoTime, rows visible}
    Probe probe = start.start();
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    long visible = 0;
    samples.add(new long[] {System.nanoTime(), 0});
    long lastProgress = System.nanoTime();
    while (visible < rows) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            String.format("%,d of %,d rows visible in %s after 3 minutes", visible, rows, table));
      }
      LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
      long now = System.nanoTime();
      long n = QuestDbSql.count(sql, table);
      if (n != visible) {
        samples.add(new long[] {now, n});
        visible = n;
      }
      if (now - lastProgress > Duration.ofSeconds(5).toNanos()) {
        err.printf("biometer bench connector:   %,d of %,d rows in %s ...%n", visible, rows, table);
        lastProgress = now;
      }
      probe.check();
    }
    probe.check();
    if (visible != rows) {
      throw new IllegalStateException(
          String.format(
              "%s holds %,d rows, not %,d: this run's figure is void", table, visible, rows));
    }
    return rate(samples, rows);
  }

  /**
   * Rows/s between the first sample at or past 10% of {@code rows} and the first at or past 90%;
   * NaN if one step took the count past both (too few rows to see a rate).
   */
  static double rate(List<long[]> samples, long rows) {
    long[] from = first(samples, rows * 0.1);
    long[] to = first(samples, rows * 0.9);
    if (from == to) {
      return Double.NaN;
    }
    return (to[1] - from[1]) / ((to[0] - from[0]) / 1e9);
  }

  private static long[] first(List<long[]> samples, double level) {
    for (long[] s : samples) {
      if (s[1] >= level) {
        return s;
      }
    }
    throw new IllegalArgumentException("the samples never reach " + level);
  }
}
