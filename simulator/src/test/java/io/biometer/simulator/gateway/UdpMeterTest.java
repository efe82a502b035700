package io.biometer.simulator.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.ingress.Refusal;
import io.biometer.ingress.auth.Hmacs;
import io.biometer.ingress.readings.DeviceReading;
import io.biometer.ingress.readings.ReadingJson;
import io.biometer.ingress.udp.UdpBatchClient;
import io.biometer.ingress.udp.UdpCodec;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * A soil meter's UDP uploads against a gateway port in the test's hands: what a batch carries and
 * how it is signed, and what the meter does on an ACK, a NACK, a forged or unsigned answer, or
 * none.
 */
class UdpMeterTest {

  private static final byte[] KEY = key(7);
  private static final String DAY = "meter-0001/2026-11-20";

  private final ManualLoop loop = new ManualLoop();
  private final FakeDatagrams gateway = new FakeDatagrams();
  private final LoginGate gate = new LoginGate(4, loop);
  private final GatewayStats stats = new GatewayStats(10_000);
  private final List<String> delivered = new ArrayList<>();
  private final List<String> lost = new ArrayList<>();

  private final RelayDevice.Outcomes outcomes =
      new RelayDevice.Outcomes() {
        @Override
        public void delivered(String relayId, Pending r, boolean replay) {
          delivered.add(relayId + " " + r.id() + (replay ? " replay" : ""));
        }

        @Override
        public void lost(String relayId, Pending r, String why) {
          lost.add(relayId + " " + r.id() + " " + why);
        }
      };

