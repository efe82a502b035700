package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.Topics;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class DlqProductionHandlerTest {

  private static final ErrorHandlerContext CONTEXT =
      new ErrorHandlerContext() {
        @Override
        public String topic() {
          return Topics.BODY_READINGS;
        }

        @Override
        public int partition() {
          return 2;
        }

        @Override
        public long offset() {
          return 41;
        }

        @Override
        public Headers headers() {
          return new RecordHeaders();
        }

        @Override
        public String processorNodeId() {
          return "clean-readings-sink";
        }

        @Override
        public TaskId taskId() {
          return new TaskId(1, 2);
        }

        @Override
        public long timestamp() {
          return 123L;
        }

        @Override
        public byte[] sourceRawKey() {
          return new byte[] {1};
        }

        @Override
        public byte[] sourceRawValue() {
          return new byte[] {0, 0, 0, 0, 1, 2};
        }
      };

  private final DlqProductionHandler handler = new DlqProductionHandler();

  {
    handler.configure(Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.DLQ));
  }

  @Test
  void anOutputTheBrokerRefusesForGoodSendsItsSourceToTheDlqAndGoesOn() {
    ProducerRecord<byte[], byte[]> out =
        new ProducerRecord<>(Topics.READINGS_CLEAN, new byte[] {1}, new byte[] {9});
    ProductionExceptionHandler.Response r =
        handler.handleError(CONTEXT, out, new InvalidTimestampException("too far ahead"));
    assertThat(r.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
    assertThat(r.deadLetterQueueRecords()).hasSize(1);
    ProducerRecord<byte[], byte[]> dlq = r.deadLetterQueueRecords().get(0);
    assertThat(dlq.topic()).isEqualTo(Topics.DLQ);
    assertThat(dlq.value()).containsExactly(0, 0, 0, 0, 1, 2);
    assertThat(DlqHeaders.value(dlq.headers(), DlqHeaders.REASON)).isEqualTo("unwritable-output");
    assertThat(DlqHeaders.value(dlq.headers(), DlqHeaders.SOURCE_OFFSET)).isEqualTo("41");
    assertThat(dlq.timestamp()).isPositive();
  }

  @Test
  void aRetriableErrorFailsTheAttemptSoStreamsRetries() {
    ProducerRecord<byte[], byte[]> out =
        new ProducerRecord<>(Topics.ALERTS, new byte[] {1}, new byte[] {9});
    assertThat(handler.handleError(CONTEXT, out, new NotEnoughReplicasException("later")).result())
        .isEqualTo(ProductionExceptionHandler.Result.FAIL);
  }

  @Test
  void aRecordTheDlqItselfRefusesIsNotSentBackToIt() {
    ProducerRecord<byte[], byte[]> out =
        new ProducerRecord<>(Topics.DLQ, new byte[] {1}, new byte[] {9});
    ProductionExceptionHandler.Response r =
        handler.handleError(CONTEXT, out, new InvalidTimestampException("x"));
    assertThat(r.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
    assertThat(r.deadLetterQueueRecords()).isEmpty();
  }
}
