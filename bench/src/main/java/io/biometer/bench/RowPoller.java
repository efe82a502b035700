package io.biometer.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Measures event-to-queryable-row latency: polls a QuestDB readings table over PG wire every 20 ms
 * for the rows of the readings a latency run sends, and records when each is first returned, minus
 * its event time. Each query asks for the rows from the oldest reading not yet seen on, so it
 * returns little more than the rows that became visible since the last. Readings are numbered 0, 1,
 * 2, ... in the order they were sent; {@link Numbering} maps a row back to that number.
 */
final class RowPoller implements Runnable {

  /** The number of the reading a row belongs to, or -1 if the row is not one of the run's. */
  interface Numbering {
    long number(String deviceId, long sequence);
  }

  private final String jdbc;
  private final String table;
  private final String channel;
  private final Numbering numbering;
  private final long[] eventTimes;
  private final AtomicLong published;
  private final AtomicLong measureFrom;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final Histogram measured = new Histogram(60_000, 3);
  private final Histogram warm = new Histogram(60_000, 3);
  private final BitSet seen = new BitSet();
  private final AtomicLong seenCount = new AtomicLong();
  private volatile Throwable failure;
  private volatile long polls;
  private volatile long pollNanos;
  private Thread thread;

  /**
   * @param table the readings table
   * @param channel one channel of the readings (each reading has one row of it)
   * @param eventTimes event time (epoch ms) of reading n, written before n is published
   * @param published how many readings were sent
   * @param measureFrom readings numbered from this on are measured; those before are warm-up
   */
  RowPoller(
      String jdbc,
      String table,
      String channel,
      Numbering numbering,
      long[] eventTimes,
      AtomicLong published,
      AtomicLong measureFrom) {
    this.jdbc = jdbc;
    this.table = table;
    this.channel = channel;
    this.numbering = numbering;
    this.eventTimes = eventTimes;
    this.published = published;
    this.measureFrom = measureFrom;
  }

  /** Starts polling on a daemon thread of its own. */
  RowPoller start() {
    thread = new Thread(this, "bench-row-poller");
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  /**
   * Waits, up to {@code timeout}, until every published reading was seen, then stops.
   *
   * @return the readings never seen
   * @throws IllegalStateException if polling failed
   */
  long finish(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (seen() < published.get() && failure == null && System.nanoTime() < deadline) {
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
    stop.set(true);
    thread.join(10_000);
    if (failure != null) {
      throw new IllegalStateException("the latency poller failed: " + failure, failure);
    }
    return published.get() - seen();
  }

  long seen() {
    return seenCount.get();
  }

  /** Latencies of the measured readings. */
  Histogram measured() {
    return measured;
  }

  /** Latencies of the warm-up's readings. */
  Histogram warmUp() {
    return warm;
  }

  long polls() {
    return polls;
  }

  double meanPollMs() {
    return polls == 0 ? 0 : pollNanos / 1e6 / polls;
  }

  @Override
  public void run() {
    try (Connection sql = DriverManager.getConnection(jdbc, "admin", "quest")) {
      int firstUnseen = 0;
      while (!stop.get()) {
        long tick = System.nanoTime();
        long sent = published.get();
        while (firstUnseen < sent && seen.get(firstUnseen)) {
          firstUnseen++;
        }
        if (firstUnseen < sent) {
          poll(sql, firstUnseen, sent);
          polls++;
          pollNanos += System.nanoTime() - tick;
        }
        long wait = tick + Duration.ofMillis(20).toNanos() - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
      }
    } catch (Throwable e) {
      failure = e;
    }
  }

  private void poll(Connection sql, int firstUnseen, long sent) throws SQLException {
    // Rows of one flush land together, but a later flush can hold older rows of another
    // partition: ask from the oldest reading not yet seen, not from the newest row seen.
    String from = Instant.ofEpochMilli(eventTimes[firstUnseen]).toString();
    try (Statement s = sql.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT device_id, sequence FROM \""
                    + table
                    + "\" WHERE ts >= '"
                    + from
                    + "' AND channel = '"
                    + channel
                    + "'")) {
      long now = System.currentTimeMillis();
      while (rs.next()) {
        long n = numbering.number(rs.getString(1), rs.getLong(2));
        if (n < 0 || n >= sent || seen.get((int) n)) {
          continue;
        }
        seen.set((int) n);
        seenCount.incrementAndGet();
        long latency = Math.max(0, Math.min(60_000, now - eventTimes[(int) n]));
        (n >= measureFrom.get() ? measured : warm).recordValue(latency);
      }
    } catch (SQLException e) {
      // The sink creates the table with its first rows.
      if (!String.valueOf(e.getMessage()).contains("does not exist")) {
        throw e;
      }
    }
  }
}
