package io.biometer.streams.aggregation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.avro.SensorType;
import io.biometer.streams.internal.StateFormatException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The daily-aggregate store's value format is a contract: pinned byte for byte. */
class DayStatsSerdeTest {

  private static final String STORE = "daily-aggregate-store";

  /** Version 1; a format change without a version bump fails here. */
  private static final String GOLDEN =
      "01" // version
          + "0000000000000002" // count 2
          + "4000000000000000" // min 2.0
          + "4010000000000000" // max 4.0
          + "4018000000000000" // sum 6.0
          + "000000000000000a" // first event 10
          + "0000000000000014" // last event 20
          + "0000000c"
          + "424c4f4f445f4f585947454e" // sensor type "BLOOD_OXYGEN", by name
          + "00000009"
          + "70617469656e742d31"; // owner "patient-1"

  private final DayStatsSerde serde = new DayStatsSerde(STORE);

  private static DayStatsSerde.Value sample() {
    return new DayStatsSerde.Value(
        new DailyStats().add(2, 10).add(4, 20), "patient-1", SensorType.BLOOD_OXYGEN);
  }

  @Test
  void writesVersionOneByteForByte() {
    assertThat(HexFormat.of().formatHex(serde.serializer().serialize(STORE, sample())))
        .isEqualTo(GOLDEN);
  }

  @Test
  void aValueReadsBackAsWritten() {
    DayStatsSerde.Value v =
        serde.deserializer().deserialize(STORE, serde.serializer().serialize(STORE, sample()));
    assertThat(v.owner()).isEqualTo("patient-1");
    assertThat(v.type()).isEqualTo(SensorType.BLOOD_OXYGEN);
    DailyStats s = v.stats();
    assertThat(new double[] {s.count(), s.min(), s.max(), s.sum(), s.first(), s.last()})
        .containsExactly(2, 2.0, 4.0, 6.0, 10, 20);
  }

  @Test
  void aSensorTypeThisBuildDoesNotKnowReadsAsUnknown() {
    String other = GOLDEN.replace("0000000c424c4f4f445f4f585947454e", "000000034e4557");
    assertThat(serde.deserializer().deserialize(STORE, HexFormat.of().parseHex(other)).type())
        .isEqualTo(SensorType.UNKNOWN);
  }

  @Test
  void anUnknownVersionFailsNamingTheStore() {
    byte[] v2 = HexFormat.of().parseHex("02" + GOLDEN.substring(2));
    assertThatThrownBy(() -> serde.deserializer().deserialize(STORE, v2))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining(STORE)
        .hasMessageContaining("format 2")
        .hasMessageContaining("reads format 1 only");
  }

  @Test
  void theUnversionedFormatBeforeItIsRefusedNotMisread() {
    // The old layout started with the count as a long: its first byte is 0.
    byte[] old = HexFormat.of().parseHex("0000000000000002" + GOLDEN.substring(18));
    assertThatThrownBy(() -> serde.deserializer().deserialize(STORE, old))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining("format 0");
  }

  @Test
  void aTruncatedValueIsAStateFormatExceptionNotUnknown() {
    byte[] golden = HexFormat.of().parseHex(GOLDEN);
    // Cut inside the sensor type's name: not a name this build does not know, but a damaged value.
    byte[] cut = java.util.Arrays.copyOf(golden, 1 + 8 * 6 + 4 + 5);
    assertThatThrownBy(() -> serde.deserializer().deserialize(STORE, cut))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining(STORE)
        .hasMessageContaining("truncated");
  }

  @Test
  void bytesAfterTheEndAreAStateFormatException() {
    byte[] padded = HexFormat.of().parseHex(GOLDEN + "00");
    assertThatThrownBy(() -> serde.deserializer().deserialize(STORE, padded))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining(STORE)
        .hasMessageContaining("1 bytes after its end");
  }
}
