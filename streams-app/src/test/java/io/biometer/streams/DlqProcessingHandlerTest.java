package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.Topics;
import io.biometer.streams.internal.OriginalBytes;
import io.biometer.streams.internal.StateFormatException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

class DlqProcessingHandlerTest {

  /** A context whose raw bytes Kafka Streams freed (an output of the record was already sent). */
  private static ErrorHandlerContext context(String topic) {
    return new ErrorHandlerContext() {
      @Override
      public String topic() {
        return topic;
      }

      @Override
      public int partition() {
        return topic == null ? -1 : 1;
      }

      @Override
      public long offset() {
        return topic == null ? -1 : 7;
      }

      @Override
      public Headers headers() {
        return new RecordHeaders();
      }

      @Override
      public String processorNodeId() {
        return "daily-aggregation";
      }

      @Override
      public TaskId taskId() {
        return new TaskId(0, 1);
      }

      @Override
      public long timestamp() {
        return 5L;
      }

      @Override
      public byte[] sourceRawKey() {
        return null;
      }

      @Override
      public byte[] sourceRawValue() {
        return null;
      }
    };
  }

  private final DlqProcessingHandler handler = new DlqProcessingHandler();

  {
    handler.configure(Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.DLQ));
  }

  @Test
  void aFailureAfterTheCleanReadingWasSentStillDeadLettersTheOriginalBytes() {
    AtomicReference<ProcessingExceptionHandler.Response> response = new AtomicReference<>();
    OriginalBytes.forward(
        "temp-1",
        new byte[] {0, 0, 0, 0, 1, 42},
        () ->
            response.set(
                handler.handleError(
                    context(Topics.BODY_READINGS),
                    new Record<>("temp-1", "v", 5L),
                    new IllegalStateException("a bug in a step"))));
    ProcessingExceptionHandler.Response r = response.get();
    assertThat(r.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
    List<ProducerRecord<byte[], byte[]>> dlq = r.deadLetterQueueRecords();
    assertThat(dlq).hasSize(1);
    assertThat(new String(dlq.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("temp-1");
    assertThat(dlq.get(0).value()).containsExactly(0, 0, 0, 0, 1, 42);
    assertThat(DlqHeaders.value(dlq.get(0).headers(), DlqHeaders.REASON))
        .isEqualTo("processing-error");
  }

  @Test
  void aFailingPunctuationFailsTheTaskRatherThanLoseWhatItEmitted() {
    ProcessingExceptionHandler.Response r =
        handler.handleError(
            context(null), new Record<>("k", "v", 5L), new IllegalStateException("send failed"));
    assertThat(r.result()).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
  }

  @Test
  void aStoreValueOfAnUnknownFormatFailsTheTaskInsteadOfDeadLetteringTheRecord() {
    ProcessingExceptionHandler.Response r =
        handler.handleError(
            context(Topics.BODY_READINGS),
            new Record<>("k", "v", 5L),
            new org.apache.kafka.streams.errors.StreamsException(
                new StateFormatException("dedup-store", "a block", 9, 1)));
    assertThat(r.result()).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
  }
}
