package io.biometer.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What became of the commands of one run of the commands bench (or of its baseline's records): when
 * each was sent, when its device (or the baseline's consumer) got it, when its OK response came
 * back. Every time is {@link System#nanoTime()} of this JVM, which both sends and receives, so no
 * two clocks meet. A command counts in the latencies only if it was sent while measuring; every
 * command sent counts for loss. Latencies are in microseconds. Thread-safe: sends come from the
 * pacing thread, receipts from the event loops or a consumer thread.
 */
final class CommandLedger {

  private static final class Sent {
    final long at;
    final boolean measured;
    boolean received;
    boolean answered;

    Sent(long at, boolean measured) {
      this.at = at;
      this.measured = measured;
    }
  }

  private final boolean answers;
  private final Map<String, Sent> sent = new ConcurrentHashMap<>();
  private final Recorder delivery = new Recorder(3);
  private final Recorder roundTrip = new Recorder(3);
  private final LongAdder sentCount = new LongAdder();
  private final LongAdder measuredCount = new LongAdder();
  private final LongAdder receivedCount = new LongAdder();
  private final LongAdder measuredReceived = new LongAdder();
  private final LongAdder answeredCount = new LongAdder();
  private final LongAdder measuredAnswered = new LongAdder();
  private final LongAdder twice = new LongAdder();
  private final LongAdder strangers = new LongAdder();
  private final Map<String, LongAdder> otherStatuses = new ConcurrentHashMap<>();

  /**
   * @param answers whether an answer is awaited for each command (the gateway's run: an OK
   *     response); the baseline's records have none
   */
  CommandLedger(boolean answers) {
    this.answers = answers;
  }

  /** Command {@code id} was (due to be) sent at {@code nanoTime}; {@code measured} if it counts. */
  void sent(String id, long nanoTime, boolean measured) {
    sent.put(id, new Sent(nanoTime, measured));
    sentCount.increment();
    if (measured) {
      measuredCount.increment();
    }
  }

  /**
   * Its device got command {@code id} at {@code nanoTime}. A second receipt is counted as twice
   * (the gateway delivers at most once), one of a command this run never sent as a stranger.
   */
  void received(String id, long nanoTime) {
    Sent s = sent.get(id);
    if (s == null) {
      strangers.increment();
      return;
    }
    synchronized (s) {
      if (s.received) {
        twice.increment();
        return;
      }
      s.received = true;
    }
    receivedCount.increment();
    if (s.measured) {
      measuredReceived.increment();
      delivery.recordValue(micros(nanoTime - s.at));
    }
  }

  /** The OK response to command {@code id} was read at {@code nanoTime}. */
  void answered(String id, long nanoTime) {
    Sent s = sent.get(id);
    if (s == null) {
      return;
    }
    synchronized (s) {
      if (s.answered) {
        return;
      }
      s.answered = true;
    }
    answeredCount.increment();
    if (s.measured) {
      measuredAnswered.increment();
      roundTrip.recordValue(micros(nanoTime - s.at));
    }
  }

  /** A response to command {@code id} that is neither DELIVERED nor OK (EXPIRED, FORBIDDEN...). */
  void status(String id, String status) {
    if (sent.containsKey(id)) {
      otherStatuses.computeIfAbsent(status, k -> new LongAdder()).increment();
    }
  }

  /** Commands sent and not received yet. */
  long unreceived() {
    return sentCount.sum() - receivedCount.sum();
  }

  /** Commands sent and not answered yet (0 if no answers are awaited). */
  long unanswered() {
    return answers ? sentCount.sum() - answeredCount.sum() : 0;
  }

  /** Commands sent so far. */
  long sentCount() {
    return sentCount.sum();
  }

  /**
   * The counts and the latencies of the commands sent while measuring. Call once, after the run:
   * the histograms are taken.
   */
  Summary summary() {
    Map<String, Long> others = new TreeMap<>();
    otherStatuses.forEach((k, v) -> others.put(k, v.sum()));
    return new Summary(
        sentCount.sum(),
        receivedCount.sum(),
        measuredCount.sum(),
        measuredReceived.sum(),
        answers ? measuredAnswered.sum() : -1,
        twice.sum(),
        strangers.sum(),
        Map.copyOf(others),
        delivery.getIntervalHistogram(),
        roundTrip.getIntervalHistogram());
  }

  private static long micros(long nanos) {
    return Math.max(1, nanos / 1000);
  }

  /**
   * A run's counts and latencies.
   *
   * @param sent every command sent (warm-up too)
   * @param received of them, those their device got
   * @param measured commands sent while measuring
   * @param measuredReceived of them, those their device got
   * @param measuredAnswered of them, those whose OK response came back, or -1 if none is awaited
   * @param twice commands a device got a second time
   * @param strangers commands received that this run never sent
   * @param otherStatuses responses neither DELIVERED nor OK, by status
   * @param delivery sent-to-device latencies of the measured commands, microseconds
   * @param roundTrip sent-to-OK-response latencies of the measured commands, microseconds
   */
  record Summary(
      long sent,
      long received,
      long measured,
      long measuredReceived,
      long measuredAnswered,
      long twice,
      long strangers,
      Map<String, Long> otherStatuses,
      Histogram delivery,
      Histogram roundTrip) {

    /** Commands sent (warm-up too) that their device never got. */
    long lost() {
      return sent - received;
    }
  }
}
