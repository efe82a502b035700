package io.biometer.streams.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Builds a DLQ record: the original key and value bytes, the original headers, and headers that say
 * why, where from and when. The same headers whatever rejected the record (deserialization or a
 * step).
 */
public final class DlqRecords {

  public static final String REASON = "biometer.dlq.reason";
  public static final String SOURCE_TOPIC = "biometer.dlq.source.topic";
  public static final String SOURCE_PARTITION = "biometer.dlq.source.partition";
  public static final String SOURCE_OFFSET = "biometer.dlq.source.offset";
  public static final String SOURCE_TIMESTAMP = "biometer.dlq.source.timestamp";
  public static final String EXCEPTION_CLASS = "biometer.dlq.exception.class";
  public static final String EXCEPTION_MESSAGE = "biometer.dlq.exception.message";
  public static final String PROCESSOR = "biometer.dlq.processor";
  public static final String REJECTED_AT = "biometer.dlq.rejected.at";

  private DlqRecords() {}

  /** The DLQ record for a rejected source record. */
  public static ProducerRecord<byte[], byte[]> build(
      String dlqTopic,
      String reason,
      SourceRecord source,
      String processor,
      Exception e,
      long now) {
    Headers h = new RecordHeaders();
    if (source.headers() != null) {
      for (Header header : source.headers()) {
        if (!header.key().startsWith("biometer.dlq.")) {
          h.add(header);
        }
      }
    }
    add(h, REASON, reason);
    add(h, SOURCE_TOPIC, source.topic());
    add(h, SOURCE_PARTITION, Integer.toString(source.partition()));
    add(h, SOURCE_OFFSET, Long.toString(source.offset()));
    add(h, SOURCE_TIMESTAMP, Long.toString(source.timestamp()));
    add(h, EXCEPTION_CLASS, e.getClass().getName());
    add(h, EXCEPTION_MESSAGE, e.getMessage() == null ? "" : e.getMessage());
    add(h, PROCESSOR, processor == null ? "" : processor);
    add(h, REJECTED_AT, Long.toString(now));
    // The DLQ record is stamped when it was rejected: a source timestamp far in the future (the
    // very reason for some rejections) would make the broker refuse the DLQ record too. The
    // source timestamp is in a header.
    return new ProducerRecord<>(dlqTopic, null, now, source.key(), source.value(), h);
  }

  private static void add(Headers h, String key, String value) {
    h.add(key, (value == null ? "" : value).getBytes(StandardCharsets.UTF_8));
  }

  /** A header's value as a string, or null. */
  public static String header(Headers headers, String key) {
    Header h = headers.lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** One record as a list, for the handlers' responses. */
  public static List<ProducerRecord<byte[], byte[]>> one(ProducerRecord<byte[], byte[]> r) {
    return List.of(r);
  }
}
