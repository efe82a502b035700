package io.biometer.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The loss ledger's stored format is a contract between versions: each format pinned byte for byte.
 * This build writes format 2 and still reads format 1, which the builds before wrote.
 */
class LedgerEntryTest {

  private static final String STORE = "completeness-store";

  private static final String NUMBERS =
      "000000000000ea60" // cadence 60000
          + "0000000000000064" // first event 100
          + "00000000000000c8" // last event 200
          + "0000000000000005" // first sequence 5
          + "0000000000000009" // last sequence 9
          + "0000000000000004" // received
          + "0000000000000008" // copies
          + "0000000000000003" // late
          + "0000000000000001" // too late
          + "0000000000000002" // dlq
          + "00" // final emitted
          + "01"; // pending

  /** Format 1, as the builds before wrote it (modified UTF-8 strings); still read. */
  private static final String FORMAT_1 =
      "01" // format
          + "01"
          + "0009"
          + "70617469656e742d31" // "patient-1"
          + "01"
          + "0010"
          + "424f44595f54454d5045524154555245" // "BODY_TEMPERATURE"
          + NUMBERS;

  /** Format 2, as this version writes it (the shared string encoding); a later one must read it. */
  private static final String FORMAT_2 =
      "02" // format
          + "00000009"
          + "70617469656e742d31" // "patient-1"
          + "00000010"
          + "424f44595f54454d5045524154555245" // "BODY_TEMPERATURE"
          + NUMBERS;

  private static LedgerEntry sample() {
    LedgerEntry e = new LedgerEntry();
    e.ownerId = "patient-1";
    e.sensorType = "BODY_TEMPERATURE";
    e.cadence = 60_000;
    e.firstEvent = 100;
    e.lastEvent = 200;
    e.firstSequence = 5;
    e.lastSequence = 9;
    e.received = 4;
    e.copies = 8;
    e.late = 3;
    e.tooLate = 1;
    e.dlq = 2;
    e.pending = true;
    return e;
  }

  private static void assertIsTheSample(LedgerEntry e) {
    assertThat(e.ownerId).isEqualTo("patient-1");
    assertThat(e.sensorType).isEqualTo("BODY_TEMPERATURE");
    assertThat(e.cadence).isEqualTo(60_000);
    assertThat(e.received).isEqualTo(4);
    assertThat(e.duplicates()).isEqualTo(4);
    assertThat(e.gaps()).isEqualTo(1);
    assertThat(e.expected()).isEqualTo(1);
    assertThat(e.pending).isTrue();
    assertThat(e.finalEmitted).isFalse();
  }

  @Test
  void writesFormatTwoByteForByte() {
    assertThat(HexFormat.of().formatHex(sample().encode())).isEqualTo(FORMAT_2);
  }

  @Test
  void readsFormatTwo() {
    assertIsTheSample(LedgerEntry.decode(HexFormat.of().parseHex(FORMAT_2), "s"));
  }

  @Test
  void readsFormatOne() {
    assertIsTheSample(LedgerEntry.decode(HexFormat.of().parseHex(FORMAT_1), "s"));
  }

  @Test
  void anAbsentOwnerAndSensorTypeReadBackAsNullInBothFormats() {
    LedgerEntry e = new LedgerEntry();
    e.received = 1;
    byte[] two = e.encode();
    assertThat(HexFormat.of().formatHex(two)).startsWith("02" + "ffffffff" + "ffffffff");
    assertThat(LedgerEntry.decode(two, "s").ownerId).isNull();
    LedgerEntry one =
        LedgerEntry.decode(HexFormat.of().parseHex("01" + "00" + "00" + NUMBERS), "s");
    assertThat(one.ownerId).isNull();
    assertThat(one.sensorType).isNull();
    assertThat(one.received).isEqualTo(4);
  }

  @Test
  void refusesAnotherFormatAndATruncatedEntry() {
    byte[] other = HexFormat.of().parseHex(FORMAT_2);
    other[0] = 3;
    assertThatThrownBy(() -> LedgerEntry.decode(other, STORE))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining(STORE)
        .hasMessageContaining("format 3")
        .hasMessageContaining("reads format 1, 2 only");
    for (String format : new String[] {FORMAT_1, FORMAT_2}) {
      byte[] cut = Arrays.copyOf(HexFormat.of().parseHex(format), 20);
      assertThatThrownBy(() -> LedgerEntry.decode(cut, STORE))
          .isInstanceOf(StateFormatException.class)
          .hasMessageContaining(STORE)
          .hasMessageContaining("truncated");
    }
  }

  @Test
  void refusesAnEntryWithBytesAfterItsEndInEitherFormat() {
    for (String format : new String[] {FORMAT_1, FORMAT_2}) {
      byte[] padded = HexFormat.of().parseHex(format + "00");
      assertThatThrownBy(() -> LedgerEntry.decode(padded, STORE))
          .isInstanceOf(StateFormatException.class)
          .hasMessageContaining(STORE)
          .hasMessageContaining("1 bytes after its end");
    }
  }
}
