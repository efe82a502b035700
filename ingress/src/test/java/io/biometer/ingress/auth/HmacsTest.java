package io.biometer.ingress.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HmacsTest {

  private static final byte[] KEY =
      "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private static final byte[] PAYLOAD = "[{\"x\":1}]".getBytes(StandardCharsets.UTF_8);

  @Test
  void theSignedTextBindsDeviceSequenceTimeAndPayloadHash() {
    assertThat(Hmacs.signedText("m1", 7, 1000, PAYLOAD))
        .isEqualTo("m1|7|1000|" + Hmacs.hex(Hmacs.sha256(PAYLOAD)));
  }

  @Test
  void aSignatureVerifiesOnlyForTheSameMessageAndKey() {
    byte[] sig = Hmacs.sign(KEY, "m1", 7, 1000, PAYLOAD);
    assertThat(Hmacs.verify(KEY, "m1", 7, 1000, PAYLOAD, sig)).isTrue();
    assertThat(Hmacs.verify(KEY, "m2", 7, 1000, PAYLOAD, sig)).as("other device").isFalse();
    assertThat(Hmacs.verify(KEY, "m1", 8, 1000, PAYLOAD, sig)).as("other sequence").isFalse();
    assertThat(Hmacs.verify(KEY, "m1", 7, 1001, PAYLOAD, sig)).as("other time").isFalse();
    assertThat(Hmacs.verify(KEY, "m1", 7, 1000, "[]".getBytes(), sig))
        .as("other payload")
        .isFalse();
    byte[] other = KEY.clone();
    other[0] ^= 1;
    assertThat(Hmacs.verify(other, "m1", 7, 1000, PAYLOAD, sig)).as("other key").isFalse();
    assertThat(Hmacs.verify(KEY, "m1", 7, 1000, PAYLOAD, null)).isFalse();
  }

  @Test
  void theHmacIsRfc4231TestCase2() {
    // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?"
    byte[] mac =
        Hmacs.hmac(
            "Jefe".getBytes(StandardCharsets.US_ASCII),
            "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII));
    assertThat(Hmacs.hex(mac))
        .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }
}
