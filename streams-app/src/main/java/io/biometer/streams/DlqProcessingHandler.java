package io.biometer.streams;

import io.biometer.streams.internal.DlqTarget;
import io.biometer.streams.internal.Rejected;
import io.biometer.streams.internal.RejectedSources;
import io.biometer.streams.internal.StateFormatException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processing-exception handler (KIP-1033): a record a step rejects ({@link Rejected}: unknown
 * device, impossible value, future event time, too late) or that makes a step fail goes to the DLQ
 * with the source record's original bytes (KIP-1034) and the reason; the app goes on. Records a
 * step held back and rejects later ({@link RejectedSources}: readings that waited in vain for their
 * device) go to the DLQ each with its own kept source. A state store value of an unknown format
 * ({@link StateFormatException}) is no record's fault: the task fails, naming the store.
 */
public final class DlqProcessingHandler implements ProcessingExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(DlqProcessingHandler.class);

  private DlqTarget dlq;

  @Override
  public void configure(Map<String, ?> configs) {
    dlq = DlqTarget.from(configs, getClass());
  }

  @Override
  public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception e) {
    if (e instanceof RejectedSources held) {
      List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
      for (RejectedSources.Rejection r : held.rejections()) {
        log.trace(
            "rejected held-back {}-{}@{}: {}",
            r.source().topic(),
            r.source().partition(),
            r.source().offset(),
            r.why().getMessage());
        out.add(dlq.fromSource(r.why().reason(), r.source(), context.processorNodeId(), r.why()));
      }
      return Response.resume(out);
    }
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof StateFormatException bad) {
        // Not the record's fault: every record would meet the same store. Fail loudly, naming the
        // store and the format, instead of dead-lettering the input.
        log.error(
            "state store {} cannot be read by this build; failing the task: {}",
            bad.store(),
            bad.getMessage());
        return Response.fail();
      }
    }
    if (!(e instanceof Rejected) && context.topic() == null) {
      // A punctuation failed (e.g. its output could not be sent): there is no source record to
      // dead-letter, and resuming would lose what it was emitting. Fail: the stream thread is
      // replaced and, under exactly-once, the task's uncommitted work is rolled back and redone.
      log.warn(
          "a punctuation of {} failed; failing the task so that it is redone: {}",
          context.processorNodeId(),
          e.toString(),
          e);
      return Response.fail();
    }
    String reason;
    if (e instanceof Rejected r) {
      reason = r.reason();
      log.trace(
          "rejected {}-{}@{}: {}",
          context.topic(),
          context.partition(),
          context.offset(),
          e.getMessage());
    } else {
      reason = "processing-error";
      log.warn(
          "processing {}-{}@{} failed in {}; sent to the DLQ: {}",
          context.topic(),
          context.partition(),
          context.offset(),
          context.processorNodeId(),
          e.toString(),
          e);
    }
    return Response.resume(dlq.fromContext(reason, context, e));
  }
}
