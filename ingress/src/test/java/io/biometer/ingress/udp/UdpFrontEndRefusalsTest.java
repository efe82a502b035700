package io.biometer.ingress.udp;

import static io.biometer.ingress.udp.UdpCodecTest.KEY;
import static io.biometer.ingress.udp.UdpCodecTest.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.biometer.ingress.Refusal;
import io.biometer.ingress.udp.UdpCodec.Answer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a bad datagram or batch gets back from the UDP front end, and how it is counted. */
class UdpFrontEndRefusalsTest extends UdpFrontEndHarness {

  @Test
  void anUnknownAuthIdGetsAnUnsignedNack() throws Exception {
    try (UdpBatchClient stranger = client("nobody", KEY)) {
      List<byte[]> datagrams = stranger.datagrams("b1", readings(0, 2), NOW);

      Answer a = stranger.send("b1", readings(0, 2), WAIT);

      assertThat(a.ack()).isFalse();
      assertThat(a.refusal()).isEqualTo(Refusal.UNKNOWN_DEVICE);
      assertThat(a.signed()).isFalse();
      assertThat(a.datagram().length).isLessThanOrEqualTo(datagrams.get(0).length);
    }
    assertThat(metrics.refusedCount(Refusal.UNKNOWN_DEVICE)).isEqualTo(1);
    assertThat(calls).isEmpty();
  }

  @Test
  void aBadHmacGetsAnUnsignedNackAndCannotLockTheMeterOut() throws Exception {
    try (UdpBatchClient forger = client("meter-01", OTHER_KEY)) {
      for (int i = 0; i < 6; i++) {
        Answer a = forger.send("b" + i, readings(0, 1), WAIT);
        assertThat(a.refusal()).isEqualTo(Refusal.BAD_SIGNATURE);
        assertThat(a.signed()).isFalse();
        assertThat(a.message()).contains("does not verify");
      }
    }
    // The auth id travels in the clear: forged datagrams count against their address only, so
    // the meter itself (with more failures than one auth id may have) still gets through.
    Answer own = client.send("b9", readings(0, 1), WAIT);
    assertThat(own.ack()).as("%s %s", own.refusal(), own.message()).isTrue();
    assertThat(metrics.refusedCount(Refusal.BAD_SIGNATURE)).isEqualTo(6);
    assertThat(metrics.refusedCount(Refusal.LOGIN_THROTTLED)).isZero();
  }

  @Test
  void manyBadHmacsFromOneAddressAreThrottled() throws Exception {
    try (UdpBatchClient forger = client("meter-01", OTHER_KEY)) {
      for (int i = 0; i < 50; i++) {
        assertThat(forger.send("b" + i, readings(0, 1), WAIT).refusal())
            .isEqualTo(Refusal.BAD_SIGNATURE);
      }
      assertThat(forger.send("b50", readings(0, 1), WAIT).refusal())
          .isEqualTo(Refusal.LOGIN_THROTTLED);
    }
  }

  @Test
  void aBadBatchSignatureGetsASignedNack() throws Exception {
    byte[] payload = UdpBatchClient.json(readings(0, 2), NOW);
    // Signed for another device than the credential's, so every HMAC verifies but the batch not.
    sendAll(UdpBatchClient.datagrams(KEY, "meter-01", "m99", "b1", 0, 1, NOW, payload, 1232));

    Answer a = client.receive(WAIT);

    assertThat(a.refusal()).isEqualTo(Refusal.BAD_SIGNATURE);
    assertThat(a.verify(KEY)).isTrue();
    assertThat(a.message()).contains("batch signature", "m01|0|" + NOW + "|sha256hex(payload)");
    assertThat(calls).isEmpty();
  }

  @Test
  void anExpiredKeyGetsAnUnsignedNack() throws Exception {
    try (UdpBatchClient old = client("meter-02", KEY)) {
      Answer a = old.send("b1", readings(0, 1), WAIT);

      assertThat(a.refusal()).isEqualTo(Refusal.EXPIRED_SECRET);
      assertThat(a.signed()).isFalse();
    }
    assertThat(metrics.refusedCount(Refusal.EXPIRED_SECRET)).isEqualTo(1);
  }

  @Test
  void aSentAtOutsideTheClockSkewGetsASignedNack() throws Exception {
    try (UdpBatchClient late =
        new UdpBatchClient(gateway(), "meter-01", KEY, "m01", () -> NOW - SKEW - 1)) {
      Answer a = late.deliver("b1", readings(0, 1), WAIT, 3);

      assertThat(a.refusal()).isEqualTo(Refusal.CLOCK_SKEW);
      assertThat(a.verify(KEY)).isTrue();
      assertThat(a.message()).contains("set the meter's clock");
    }
    assertThat(metrics.refusedCount(Refusal.CLOCK_SKEW)).isEqualTo(1);
    assertThat(calls).isEmpty();
  }

