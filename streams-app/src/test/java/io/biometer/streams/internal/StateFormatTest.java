package io.biometer.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The rules every store value follows: the version byte and the errors that name the store. */
class StateFormatTest {

  private static int count(String text, String part) {
    int n = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void theVersionByteIsReadUnsigned() {
    assertThat(StateFormat.version(new byte[] {(byte) 0xfe}, "s", "a thing", 254)).isEqualTo(254);
    assertThatThrownBy(() -> StateFormat.version(new byte[] {(byte) 0xff}, "s", "a thing", 1))
        .isInstanceOfSatisfying(
            StateFormatException.class, e -> assertThat(e.found()).isEqualTo(255))
        .hasMessageContaining("of format 255")
        .hasMessageNotContaining("empty");
  }

  @Test
  void anEmptyValueIsRefusedAsEmpty() {
    assertThatThrownBy(() -> StateFormat.version(new byte[0], "s", "a thing", 1))
        .isInstanceOfSatisfying(
            StateFormatException.class, e -> assertThat(e.found()).isEqualTo(-1))
        .hasMessageContaining("empty value");
  }

  @Test
  void anUnknownVersionIsNamedOnceWithTheVersionsKnown() {
    String message = new StateFormatException("dedup-store", "a block", 7, 1, 2).getMessage();
    assertThat(message)
        .startsWith("state store dedup-store holds a block of format 7")
        .contains("reads format 1, 2 only")
        .contains("kafka-streams-application-reset");
    assertThat(count(message, "7")).isEqualTo(1);
    assertThat(count(message, "1, 2")).isEqualTo(1);
  }

  @Test
  void anUnreadableValueOfAKnownVersionNamesTheStoreAndWhatIsWrong() {
    byte[] stored = {1, 0, 0};
    StateFormatException e =
        StateFormat.truncated(
            stored, "dedup-store", "a block", new java.nio.BufferUnderflowException());
    assertThat(e.store()).isEqualTo("dedup-store");
    assertThat(e.found()).isEqualTo(1);
    assertThat(e.getMessage())
        .startsWith("state store dedup-store holds a block of format 1 that this build cannot read")
        .contains("truncated (3 bytes")
        .contains("kafka-streams-application-reset");
  }

  @Test
  void anEnumNameThisBuildDoesNotKnowIsRefused() {
    byte[] stored = {1};
    assertThat(
            StateFormat.byName(
                java.time.DayOfWeek.class, "MONDAY", stored, "s", "a thing", "weekday"))
        .isEqualTo(java.time.DayOfWeek.MONDAY);
    assertThatThrownBy(
            () ->
                StateFormat.byName(
                    java.time.DayOfWeek.class, "FUNDAY", stored, "s", "a thing", "weekday"))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining("its weekday is 'FUNDAY', which this build does not know");
    assertThatThrownBy(
            () ->
                StateFormat.byName(
                    java.time.DayOfWeek.class, null, stored, "s", "a thing", "weekday"))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining("its weekday is missing");
  }
}
