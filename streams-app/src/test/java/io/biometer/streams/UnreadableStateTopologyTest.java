package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.avro.SensorType;
import io.biometer.streams.internal.StateFormatException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A store value this build cannot read is no record's fault: over the real topology and its
 * processing-exception handler, the task fails naming the store, and the record that met the value
 * is neither dead-lettered nor passed on.
 */
class UnreadableStateTopologyTest {

  private final Driver d = new Driver().register("spo2-1", SensorType.BLOOD_OXYGEN);
  private final Instant t = Driver.WALL.minusSeconds(30);

  @AfterEach
  void close() {
    d.close();
  }

  /** The dedup-store key of spo2-1's block 0 in the bucket of {@code at}. */
  private Bytes blockKey(Instant at) {
    long bucket = Dedup.bucketMillis(d.config.dedupHorizonMs());
    String key = String.format("%013d|spo2-1#0", Math.floorDiv(at.toEpochMilli(), bucket));
    return Bytes.wrap(key.getBytes(StandardCharsets.UTF_8));
  }

  private void assertTheTaskFailsOnTheStore(byte[] stored) {
    KeyValueStore<Bytes, byte[]> store = d.driver.getKeyValueStore(Dedup.STORE);
    store.put(blockKey(t), stored);
    assertThatThrownBy(
            () -> d.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, 3, t, "s", 97.0)))
        .satisfies(
            e -> {
              Throwable c = e;
              while (c != null && !(c instanceof StateFormatException)) {
                c = c.getCause();
              }
              assertThat(c)
                  .as("the cause chain of %s", e)
                  .isInstanceOf(StateFormatException.class)
                  .hasMessageContaining(Dedup.STORE);
            });
    assertThat(d.dlq.isEmpty()).as("nothing dead-lettered").isTrue();
    assertThat(d.clean.isEmpty()).isTrue();
  }

  @Test
  void aTruncatedStoreValueFailsTheTaskInsteadOfDeadLetteringTheRecord() {
    // Version 1, mask: slots 0 and 3, but only slot 0's time.
    assertTheTaskFailsOnTheStore(HexFormat.of().parseHex("01" + "00000009" + "00000005"));
  }

  @Test
  void aStoreValueWithBytesAfterItsEndFailsTheTask() {
    assertTheTaskFailsOnTheStore(HexFormat.of().parseHex("01" + "00000001" + "00000005" + "00"));
  }
}
