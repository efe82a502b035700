package io.biometer.streams.internal;

import io.biometer.streams.DlqHeaders;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Builds a DLQ record: the original key and value bytes, the original headers, and headers that say
 * why, where from and when. The same headers whatever rejected the record (deserialization or a
 * step). The header names are the public contract {@link DlqHeaders}.
 */
public final class DlqRecords {

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
        if (!header.key().startsWith(DlqHeaders.PREFIX)) {
          h.add(header);
        }
      }
    }
    add(h, DlqHeaders.REASON, reason);
    add(h, DlqHeaders.SOURCE_TOPIC, source.topic());
    add(h, DlqHeaders.SOURCE_PARTITION, Integer.toString(source.partition()));
    add(h, DlqHeaders.SOURCE_OFFSET, Long.toString(source.offset()));
    add(h, DlqHeaders.SOURCE_TIMESTAMP, Long.toString(source.timestamp()));
    add(h, DlqHeaders.EXCEPTION_CLASS, e.getClass().getName());
    add(h, DlqHeaders.EXCEPTION_MESSAGE, e.getMessage() == null ? "" : e.getMessage());
    add(h, DlqHeaders.PROCESSOR, processor == null ? "" : processor);
    add(h, DlqHeaders.REJECTED_AT, Long.toString(now));
    // The DLQ record is stamped when it was rejected: a source timestamp far in the future (the
    // very reason for some rejections) would make the broker refuse the DLQ record too. The
    // source timestamp is in a header.
    return new ProducerRecord<>(dlqTopic, null, now, source.key(), source.value(), h);
  }

  private static void add(Headers h, String key, String value) {
    h.add(key, (value == null ? "" : value).getBytes(StandardCharsets.UTF_8));
  }

  /** One record as a list, for the handlers' responses. */
  public static List<ProducerRecord<byte[], byte[]>> one(ProducerRecord<byte[], byte[]> r) {
    return List.of(r);
  }
}
