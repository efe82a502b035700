package io.biometer.streams;

import io.biometer.streams.internal.DlqRecords;
import io.biometer.streams.internal.DlqTarget;
import io.biometer.streams.internal.SourceRecord;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a record that cannot be deserialized to the DLQ ({@code
 * errors.dead.letter.queue.topic.name}, KIP-1034) with its original bytes and the reason {@code
 * undecodable}, and goes on. Never stops the app.
 */
public final class DlqDeserializationHandler implements DeserializationExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(DlqDeserializationHandler.class);

  private DlqTarget dlq;

  @Override
  public void configure(Map<String, ?> configs) {
    dlq = DlqTarget.from(configs, getClass());
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception e) {
    log.trace(
        "undecodable record {}-{}@{}: {}",
        record.topic(),
        record.partition(),
        record.offset(),
        e.getMessage());
    SourceRecord source =
        new SourceRecord(
            record.topic(),
            record.partition(),
            record.offset(),
            record.timestamp(),
            record.key(),
            record.value(),
            record.headers());
    return Response.resume(
        DlqRecords.one(dlq.fromSource("undecodable", source, context.processorNodeId(), e)));
  }
}
