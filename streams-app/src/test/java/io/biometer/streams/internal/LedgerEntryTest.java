package io.biometer.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The loss ledger's stored format is a contract between versions: pinned byte for byte. */
class LedgerEntryTest {

  /** Format 1, as this version writes it; a later version must read these bytes or refuse them. */
  private static final String FORMAT_1 =
      "01" // format
          + "01"
          + "0009"
          + "70617469656e742d31" // "patient-1"
          + "01"
          + "0010"
          + "424f44595f54454d5045524154555245" // "BODY_TEMPERATURE"
          + "000000000000ea60" // cadence 60000
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

  @Test
  void writesFormatOneByteForByte() {
    assertThat(HexFormat.of().formatHex(sample().encode())).isEqualTo(FORMAT_1);
  }

  @Test
  void readsFormatOne() {
    LedgerEntry e = LedgerEntry.decode(HexFormat.of().parseHex(FORMAT_1), "s");
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
  void refusesAnotherFormatAndATruncatedEntry() {
    byte[] other = HexFormat.of().parseHex(FORMAT_1);
    other[0] = 2;
    assertThatThrownBy(() -> LedgerEntry.decode(other, "completeness-store"))
        .hasMessageContaining("completeness-store")
        .hasMessageContaining("format 2")
        .hasMessageContaining("reads format 1 only");
    byte[] cut = java.util.Arrays.copyOf(HexFormat.of().parseHex(FORMAT_1), 20);
    assertThatThrownBy(() -> LedgerEntry.decode(cut, "completeness-store"))
        .hasMessageContaining("truncated");
  }
}
