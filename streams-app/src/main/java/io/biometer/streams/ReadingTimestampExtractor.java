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
 */
public final class ReadingTimestampExtractor implements TimestampExtractor {

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    Object v = record.value();
    long t;
    if (v instanceof ReceivedReading r) {
      t = r.reading().getEventTime().toEpochMilli();
    } else if (v instanceof BodyReading r) {
      t = r.getEventTime().toEpochMilli();
    } else if (v instanceof MeterReading r) {
      t = r.getEventTime().toEpochMilli();
    } else if (v instanceof SinkStatus s) {
      t = s.getEventTime().toEpochMilli();
    } else {
      t = record.timestamp();
    }
    return t >= 0 ? t : Math.max(0, partitionTime);
  }
}