  @Test
  void aBatchMissingADatagramIsNackedTruncatedAfterTheTimeout() throws Exception {
    List<byte[]> datagrams = client.maxDatagram(400).datagrams("b1", readings(0, 6), NOW);
    assertThat(datagrams).hasSize(4);
    sendAll(datagrams.subList(0, 1));
    await().atMost(WAIT).until(() -> gauge("biometer.ingress.udp.batches") == 1.0);

    monotonic.addAndGet(TIMEOUT - 1);
    get(front.sweep());
    assertThat(gauge("biometer.ingress.udp.batches")).isEqualTo(1.0);
    monotonic.addAndGet(1);
    get(front.sweep());
    Answer a = client.receive(WAIT);

    assertThat(a.refusal()).isEqualTo(Refusal.TRUNCATED);
    assertThat(a.verify(KEY)).isTrue();
    assertThat(a.sentAt()).isEqualTo(NOW);
    assertThat(a.message()).contains("fragments [1, 2, 3] of 4", "send the whole");
    assertThat(gauge("biometer.ingress.udp.batches")).isZero();
    assertThat(gauge("biometer.ingress.udp.buffered")).isZero();
    assertThat(metrics.refusedCount(Refusal.TRUNCATED)).isEqualTo(1);
    assertThat(calls).isEmpty();
  }

  @Test
  void aCutDatagramGetsAnUnsignedTruncatedNackNoLongerThanItself() throws Exception {
    byte[] whole = client.datagrams("b1", readings(0, 3), NOW).get(0);
    byte[] cut = Arrays.copyOf(whole, whole.length - 40);

    client.sendDatagram(cut);
    Answer a = client.receive(WAIT);

    assertThat(a.refusal()).isEqualTo(Refusal.TRUNCATED);
    assertThat(a.signed()).isFalse();
    assertThat(a.batchId()).isEqualTo("b1");
    assertThat(a.datagram().length).isLessThanOrEqualTo(cut.length);
    assertThat(metrics.refusedCount(Refusal.TRUNCATED)).isEqualTo(1);
  }

  @Test
  void aDatagramOfAnotherProtocolIsCountedAndNotAnswered() throws Exception {
    client.sendDatagram("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

    await().atMost(WAIT).until(() -> metrics.refusedCount(Refusal.MALFORMED) == 1);
    assertThat(client.receive(Duration.ofMillis(100))).isNull();
  }

  @Test
  void anOversizeBatchGetsASignedNack() throws Exception {
    Answer a = client.send("b1", readings(0, 40), WAIT);

    assertThat(UdpBatchClient.json(readings(0, 40), NOW).length).isGreaterThan(MAX_BATCH);
    assertThat(a.refusal()).isEqualTo(Refusal.OVERSIZE);
    assertThat(a.verify(KEY)).isTrue();
    assertThat(a.message()).contains("over max.payload.bytes (" + MAX_BATCH + ")");
  }

  @Test
  void readingsOutsideTheHeadersSequencesAreMalformed() throws Exception {
    byte[] payload = UdpBatchClient.json(readings(0, 3), NOW);
    sendAll(UdpBatchClient.datagrams(KEY, "meter-01", "m01", "b1", 0, 3, NOW, payload, 1232));

    Answer a = client.receive(WAIT);

    assertThat(a.refusal()).isEqualTo(Refusal.MALFORMED);
    assertThat(a.verify(KEY)).isTrue();
    assertThat(a.message()).contains("readings hold sequences 0..2, not the header's");
    assertThat(calls).isEmpty();
  }

  @Test
  void aPayloadThatIsNoJsonArrayIsMalformed() throws Exception {
    byte[] payload = "{\"deviceId\": \"m01\"}".getBytes(StandardCharsets.UTF_8);
    sendAll(UdpBatchClient.datagrams(KEY, "meter-01", "m01", "b1", 0, 0, NOW, payload, 1232));

    Answer a = client.receive(WAIT);

    assertThat(a.refusal()).isEqualTo(Refusal.MALFORMED);
    assertThat(a.verify(KEY)).isTrue();
    assertThat(a.message()).contains("a batch is a JSON array of readings");
  }

  @Test
  void tooManyBatchesAtOnceGetARetriableNack() throws Exception {
    for (int i = 0; i < 4; i++) {
      sendAll(client.maxDatagram(400).datagrams("b" + i, readings(0, 6), NOW).subList(0, 1));
    }
    await().atMost(WAIT).until(() -> gauge("biometer.ingress.udp.batches") == 4.0);

    sendAll(client.datagrams("b4", readings(0, 6), NOW).subList(0, 1));
    Answer a = client.receive(WAIT);

    assertThat(a.refusal()).isEqualTo(Refusal.UNAVAILABLE);
    assertThat(a.verify(KEY)).isTrue();
    assertThat(UdpBatchClient.retriable(a.refusal())).isTrue();
    assertThat(a.batchId()).isEqualTo("b4");
  }
}
