package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.streams.internal.DlqRecords;
import io.biometer.streams.internal.SourceRecord;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** The DLQ header names are a contract for the DLQ's readers: pinned, and all of them written. */
class DlqHeadersTest {

  private static final List<String> NAMES =
      List.of(
          "biometer.dlq.reason",
          "biometer.dlq.source.topic",
          "biometer.dlq.source.partition",
          "biometer.dlq.source.offset",
          "biometer.dlq.source.timestamp",
          "biometer.dlq.exception.class",
          "biometer.dlq.exception.message",
          "biometer.dlq.processor",
          "biometer.dlq.rejected.at");

  @Test
  void theNamesAreTheDocumentedOnes() {
    assertThat(
            List.of(
                DlqHeaders.REASON,
                DlqHeaders.SOURCE_TOPIC,
                DlqHeaders.SOURCE_PARTITION,
                DlqHeaders.SOURCE_OFFSET,
                DlqHeaders.SOURCE_TIMESTAMP,
                DlqHeaders.EXCEPTION_CLASS,
                DlqHeaders.EXCEPTION_MESSAGE,
                DlqHeaders.PROCESSOR,
                DlqHeaders.REJECTED_AT))
        .isEqualTo(NAMES)
        .allMatch(n -> n.startsWith(DlqHeaders.PREFIX));
  }

  @Test
  void aDlqRecordCarriesEveryHeaderOnceBesideTheOriginalOnes() {
    RecordHeaders original = new RecordHeaders();
    original.add("trace", new byte[] {1});
    original.add(DlqHeaders.REASON, "an earlier rejection".getBytes());
    ProducerRecord<byte[], byte[]> r =
        DlqRecords.build(
            "telemetry.dlq",
            "unknown-device",
            new SourceRecord("t", 2, 7, 9, null, new byte[] {0}, original),
            "validate",
            new IllegalArgumentException("no such device"),
            100);
    assertThat(Arrays.stream(r.headers().toArray()).map(Header::key))
        .containsExactlyInAnyOrderElementsOf(
            java.util.stream.Stream.concat(NAMES.stream(), java.util.stream.Stream.of("trace"))
                .toList());
    assertThat(DlqHeaders.value(r.headers(), DlqHeaders.REASON)).isEqualTo("unknown-device");
    assertThat(DlqHeaders.value(r.headers(), DlqHeaders.SOURCE_OFFSET)).isEqualTo("7");
    assertThat(DlqHeaders.value(r.headers(), "absent")).isNull();
  }
}
