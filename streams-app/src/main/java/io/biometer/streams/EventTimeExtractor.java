package io.biometer.streams;

import io.biometer.avro.BodyReading;
import io.biometer.avro.MeterReading;
import io.biometer.avro.SinkStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time from the record itself: when a reading was measured, when a sink changed state.
 * Anything else (registry entries) keeps its Kafka timestamp. Windows, grace and stream time all
 * follow from this.
 *
 * <p>Except an event time further ahead of the wall clock than {@code
 * validation.max.future.skew.ms}: validation rejects such a reading, and as a timestamp it would
 * carry stream time into the future, where it closes every open day (later readings would all be
 * too late) and stamps changelog and output records ahead of the wall clock, which a broker refuses
 * ({@code message.timestamp.after.max.ms}), failing the transaction. Such a record keeps the
 * partition's time instead.
 */
public final class EventTimeExtractor implements TimestampExtractor {

  private final long maxFutureSkew;

  /**
   * With {@code validation.max.future.skew.ms}'s default: the instance Kafka Streams creates from
   * {@code default.timestamp.extractor} (the topology gives its reading sources their own).
   */
  public EventTimeExtractor() {
    this(300_000L);
  }

  /**
   * @param maxFutureSkew how far ahead of the wall clock an event time still counts, in ms
   */
  public EventTimeExtractor(long maxFutureSkew) {
    this.maxFutureSkew = maxFutureSkew;
  }

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    Object v = record.value();
    long t;
    if (v == null) {
      // A tombstone (or a record that did not decode): its Kafka timestamp is when it arrived,
      // which would move stream time to the wall clock and close every day a replay is filling.
      return Math.max(0, partitionTime);
    } else if (v instanceof ReceivedReading r) {
      t = r.normalized().getEventTime().toEpochMilli();
    } else if (v instanceof BodyReading r) {
      t = r.getEventTime().toEpochMilli();
    } else if (v instanceof MeterReading r) {
      t = r.getEventTime().toEpochMilli();
    } else if (v instanceof SinkStatus s) {
      t = s.getEventTime().toEpochMilli();
    } else {
      t = record.timestamp();
    }
    if (t < 0 || t > System.currentTimeMillis() + maxFutureSkew) {
      return Math.max(0, partitionTime);
    }
    return t;
  }
}
