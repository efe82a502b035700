package io.biometer.streams.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.avro.SensorType;
import io.biometer.streams.internal.StateFormatException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The value formats of the alerting steps' stores are contracts: each pinned byte for byte, read
 * back as written, and an unknown version refused naming the store.
 */
class AlertStoreFormatsTest {

  private static final HexFormat HEX = HexFormat.of();

  // alert-state-store, version 1
  private static final String RULE_STATE =
      "01" // version
          + "00000006"
          + "524149534544" // status "RAISED", by name
          + "000000000000007b"; // since 123

  // last-seen-store, version 1
  private static final String LAST_SEEN =
      "01" // version
          + "00000000000003e8" // last 1000
          + "0000000000007530" // silent after 30000
          + "01" // silent
          + "00000009"
          + "70617469656e742d31" // owner "patient-1"
          + "00000010"
          + "424f44595f54454d5045524154555245"; // sensor type "BODY_TEMPERATURE", by name

  // sink-alert-store, version 1
  private static final String SINK_DOWN = "01" + "000000000000007b"; // raised at 123

  private final RuleStateSerde ruleStates = new RuleStateSerde(ThresholdAlerts.STATE_STORE);
  private final LastSeenSerde lastSeen = new LastSeenSerde(SilentDevices.LAST_SEEN_STORE);
  private final SinkDownSerde sinkDown = new SinkDownSerde(SinkAlerts.STORE);

  private static LastSeen seen() {
    LastSeen s = new LastSeen();
    s.last = 1000;
    s.silentAfter = 30_000;
    s.silent = true;
    s.owner = "patient-1";
    s.type = SensorType.BODY_TEMPERATURE;
    return s;
  }

  private static byte[] v2(String golden) {
    return HEX.parseHex("02" + golden.substring(2));
  }

  @Test
  void ruleStateIsWrittenAsTheGoldenBytes() {
    assertThat(
            HEX.formatHex(
                ruleStates
                    .serializer()
                    .serialize("t", new RuleState(RuleState.Status.RAISED, 123))))
        .isEqualTo(RULE_STATE);
  }

  @Test
  void ruleStateReadsBackAsWritten() {
    for (RuleState.Status status : RuleState.Status.values()) {
      RuleState s = new RuleState(status, 42);
      assertThat(
              ruleStates.deserializer().deserialize("t", ruleStates.serializer().serialize("t", s)))
          .isEqualTo(s);
    }
  }

  @Test
  void ruleStateOfAnUnknownVersionFailsNamingTheStore() {
    assertThatThrownBy(() -> ruleStates.deserializer().deserialize("t", v2(RULE_STATE)))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining("alert-state-store")
        .hasMessageContaining("format 2")
        .hasMessageContaining("reads format 1 only");
  }

  @Test
  void theOldRuleStateStringIsRefusedNotMisread() {
    byte[] old = "RAISED:123".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> ruleStates.deserializer().deserialize("t", old))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining("alert-state-store");
  }

  @Test
  void lastSeenIsWrittenAsTheGoldenBytes() {
    assertThat(HEX.formatHex(lastSeen.serializer().serialize("t", seen()))).isEqualTo(LAST_SEEN);
  }

  @Test
  void lastSeenReadsBackAsWritten() {
    LastSeen s =
        lastSeen.deserializer().deserialize("t", lastSeen.serializer().serialize("t", seen()));
    assertThat(s.last).isEqualTo(1000);
    assertThat(s.silentAfter).isEqualTo(30_000);
    assertThat(s.silent).isTrue();
    assertThat(s.owner).isEqualTo("patient-1");
    assertThat(s.type).isEqualTo(SensorType.BODY_TEMPERATURE);
    assertThat(s.storedAt).isEqualTo(1000);
  }

  @Test
  void lastSeenOfAnUnknownVersionFailsNamingTheStore() {
    assertThatThrownBy(() -> lastSeen.deserializer().deserialize("t", v2(LAST_SEEN)))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining("last-seen-store")
        .hasMessageContaining("format 2")
        .hasMessageContaining("reads format 1 only");
  }

  @Test
  void theOldLastSeenStringIsRefusedNotMisread() {
    byte[] old = "1000|30000|1|patient-1|BODY_TEMPERATURE".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> lastSeen.deserializer().deserialize("t", old))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining("last-seen-store");
  }

  @Test
  void sinkDownIsWrittenAsTheGoldenBytesAndReadsBack() {
    assertThat(HEX.formatHex(sinkDown.serializer().serialize("t", 123L))).isEqualTo(SINK_DOWN);
    assertThat(sinkDown.deserializer().deserialize("t", HEX.parseHex(SINK_DOWN))).isEqualTo(123L);
  }

  @Test
  void sinkDownOfAnUnknownVersionFailsNamingTheStore() {
    assertThatThrownBy(() -> sinkDown.deserializer().deserialize("t", v2(SINK_DOWN)))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining("sink-alert-store")
        .hasMessageContaining("format 2");
    // The old value was a bare long: its first byte is 0.
    assertThatThrownBy(
            () -> sinkDown.deserializer().deserialize("t", HEX.parseHex("000000000000007b")))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining("format 0");
  }

  private static byte[] cut(String golden, int less) {
    byte[] b = HEX.parseHex(golden);
    return java.util.Arrays.copyOf(b, b.length - less);
  }

  private static byte[] padded(String golden) {
    return HEX.parseHex(golden + "00");
  }

  @Test
  void aTruncatedRuleStateIsAStateFormatExceptionNamingTheStore() {
    assertThatThrownBy(() -> ruleStates.deserializer().deserialize("t", cut(RULE_STATE, 1)))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining("alert-state-store")
        .hasMessageContaining("truncated");
  }

  @Test
  void aRuleStateWithBytesAfterItsEndIsAStateFormatException() {
    assertThatThrownBy(() -> ruleStates.deserializer().deserialize("t", padded(RULE_STATE)))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining("alert-state-store")
        .hasMessageContaining("1 bytes after its end");
  }

  @Test
  void aRuleStatusThisBuildDoesNotKnowIsAStateFormatException() {
    // "SNOOZE", six letters like "RAISED": a status a later build might add.
    byte[] other = HEX.parseHex(RULE_STATE.replace("524149534544", "534e4f4f5a45"));
    assertThatThrownBy(() -> ruleStates.deserializer().deserialize("t", other))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining("alert-state-store")
        .hasMessageContaining("'SNOOZE'");
  }

  @Test
  void aTruncatedOrPaddedLastSeenIsAStateFormatExceptionNamingTheStore() {
    assertThatThrownBy(() -> lastSeen.deserializer().deserialize("t", cut(LAST_SEEN, 3)))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining("last-seen-store")
        .hasMessageContaining("truncated");
    assertThatThrownBy(() -> lastSeen.deserializer().deserialize("t", padded(LAST_SEEN)))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining("last-seen-store")
        .hasMessageContaining("after its end");
  }

  @Test
  void aTruncatedOrPaddedSinkDownIsAStateFormatExceptionNamingTheStore() {
    assertThatThrownBy(() -> sinkDown.deserializer().deserialize("t", cut(SINK_DOWN, 1)))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining("sink-alert-store")
        .hasMessageContaining("truncated");
    assertThatThrownBy(() -> sinkDown.deserializer().deserialize("t", padded(SINK_DOWN)))
        .isInstanceOf(StateFormatException.class)
        .hasMessageContaining("sink-alert-store")
        .hasMessageContaining("after its end");
  }
}
