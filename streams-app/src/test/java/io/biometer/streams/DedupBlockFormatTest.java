package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.streams.internal.StateFormatException;
import java.util.HexFormat;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

/** The dedup store's value format is a contract: pinned byte for byte. */
class DedupBlockFormatTest {

  /** Version 1: slots 0 and 3 seen, 5 ms and 7 ms into the bucket. */
  private static final String GOLDEN =
      "01" // version
          + "00000009" // mask: slots 0 and 3
          + "00000005" // slot 0: 5 ms after the bucket's start
          + "00000007"; // slot 3: 7 ms after it

  private static Dedup.Block block() {
    return new Dedup.Block(Bytes.wrap(new byte[] {1}), 0, 0, 1000);
  }

  private static byte[] golden() {
    Dedup.Block b = block();
    b.decode(block().encodeWith(0, 1005), Dedup.STORE);
    return b.encodeWith(3, 1007);
  }

  @Test
  void writesVersionOneByteForByte() {
    assertThat(HexFormat.of().formatHex(golden())).isEqualTo(GOLDEN);
  }

  @Test
  void aBlockReadsBackAsWritten() {
    Dedup.Block b = block();
    b.decode(HexFormat.of().parseHex(GOLDEN), Dedup.STORE);
    assertThat(b.mask).isEqualTo(9);
    assertThat(b.holds(0, 1005)).isTrue();
    assertThat(b.holds(3, 1007)).isTrue();
    assertThat(b.holds(1, 1000)).isFalse();
  }

  @Test
  void anUnknownVersionFailsNamingTheStore() {
    byte[] v2 = HexFormat.of().parseHex("02" + GOLDEN.substring(2));
    assertThatThrownBy(() -> block().decode(v2, Dedup.STORE))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining("dedup-store")
        .hasMessageContaining("format 2")
        .hasMessageContaining("reads format 1 only");
  }

  @Test
  void theUnversionedFormatBeforeItIsRefusedNotMisread() {
    // The old layout started with the mask as an int: 16 bits used, so its first byte is 0.
    byte[] old = HexFormat.of().parseHex(GOLDEN.substring(2));
    assertThatThrownBy(() -> block().decode(old, Dedup.STORE))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining("format 0");
  }

  @Test
  void aTruncatedBlockIsAStateFormatExceptionNamingTheStore() {
    byte[] cut = HexFormat.of().parseHex(GOLDEN.substring(0, GOLDEN.length() - 2));
    assertThatThrownBy(() -> block().decode(cut, Dedup.STORE))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining("dedup-store")
        .hasMessageContaining("truncated");
  }

  @Test
  void aBlockWithBytesAfterItsEndIsAStateFormatException() {
    byte[] padded = HexFormat.of().parseHex(GOLDEN + "00000001");
    assertThatThrownBy(() -> block().decode(padded, Dedup.STORE))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining("dedup-store")
        .hasMessageContaining("4 bytes after its end");
  }

  @Test
  void aMaskWithBitsBeyondTheBlockIsAStateFormatException() {
    byte[] wide = HexFormat.of().parseHex("01" + "00010009" + GOLDEN.substring(10));
    assertThatThrownBy(() -> block().decode(wide, Dedup.STORE))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining("dedup-store")
        .hasMessageContaining("mask 10009");
  }
}
