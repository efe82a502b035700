package io.biometer.streams.internal;

import io.biometer.streams.PipelineMetrics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * What the DLQ handlers share: the DLQ topic from {@code errors.dead.letter.queue.topic.name}, the
 * metrics from the Streams configuration, and DLQ records built from a handler's context.
 *
 * @param topic the DLQ topic
 * @param metrics where DLQ records are counted
 */
public record DlqTarget(String topic, PipelineMetrics metrics) {

  /** Reads a handler's configuration; the DLQ topic must be set. */
  public static DlqTarget from(Map<String, ?> configs, Class<?> handler) {
    String topic = (String) configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
    if (topic == null) {
      throw new IllegalStateException(
          StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG
              + " must be set for "
              + handler.getName());
    }
    PipelineMetrics metrics =
        configs.get(PipelineMetrics.CONFIG_KEY) instanceof PipelineMetrics m
            ? m
            : PipelineMetrics.noop();
    return new DlqTarget(topic, metrics);
  }

  /**
   * Counts a DLQ record and builds it from the source record the context describes, or, within a
   * step's forward of a record it held back, from that record's kept source ({@link
   * ReleasedSource}).
   */
  public List<ProducerRecord<byte[], byte[]>> fromContext(
      String reason, ErrorHandlerContext context, Exception e) {
    SourceRecord released = ReleasedSource.current();
    if (released != null) {
      return DlqRecords.one(fromSource(reason, released, context.processorNodeId(), e));
    }
    SourceRecord source =
        new SourceRecord(
            context.topic(),
            context.partition(),
            context.offset(),
            context.timestamp(),
            context.sourceRawKey(),
            context.sourceRawValue(),
            context.headers());
    OriginalBytes.Bytes original = OriginalBytes.current();
    if (context.sourceRawValue() == null && original != null) {
      // Kafka Streams freed the raw bytes once the record's first output was sent.
      source =
          new SourceRecord(
              context.topic(),
              context.partition(),
              context.offset(),
              context.timestamp(),
              original.key(),
              original.value(),
              context.headers());
    }
    return DlqRecords.one(fromSource(reason, source, context.processorNodeId(), e));
  }

  /** Counts a DLQ record and builds it from a kept source record. */
  public ProducerRecord<byte[], byte[]> fromSource(
      String reason, SourceRecord source, String processor, Exception e) {
    metrics.dlq(reason);
    return DlqRecords.build(topic, reason, source, processor, e, System.currentTimeMillis());
  }

  /** Whether there is a source record to send: in the context, or a released one. */
  public static boolean hasSource(ErrorHandlerContext context) {
    return context.sourceRawValue() != null
        || ReleasedSource.current() != null
        || OriginalBytes.current() != null;
  }
}
