package io.biometer.streams;

import io.biometer.streams.internal.DlqTarget;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An output record Kafka refuses for good (too large, a timestamp out of the broker's range) or
 * that cannot be serialized: the source record that caused it goes to the DLQ with its original
 * bytes and the reason {@code unwritable-output} or {@code unserializable-output}, and the app goes
 * on. Retriable errors fail the attempt, so Streams retries it.
 */
public final class DlqProductionHandler implements ProductionExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(DlqProductionHandler.class);

  private DlqTarget dlq;

  @Override
  public void configure(Map<String, ?> configs) {
    dlq = DlqTarget.from(configs, getClass());
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception e) {
    if (e instanceof RetriableException) {
      return Response.fail();
    }
    return toDlq("unwritable-output", context, record.topic(), e);
  }

  @Override
  @SuppressWarnings("rawtypes")
  public Response handleSerializationError(
      ErrorHandlerContext context,
      ProducerRecord record,
      Exception e,
      SerializationExceptionOrigin origin) {
    return toDlq("unserializable-output", context, record.topic(), e);
  }

  private Response toDlq(String reason, ErrorHandlerContext context, String output, Exception e) {
    log.warn(
        "cannot write to {} for the record {}-{}@{}; its source goes to the DLQ: {}",
        output,
        context.topic(),
        context.partition(),
        context.offset(),
        e.toString());
    if (output.equals(dlq.topic()) || !DlqTarget.hasSource(context)) {
      // Nothing to send (the DLQ itself refused it, or no source record): counted and logged.
      dlq.metrics().dlq(reason);
      return Response.resume();
    }
    return Response.resume(dlq.fromContext(reason, context, e));
  }
}
