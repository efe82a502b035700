package io.biometer.simulator.kafka;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** What reached Kafka and what did not, and how long sends took. Thread-safe. */
public final class RunStats {

  /** Records acknowledged by Kafka (including replayed ones). */
  public final LongAdder acked = new LongAdder();

  /** Bytes of the acknowledged values and keys. */
  public final LongAdder bytes = new LongAdder();

  /** Sends that failed (each then went to the spool, or was lost if it was full). */
  public final LongAdder errors = new LongAdder();

  /** Records written to the spool. */
  public final LongAdder spooled = new LongAdder();

  /** Records sent again from the spool and acknowledged. */
  public final LongAdder replayed = new LongAdder();

  /** Records lost because the spool was full. */
  public final LongAdder lostSpoolFull = new LongAdder();

  /** Records Kafka refused for good (e.g. too large); reported, not retried. */
  public final LongAdder rejected = new LongAdder();

  private final Recorder latency = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
  private final Histogram total = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);

  /** Records one send's latency, from send() to acknowledgement. */
  public void recordLatencyNanos(long nanos) {
    latency.recordValue(Math.min(TimeUnit.SECONDS.toMicros(60), Math.max(0, nanos / 1000)));
  }

  /** Every latency recorded so far, in microseconds. */
  public synchronized Histogram latencyMicros() {
    total.add(latency.getIntervalHistogram());
    return total.copy();
  }
}