  private static byte[] key(int seed) {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) seed);
    return k;
  }

  private UdpMeter started() {
    UdpMeter m = new UdpMeter("meter-0001", KEY, gateway, loop, gate, stats, outcomes);
    loop.execute(m::start);
    loop.run();
    return m;
  }

  private static List<Pending> day(long from, int n) {
    return LongStream.range(from, from + n)
        .mapToObj(
            s ->
                new Pending(
                    "meter-0001",
                    s,
                    1_700_000_000_000L + s * 900_000,
                    Map.of("soil_moisture", 31.5, "soil_temperature", 12.25),
                    77f,
                    true))
        .toList();
  }

  @Test
  void aDayGoesAsOneBatchSignedWithTheMetersKeyAndIsDeliveredOnASignedAck() {
    UdpMeter m = started();
    m.offer(DAY, day(100, 96));
    loop.run();
    assertThat(gateway.sends).hasSize(1);
    FakeDatagrams.Send s = gateway.last();
    assertThat(s.batchId()).isEqualTo(DAY);
    assertThat(s.header().authId()).isEqualTo("meter-0001");
    assertThat(s.header().firstSequence()).isEqualTo(100);
    assertThat(s.header().lastSequence()).isEqualTo(195);
    assertThat(s.sentAt()).isEqualTo(loop.wallMillis());
    assertThat(s.fragments()).hasSizeGreaterThan(1).allMatch(f -> f.verify(KEY));
    assertThat(s.fragments()).noneMatch(f -> f.verify(key(8)));
    UdpCodec.Fragment last = s.fragments().get(s.fragments().size() - 1);
    assertThat(Hmacs.verify(KEY, "meter-0001", 100, s.sentAt(), s.payload(), last.batchSignature()))
        .as("the batch signature, over the device id, first sequence and sentAt")
        .isTrue();
    List<DeviceReading> readings = ReadingJson.parse(Buffer.buffer(s.payload()));
    assertThat(readings).hasSize(96).allMatch(r -> r.sentAt() == s.sentAt());
    assertThat(stats.held()).isEqualTo(96);
    assertThat(m.held()).isEqualTo(96);

    gateway.ack(KEY, s, 96, 0);
    loop.run();
    assertThat(delivered).hasSize(96).allMatch(d -> d.startsWith(DAY + " meter-0001/"));
    assertThat(delivered).noneMatch(d -> d.endsWith("replay"));
    assertThat(stats.meterAccepted.sum()).isEqualTo(96);
    assertThat(stats.held()).isZero();
    assertThat(m.held()).isZero();
    assertThat(gate.probing()).isFalse();
  }

  @Test
  void withoutAnAnswerTheBatchGoesAgainWithItsIdAndALaterSentAtAndAnyAckOfItCounts() {
    UdpMeter m = started();
    m.offer(DAY, day(0, 10));
    loop.run();
    FakeDatagrams.Send first = gateway.last();
    loop.advance(UdpMeter.FIRST_WAIT_MILLIS);
    assertThat(gateway.sends).hasSize(2);
    FakeDatagrams.Send second = gateway.last();
    assertThat(second.batchId()).isEqualTo(DAY);
    assertThat(second.sentAt()).isGreaterThan(first.sentAt());
    assertThat(second.header().firstSequence()).isZero();
    assertThat(stats.timeouts.sum()).isEqualTo(1);
    assertThat(stats.resent.sum()).isEqualTo(10);

    // The answer to the first send was slow, not lost: it still says Kafka has the batch.
    gateway.ack(KEY, first, 10, 0);
    loop.run();
    assertThat(delivered).hasSize(10);
    assertThat(m.held()).isZero();
    loop.advance(UdpMeter.MAX_WAIT_MILLIS * 4);
    assertThat(gateway.sends).as("nothing more to send").hasSize(2);
  }

  @Test
  void theWaitForAnAnswerDoublesUpToItsCap() {
    assertThat(UdpMeter.wait(1)).isBetween(UdpMeter.FIRST_WAIT_MILLIS * 3 / 4, 3_000L);
    assertThat(UdpMeter.wait(2)).isBetween(4_500L, 6_000L);
    assertThat(UdpMeter.wait(20)).isBetween(UdpMeter.MAX_WAIT_MILLIS * 3 / 4, 30_000L);
  }

  @Test
  void aRetriableNackIsSentAgainAfterAPauseAndAReSentBatchAckedAsReplaysIsDelivered() {
    UdpMeter m = started();
    m.offer(DAY, day(0, 4));
    loop.run();
    gateway.nack(KEY, gateway.last(), Refusal.UNAVAILABLE);
    loop.run();
    assertThat(gateway.sends).as("not at once").hasSize(1);
    assertThat(stats.retryAnswers.sum()).isEqualTo(1);
    loop.advance(RelayDevice.MIN_BACKOFF_MILLIS);
    assertThat(gateway.sends).hasSize(2);
    // Two readings were in Kafka already after the first send.
    gateway.ack(KEY, gateway.last(), 2, 2);
    loop.run();
    assertThat(delivered).hasSize(4);
    assertThat(stats.meterAccepted.sum()).isEqualTo(2);
    assertThat(stats.replays.sum()).isEqualTo(2);
    assertThat(m.held()).isZero();
  }

  @Test
  void aSignedNackThatAnotherSendWouldNotChangeCountsTheBatchRefusedAndTheNextOneGoes() {
    UdpMeter m = started();
    m.offer(DAY, day(0, 3));
    m.offer("meter-0001/2026-11-21", day(3, 2));
    loop.run();
    assertThat(gateway.sends).as("one batch at a time").hasSize(1);
    gateway.nack(KEY, gateway.last(), Refusal.CLOCK_SKEW);
    loop.run();
    assertThat(stats.refusedByReason()).containsExactly(Map.entry("clock_skew", 3L));
    assertThat(lost)
        .containsExactly(
            DAY + " meter-0001/0 refused by the gateway: clock_skew",
            DAY + " meter-0001/1 refused by the gateway: clock_skew",
            DAY + " meter-0001/2 refused by the gateway: clock_skew");
    assertThat(gateway.sends).hasSize(2);
    assertThat(gateway.last().batchId()).isEqualTo("meter-0001/2026-11-21");
    gateway.ack(KEY, gateway.last(), 2, 0);
    loop.run();
    assertThat(delivered).hasSize(2);
    assertThat(stats.held()).isZero();
    assertThat(m.held()).isZero();
  }

  @Test
  void anUnknownDeviceOrNotPermittedIsSentAgainAFewTimesThenRefused() {
    started().offer(DAY, day(0, 1));
    loop.run();
    for (int i = 1; i < RelayDevice.MAX_TRANSIENT_ATTEMPTS; i++) {
      gateway.nack(KEY, gateway.last(), Refusal.NOT_PERMITTED);
      // The pause doubles; it stays below the wait for an answer to the send after it.
      loop.advance(RelayDevice.MIN_BACKOFF_MILLIS << (i - 1));
      assertThat(gateway.sends).hasSize(i + 1);
    }
    gateway.nack(KEY, gateway.last(), Refusal.NOT_PERMITTED);
    loop.advance(RelayDevice.MAX_BACKOFF_MILLIS * 10);
    assertThat(gateway.sends).hasSize(RelayDevice.MAX_TRANSIENT_ATTEMPTS);
    assertThat(stats.refusedByReason()).containsExactly(Map.entry("not_permitted", 1L));
  }

  @Test
  void forgedAnswersAndNacksOfAnEarlierSendAreIgnored() {
    UdpMeter m = started();
    m.offer(DAY, day(0, 2));
    loop.run();
    FakeDatagrams.Send first = gateway.last();
    gateway.ack(key(9), first, 2, 0);
    gateway.nack(key(9), first, Refusal.MALFORMED);
    loop.run();
    assertThat(delivered).isEmpty();
    assertThat(stats.refusedTotal()).isZero();
    loop.advance(UdpMeter.FIRST_WAIT_MILLIS);
    assertThat(gateway.sends).hasSize(2);
    gateway.nack(KEY, first, Refusal.SEQUENCE_BEHIND);
    loop.run();
    assertThat(stats.refusedTotal()).as("a NACK of the send before").isZero();
    assertThat(m.held()).isEqualTo(2);
  }

  @Test
  void anUnsignedNackIsAHintTheBatchIsKeptAndARefusedKeyMakesTheGateProbe() {
    UdpMeter m = started();
    m.offer(DAY, day(0, 2));
    loop.run();
    // Anyone could send it; the gateway sends it when it does not know the key (yet).
    gateway.nack(null, gateway.last(), Refusal.UNKNOWN_DEVICE);
    loop.run();
    assertThat(stats.refusedTotal()).isZero();
    assertThat(stats.loginRefusals.sum()).isEqualTo(1);
    assertThat(gate.probing()).as("one login at a time now").isTrue();
    loop.advance(2 * RelayDevice.MIN_BACKOFF_MILLIS);
    assertThat(gateway.sends).hasSize(2);
    gateway.nack(null, gateway.last(), Refusal.MALFORMED);
    loop.advance(4 * RelayDevice.MIN_BACKOFF_MILLIS);
    assertThat(stats.refusedTotal()).isZero();
    assertThat(gateway.sends).hasSize(3);
    gateway.ack(KEY, gateway.last(), 2, 0);
    loop.run();
    assertThat(delivered).hasSize(2);
    assertThat(gate.probing()).as("the signed ACK proved the key").isFalse();
    assertThat(m.held()).isZero();
  }

  @Test
  void aDayOfMoreThanTheReplayWindowIsSplitIntoBatchesNamedAfterIt() {
    List<UdpMeter.Upload> parts = UdpMeter.split(DAY, day(1_000, 600));
    assertThat(parts).hasSizeGreaterThanOrEqualTo(3);
    for (int i = 0; i < parts.size(); i++) {
      UdpMeter.Upload u = parts.get(i);
      assertThat(u.batchId).isEqualTo(DAY + "#" + (i + 1));
      assertThat(u.last - u.first).isLessThan(UdpMeter.MAX_SEQUENCES);
      List<DeviceReading> r = u.readings.stream().map(p -> p.reading(1_800_000_000_000L)).toList();
      assertThat(UdpBatchClient.json(r, 1_800_000_000_000L).length)
          .isLessThanOrEqualTo(UdpMeter.MAX_BATCH_BYTES);
    }
    assertThat(parts.stream().mapToInt(u -> u.readings.size()).sum()).isEqualTo(600);
    assertThat(parts.get(1).first).isEqualTo(parts.get(0).last + 1);
    assertThat(UdpMeter.split(DAY, day(0, 96))).extracting(u -> u.batchId).containsExactly(DAY);
    assertThat(UdpMeter.batchIdOf("x".repeat(65)))
        .as("too long: its hash")
        .hasSize(64)
        .matches("[0-9a-f]{64}");
    assertThat(UdpMeter.batchIdOf("a b")).hasSize(64);
  }

  @Test
  void verifiedNacksMapToRetryTransientOrRefused() {
    assertThat(UdpMeter.kind(nack(Refusal.UNAVAILABLE))).isEqualTo(Answer.Kind.RETRY);
    assertThat(UdpMeter.kind(nack(Refusal.RATE_LIMITED))).isEqualTo(Answer.Kind.RETRY);
    assertThat(UdpMeter.kind(nack(Refusal.TRUNCATED))).isEqualTo(Answer.Kind.RETRY);
    assertThat(UdpMeter.kind(nack(Refusal.UNKNOWN_DEVICE))).isEqualTo(Answer.Kind.TRANSIENT);
    assertThat(UdpMeter.kind(nack(Refusal.MALFORMED))).isEqualTo(Answer.Kind.REFUSED);
    assertThat(UdpMeter.kind(nack(Refusal.OVERSIZE))).isEqualTo(Answer.Kind.REFUSED);
    assertThat(UdpMeter.refusesTheKey(nack(Refusal.BAD_SIGNATURE))).isTrue();
    assertThat(UdpMeter.refusesTheKey(nack(Refusal.LOGIN_THROTTLED))).isTrue();
    assertThat(UdpMeter.refusesTheKey(nack(Refusal.TRUNCATED))).isFalse();
  }

  private static UdpCodec.Answer nack(Refusal r) {
    byte[] d = UdpCodec.encodeNack(KEY, DAY, 0, 1, 1, r, "m", Integer.MAX_VALUE);
    try {
      return UdpCodec.decodeAnswer(d, d.length);
    } catch (UdpCodec.BadDatagram e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void readingsHeldAtShutdownAreCountedLeftAndLost() {
    UdpMeter m = started();
    m.offer(DAY, day(0, 3));
    m.offer("meter-0001/2026-11-21", day(3, 2));
    loop.run();
    assertThat(m.shutdown()).isEqualTo(5);
    assertThat(lost).hasSize(5).allMatch(l -> l.endsWith("left unsent at the end of the run"));
    assertThat(stats.held()).isZero();
    gateway.ack(KEY, gateway.sends.get(0), 3, 0);
    loop.advance(UdpMeter.MAX_WAIT_MILLIS);
    assertThat(delivered).isEmpty();
    assertThat(gateway.sends).hasSize(1);
  }

  @Test
  void beyondTheStoreLimitReadingsAreCountedLost() {
    GatewayStats small = new GatewayStats(3);
    UdpMeter m = new UdpMeter("meter-0001", KEY, gateway, loop, gate, small, outcomes);
    loop.execute(m::start);
    m.offer(DAY, day(0, 5));
    loop.run();
    assertThat(small.lostStoreFull.sum()).isEqualTo(2);
    assertThat(gateway.last().header().lastSequence()).isEqualTo(2);
    assertThat(lost).hasSize(2);
  }
}
