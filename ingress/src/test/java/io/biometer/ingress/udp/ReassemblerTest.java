package io.biometer.ingress.udp;

import static io.biometer.ingress.udp.UdpCodecTest.KEY;
import static io.biometer.ingress.udp.UdpCodecTest.SENT_AT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.ingress.Refusal;
import io.biometer.ingress.Refused;
import io.biometer.ingress.replay.ReplayWindow;
import io.biometer.ingress.udp.Reassembler.Expired;
import io.biometer.ingress.udp.Reassembler.Offered;
import io.biometer.ingress.udp.Reassembler.Outcome;
import io.biometer.ingress.udp.UdpCodec.BatchHeader;
import io.biometer.ingress.udp.UdpCodec.Fragment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReassemblerTest {

  static final int TIMEOUT = 10_000;

  final AtomicLong clock = new AtomicLong(1_000);

  Reassembler<String> reassembler(int maxBatches, long maxBuffered) {
    return new Reassembler<>(1024, maxBatches, maxBuffered, TIMEOUT, clock::get);
  }

  /** The fragments of a send of {@code length} bytes, 86 bytes a fragment. */
  static List<Fragment> send(String batchId, long sentAt, int length, int seed) {
    byte[] payload = new byte[length];
    for (int i = 0; i < length; i++) {
      payload[i] = (byte) (i * 31 + seed);
    }
    List<Fragment> out = new ArrayList<>();
    int maxDatagram = UdpCodec.dataOverhead(8, batchId.length()) + UdpCodec.MAC_LENGTH + 86;
    for (byte[] d :
        UdpBatchClient.datagrams(
            KEY, "meter-01", "m01", batchId, 5, 8, sentAt, payload, maxDatagram)) {
      out.add(decode(d));
    }
    return out;
  }

  static Fragment decode(byte[] d) {
    try {
      return UdpCodec.decodeData(d, d.length);
    } catch (UdpCodec.BadDatagram e) {
      throw new AssertionError(e);
    }
  }

  static byte[] joined(List<Fragment> fs) {
    int n = fs.stream().mapToInt(f -> f.chunk().length).sum();
    byte[] out = new byte[n];
    int at = 0;
    for (Fragment f : fs) {
      System.arraycopy(f.chunk(), 0, out, at, f.chunk().length);
      at += f.chunk().length;
    }
    return out;
  }

  @Test
  void fragmentsInOrderCompleteTheBatch() {
    Reassembler<String> r = reassembler(8, 100_000);
    List<Fragment> fs = send("b1", SENT_AT, 300, 1);

    assertThat(fs).hasSize(4);
    for (int i = 0; i < 3; i++) {
      assertThat(r.offer(fs.get(i), "from " + i).outcome()).isEqualTo(Outcome.BUFFERED);
    }
    assertThat(r.inProgress()).isEqualTo(1);
    assertThat(r.bufferedBytes()).isEqualTo(300 + 4 * Reassembler.FRAGMENT_OVERHEAD);
    Offered<String> done = r.offer(fs.get(3), "from 3");

    assertThat(done.outcome()).isEqualTo(Outcome.COMPLETE);
    assertThat(done.batch().payload()).isEqualTo(joined(fs));
    assertThat(done.batch().signature()).isEqualTo(fs.get(3).batchSignature());
    assertThat(done.batch().context()).isEqualTo("from 3");
    assertThat(done.batch().header()).isEqualTo(fs.get(0).header());
    assertThat(r.inProgress()).isZero();
    assertThat(r.bufferedBytes()).isZero();
  }

  @Test
  void fragmentsOutOfOrderCompleteTheBatch() {
    Reassembler<String> r = reassembler(8, 100_000);
    List<Fragment> fs = send("b1", SENT_AT, 300, 2);

    r.offer(fs.get(3), "x");
    r.offer(fs.get(1), "x");
    r.offer(fs.get(0), "x");
    Offered<String> done = r.offer(fs.get(2), "x");

    assertThat(done.outcome()).isEqualTo(Outcome.COMPLETE);
    assertThat(done.batch().payload()).isEqualTo(joined(fs));
  }

  @Test
  void aDuplicateFragmentIsIgnored() {
    Reassembler<String> r = reassembler(8, 100_000);
    List<Fragment> fs = send("b1", SENT_AT, 300, 3);

    r.offer(fs.get(0), "x");
    assertThat(r.offer(fs.get(0), "x").outcome()).isEqualTo(Outcome.DUPLICATE);
    r.offer(fs.get(1), "x");
    r.offer(fs.get(2), "x");

    assertThat(r.offer(fs.get(3), "x").batch().payload()).isEqualTo(joined(fs));
  }

  @Test
  void aDuplicateWithOtherBytesDropsTheBatch() {
    Reassembler<String> r = reassembler(8, 100_000);
    Fragment one = send("b1", SENT_AT, 300, 4).get(0);
    Fragment other = send("b1", SENT_AT, 300, 5).get(0);

    r.offer(one, "x");

    assertThatThrownBy(() -> r.offer(other, "x"))
        .isInstanceOfSatisfying(
            Refused.class, e -> assertThat(e.reason()).isEqualTo(Refusal.MALFORMED))
        .hasMessageContaining("came twice with different bytes");
    assertThat(r.inProgress()).isZero();
    assertThat(r.bufferedBytes()).isZero();
  }

  @Test
  void aMissingFragmentExpiresAfterTheTimeoutAsTruncated() {
    Reassembler<String> r = reassembler(8, 100_000);
    List<Fragment> fs = send("b1", SENT_AT, 300, 6);
    r.offer(fs.get(0), "first");
    r.offer(fs.get(1), "second");
    r.offer(fs.get(3), "fourth");

    clock.addAndGet(TIMEOUT - 1);
    assertThat(r.expire()).isEmpty();
    clock.addAndGet(1);
    List<Expired<String>> expired = r.expire();

    assertThat(expired).hasSize(1);
    Expired<String> e = expired.get(0);
    assertThat(e.missing()).containsExactly(2);
    assertThat(e.context()).isEqualTo("fourth");
    assertThat(e.header().batchId()).isEqualTo("b1");
    Refused refusal = e.refusal(TIMEOUT);
    assertThat(refusal.reason()).isEqualTo(Refusal.TRUNCATED);
    assertThat(refusal.getMessage())
        .contains("batch b1 (sequences 5..8)", "fragments [2] of 4", "10000 ms");
    assertThat(r.inProgress()).isZero();
    assertThat(r.bufferedBytes()).isZero();
    assertThat(r.expire()).isEmpty();
  }

  @Test
  void aBatchOverTheLimitIsOversizeAtItsFirstFragment() {
    Reassembler<String> r = reassembler(8, 100_000);
    Fragment f = send("b1", SENT_AT, 1025, 7).get(5);

    assertThatThrownBy(() -> r.offer(f, "x"))
        .isInstanceOfSatisfying(
            Refused.class, e -> assertThat(e.reason()).isEqualTo(Refusal.OVERSIZE))
        .hasMessageContaining("1025 bytes, over max.payload.bytes (1024)");
    assertThat(r.inProgress()).isZero();
  }

  @Test
  void aBatchSpanningMoreThanTheReplayWindowIsOversize() {
    Reassembler<String> r = reassembler(8, 100_000);
    byte[] d =
        UdpBatchClient.datagrams(
                KEY, "meter-01", "m01", "b1", 0, ReplayWindow.SIZE, SENT_AT, new byte[10], 1232)
            .get(0);

    assertThatThrownBy(() -> r.offer(decode(d), "x"))
        .isInstanceOfSatisfying(
            Refused.class, e -> assertThat(e.reason()).isEqualTo(Refusal.OVERSIZE))
        .hasMessageContaining("spans " + (ReplayWindow.SIZE + 1) + " sequences");
  }

  @Test
  void aFragmentIndexOutOfRangeIsMalformed() {
    Reassembler<String> r = reassembler(8, 100_000);
    BatchHeader h = new BatchHeader("meter-01", "b1", 5, 8, SENT_AT, 4, 300);
    byte[] d = UdpCodec.encodeData(KEY, h, 4, new byte[300], 0, 10, null);

    assertThatThrownBy(() -> r.offer(decode(d), "x"))
        .isInstanceOfSatisfying(
            Refused.class, e -> assertThat(e.reason()).isEqualTo(Refusal.MALFORMED))
        .hasMessageContaining("fragment index 4 is out of range 0..3");
  }

  @Test
  void fragmentsThatDisagreeOnTheHeaderDropTheBatch() {
    Reassembler<String> r = reassembler(8, 100_000);
    r.offer(send("b1", SENT_AT, 300, 8).get(0), "x");
    Fragment longer = send("b1", SENT_AT, 340, 8).get(1);

    assertThatThrownBy(() -> r.offer(longer, "x"))
        .isInstanceOfSatisfying(
            Refused.class, e -> assertThat(e.reason()).isEqualTo(Refusal.MALFORMED))
        .hasMessageContaining("disagrees with the earlier fragments");
    assertThat(r.inProgress()).isZero();
  }

  @Test
  void fragmentsHoldingMoreThanDeclaredAreMalformed() {
    Reassembler<String> r = reassembler(8, 100_000);
    BatchHeader h = new BatchHeader("meter-01", "b1", 5, 8, SENT_AT, 2, 10);
    byte[] sig = new byte[UdpCodec.MAC_LENGTH];
    r.offer(decode(UdpCodec.encodeData(KEY, h, 0, new byte[8], 0, 8, null)), "x");

    assertThatThrownBy(
            () -> r.offer(decode(UdpCodec.encodeData(KEY, h, 1, new byte[8], 0, 8, sig)), "x"))
        .isInstanceOfSatisfying(
            Refused.class, e -> assertThat(e.reason()).isEqualTo(Refusal.MALFORMED))
        .hasMessageContaining("more than the 10 bytes");
  }

  @Test
  void theCapOnBatchesInProgressRefusesOneMoreUntilOneCompletes() {
    Reassembler<String> r = reassembler(2, 100_000);
    List<Fragment> b1 = send("b1", SENT_AT, 300, 9);
    r.offer(b1.get(0), "x");
    r.offer(send("b2", SENT_AT, 300, 9).get(0), "x");
    Fragment b3 = send("b3", SENT_AT, 300, 9).get(0);

    assertThatThrownBy(() -> r.offer(b3, "x"))
        .isInstanceOfSatisfying(
            Refused.class, e -> assertThat(e.reason()).isEqualTo(Refusal.UNAVAILABLE))
        .hasMessageContaining("udp.max.batches");
    r.offer(b1.get(1), "x");
    r.offer(b1.get(2), "x");
    assertThat(r.offer(b1.get(3), "x").outcome()).isEqualTo(Outcome.COMPLETE);
    assertThat(r.offer(b3, "x").outcome()).isEqualTo(Outcome.BUFFERED);
  }

  @Test
  void theCapOnBufferedBytesRefusesABatchThatWouldPassIt() {
    long one = 300 + 4 * Reassembler.FRAGMENT_OVERHEAD;
    Reassembler<String> r = reassembler(8, 2 * one + 10);
    r.offer(send("b1", SENT_AT, 300, 10).get(0), "x");
    r.offer(send("b2", SENT_AT, 300, 10).get(0), "x");

    assertThat(r.bufferedBytes()).isEqualTo(2 * one);
    assertThatThrownBy(() -> r.offer(send("b3", SENT_AT, 300, 10).get(0), "x"))
        .isInstanceOfSatisfying(
            Refused.class, e -> assertThat(e.reason()).isEqualTo(Refusal.UNAVAILABLE))
        .hasMessageContaining("udp.max.buffered.bytes");
  }

  @Test
  void aBatchOfOneFragmentCompletesEvenWhenTheCapsAreReached() {
    Reassembler<String> r = reassembler(1, 100_000);
    r.offer(send("b1", SENT_AT, 300, 11).get(0), "x");
    List<Fragment> small = send("b2", SENT_AT, 50, 11);

    assertThat(small).hasSize(1);
    assertThat(r.offer(small.get(0), "x").outcome()).isEqualTo(Outcome.COMPLETE);
  }

  @Test
  void aLaterSendReplacesAnIncompleteEarlierOne() {
    Reassembler<String> r = reassembler(8, 100_000);
    List<Fragment> early = send("b1", SENT_AT, 300, 12);
    List<Fragment> late = send("b1", SENT_AT + 5_000, 300, 13);
    r.offer(early.get(0), "x");
    r.offer(early.get(1), "x");

    for (int i = 0; i < 3; i++) {
      assertThat(r.offer(late.get(i), "x").outcome()).isEqualTo(Outcome.BUFFERED);
    }
    assertThat(r.inProgress()).isEqualTo(1);
    assertThatThrownBy(() -> r.offer(early.get(2), "x"))
        .isInstanceOfSatisfying(
            Refused.class, e -> assertThat(e.reason()).isEqualTo(Refusal.REPLAY))
        .hasMessageContaining("older than the latest one");
    assertThat(r.offer(late.get(3), "x").batch().payload()).isEqualTo(joined(late));
  }

  @Test
  void aLateDuplicateOfACompletedSendGetsItsAnswerAgainUntilForgotten() {
    Reassembler<String> r = reassembler(8, 100_000);
    List<Fragment> fs = send("b1", SENT_AT, 300, 14);
    Offered<String> done = null;
    for (Fragment f : fs) {
      done = r.offer(f, "x");
    }

    Offered<String> pending = r.offer(fs.get(2), "x");
    assertThat(pending.outcome()).isEqualTo(Outcome.DUPLICATE);
    assertThat(pending.answer()).isNull();
    byte[] ack = UdpCodec.encodeAck(KEY, done.batch().header(), 4, 0);
    r.answered(done.batch().header(), ack);
    Offered<String> late = r.offer(fs.get(1), "x");
    assertThat(late.outcome()).isEqualTo(Outcome.DUPLICATE);
    assertThat(late.answer()).isEqualTo(ack);
    assertThatThrownBy(() -> r.offer(send("b1", SENT_AT - 1, 300, 14).get(0), "x"))
        .isInstanceOfSatisfying(
            Refused.class, e -> assertThat(e.reason()).isEqualTo(Refusal.REPLAY));

    clock.addAndGet(TIMEOUT);
    r.expire();
    assertThat(r.offer(fs.get(1), "x").outcome()).isEqualTo(Outcome.BUFFERED);
  }
}
