package io.biometer.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** The stored form of a waiting reading is a contract: these bytes must keep reading the same. */
class WaitingReadingsTest {

  private static final String STORE = "unknown-device-wait-store";

  private static final String GOLDEN =
      "01" // version
          + "00000003"
          + "642d31" // device id "d-1"
          + "0000000000000064" // arrived at 100
          + "00000001"
          + "74" // topic "t"
          + "00000002" // partition 2
          + "0000000000000007" // offset 7
          + "0000000000000009" // timestamp 9
          + "00000003"
          + "642d31" // key "d-1"
          + "00000002"
          + "0001" // value 00 01
          + "00000002" // two headers
          + "00000001"
          + "68"
          + "00000001"
          + "7f" // h = 7f
          + "00000001"
          + "6e"
          + "ffffffff"; // n = null

  private static WaitingReadings.Entry entry() {
    RecordHeaders headers = new RecordHeaders();
    headers.add("h", new byte[] {0x7f});
    headers.add("n", null);
    return new WaitingReadings.Entry(
        "d-1",
        100,
        new SourceRecord(
            "t", 2, 7, 9, "d-1".getBytes(StandardCharsets.UTF_8), new byte[] {0, 1}, headers));
  }

  @Test
  void anEntryIsWrittenAsTheGoldenBytes() {
    assertThat(HexFormat.of().formatHex(WaitingReadings.encode(entry()))).isEqualTo(GOLDEN);
  }

  @Test
  void theGoldenBytesReadBackAsTheEntry() {
    WaitingReadings.Entry e = WaitingReadings.decode(HexFormat.of().parseHex(GOLDEN), STORE);
    assertThat(e.deviceId()).isEqualTo("d-1");
    assertThat(e.arrivedAt()).isEqualTo(100);
    SourceRecord s = e.source();
    assertThat(s.topic()).isEqualTo("t");
    assertThat(s.partition()).isEqualTo(2);
    assertThat(s.offset()).isEqualTo(7);
    assertThat(s.timestamp()).isEqualTo(9);
    assertThat(s.key()).isEqualTo("d-1".getBytes(StandardCharsets.UTF_8));
    assertThat(s.value()).containsExactly(0, 1);
    assertThat(s.headers().toArray()).hasSize(2);
    assertThat(s.headers().lastHeader("h").value()).containsExactly(0x7f);
    assertThat(s.headers().lastHeader("n").value()).isNull();
  }

  @Test
  void keysSortInArrivalOrder() {
    assertThat(WaitingReadings.arrival(WaitingReadings.key(258))).isEqualTo(258);
    assertThat(HexFormat.of().formatHex(WaitingReadings.key(258))).isEqualTo("0000000000000102");
  }

  @Test
  void anotherVersionIsAClearError() {
    byte[] v2 = HexFormat.of().parseHex("02" + GOLDEN.substring(2));
    assertThatThrownBy(() -> WaitingReadings.decode(v2, STORE))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining(STORE)
        .hasMessageContaining("format 2")
        .hasMessageContaining("reads format 1 only");
  }

  @Test
  void aTruncatedOrPaddedValueIsAClearError() {
    byte[] golden = HexFormat.of().parseHex(GOLDEN);
    assertThatThrownBy(() -> WaitingReadings.decode(java.util.Arrays.copyOf(golden, 30), STORE))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining(STORE)
        .hasMessageContaining("truncated");
    assertThatThrownBy(
            () -> WaitingReadings.decode(java.util.Arrays.copyOf(golden, golden.length + 1), STORE))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining(STORE)
        .hasMessageContaining("after its end");
  }
}
