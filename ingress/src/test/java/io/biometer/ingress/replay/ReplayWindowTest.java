package io.biometer.ingress.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.ingress.Refusal;
import io.biometer.ingress.Refused;
import io.biometer.ingress.replay.ReplayWindow.Verdict;
import org.junit.jupiter.api.Test;

class ReplayWindowTest {

  private static ReplayWindow accepted(long... sequences) {
    ReplayWindow w = new ReplayWindow();
    for (long s : sequences) {
      assertThat(w.check(s)).as("sequence %d", s).isEqualTo(Verdict.NEW);
      w.accept(s);
    }
    return w;
  }

  @Test
  void inOrderEverySequenceIsNewOnceThenAReplay() {
    ReplayWindow w = accepted(0, 1, 2, 3);
    for (long s = 0; s <= 3; s++) {
      assertThat(w.check(s)).isEqualTo(Verdict.REPLAY);
    }
    assertThat(w.check(4)).isEqualTo(Verdict.NEW);
    assertThat(w.highest()).isEqualTo(3);
  }

  @Test
  void outOfOrderTheGapsStayOpenInsideTheWindow() {
    ReplayWindow w = accepted(10, 5, 12, 7);
    assertThat(w.check(6)).isEqualTo(Verdict.NEW);
    assertThat(w.check(11)).isEqualTo(Verdict.NEW);
    assertThat(w.check(5)).isEqualTo(Verdict.REPLAY);
    assertThat(w.check(7)).isEqualTo(Verdict.REPLAY);
    assertThat(w.check(10)).isEqualTo(Verdict.REPLAY);
    assertThat(w.check(12)).isEqualTo(Verdict.REPLAY);
  }

  @Test
  void belowTheWindowIsBehindNotNew() {
    ReplayWindow w = accepted(1000);
    assertThat(w.check(1000 - ReplayWindow.SIZE + 1)).isEqualTo(Verdict.NEW);
    assertThat(w.check(1000 - ReplayWindow.SIZE)).isEqualTo(Verdict.BEHIND);
    assertThat(w.check(0)).isEqualTo(Verdict.BEHIND);
  }

  @Test
  void aJumpFurtherThanTheWindowForgetsTheOldMap() {
    ReplayWindow w = accepted(1, 2, 3, 1000);
    assertThat(w.check(999)).isEqualTo(Verdict.NEW);
    assertThat(w.check(3)).isEqualTo(Verdict.BEHIND);
    // A jump inside the window keeps what is still in it and forgets the rest.
    ReplayWindow v = accepted(10, 11, 12, 200);
    assertThat(v.check(10)).isEqualTo(Verdict.REPLAY);
    assertThat(v.check(13)).isEqualTo(Verdict.NEW);
    v.accept(300);
    assertThat(v.check(200)).isEqualTo(Verdict.REPLAY);
    assertThat(v.check(12)).isEqualTo(Verdict.BEHIND);
    assertThat(v.check(45)).as("in the window, never accepted").isEqualTo(Verdict.NEW);
  }

  @Test
  void aReleasedSequenceIsNewAgain() {
    ReplayWindow w = accepted(1, 2, 3);
    w.release(2);
    assertThat(w.check(2)).isEqualTo(Verdict.NEW);
    assertThat(w.check(3)).isEqualTo(Verdict.REPLAY);
  }

  @Test
  void theStoredFormRestoresTheSameWindow() {
    ReplayWindow w = accepted(3, 9, 40, 41, 250, 300, 299);
    ReplayWindow back = ReplayWindow.decode(w.encode());
    for (long s = 0; s < 320; s++) {
      assertThat(back.check(s)).as("sequence %d", s).isEqualTo(w.check(s));
    }
    assertThat(w.encode()).hasSize(41).startsWith(ReplayWindow.FORMAT);
  }

  @Test
  void anUnknownStoredFormIsRefusedNamingIt() {
    assertThatThrownBy(() -> ReplayWindow.decode(new byte[] {9, 0, 0}))
        .hasMessageContaining("41 bytes of format 1")
        .hasMessageContaining("got 3 bytes of format 9");
  }

  @Test
  void mergingTwoCopiesKeepsWhatEitherAccepted() {
    ReplayWindow a = accepted(1, 5);
    ReplayWindow b = accepted(3, 8);
    a.merge(b);
    for (long s : new long[] {1, 3, 5, 8}) {
      assertThat(a.check(s)).as("sequence %d", s).isEqualTo(Verdict.REPLAY);
    }
    assertThat(a.check(2)).isEqualTo(Verdict.NEW);
    assertThat(a.highest()).isEqualTo(8);
    ReplayWindow far = accepted(1000);
    a.merge(far);
    assertThat(a.check(1000)).isEqualTo(Verdict.REPLAY);
    assertThat(a.check(8)).isEqualTo(Verdict.BEHIND);
  }

  @Test
  void aRestartedGatewayRefusesWhatItsStoredWindowsHold() {
    ReplayGuard before = new ReplayGuard();
    String key = ReplayGuard.key("sink-1", "p1.ecg");
    before.reserve(key, "p1.ecg", 0);
    before.commit(key, 0);
    before.reserve(key, "p1.ecg", 1);
    before.commit(key, 1);
    before.reserve(key, "p1.ecg", 2); // on its way to Kafka when the gateway died
    byte[] stored = before.snapshot(key);

    ReplayGuard after = new ReplayGuard();
    after.restore(key, stored);
    assertThatThrownBy(() -> after.reserve(key, "p1.ecg", 1))
        .isInstanceOf(Refused.class)
        .extracting(e -> ((Refused) e).reason())
        .isEqualTo(Refusal.REPLAY);
    after.reserve(key, "p1.ecg", 2); // not in the stored window: its re-send is taken
    // Another principal relaying the same reading is not a replay: dedup handles copies.
    after.reserve(ReplayGuard.key("sink-2", "p1.ecg"), "p1.ecg", 1);
  }

  @Test
  void aSequenceFarBelowTellsHowToResetTheWindow() {
    ReplayGuard g = new ReplayGuard();
    String key = ReplayGuard.key("m1", "m1");
    g.reserve(key, "m1", 5000);
    g.commit(key, 5000);
    assertThatThrownBy(() -> g.reserve(key, "m1", 0))
        .isInstanceOf(Refused.class)
        .hasMessageContaining("restarted its counter")
        .hasMessageContaining("./biometer devices reset m1")
        .extracting(e -> ((Refused) e).reason())
        .isEqualTo(Refusal.SEQUENCE_BEHIND);
    g.restore(key, null);
    g.reserve(key, "m1", 0);
  }

  @Test
  void aCopyOfASequenceOnItsWayToKafkaIsToldToRetryAndOnlyACommitMakesItAReplay() {
    ReplayGuard g = new ReplayGuard();
    String key = ReplayGuard.key("s1", "d1");
    g.reserve(key, "d1", 7);
    assertThatThrownBy(() -> g.reserve(key, "d1", 7))
        .isInstanceOf(Refused.class)
        .hasMessageContaining("being written to Kafka")
        .extracting(e -> ((Refused) e).reason())
        .isEqualTo(Refusal.UNAVAILABLE);
    g.commit(key, 7);
    assertThatThrownBy(() -> g.reserve(key, "d1", 7))
        .extracting(e -> ((Refused) e).reason())
        .isEqualTo(Refusal.REPLAY);
  }

  @Test
  void sequencesNotTakenByKafkaOrTheRateLimitNeverMoveTheWindow() {
    ReplayGuard g = new ReplayGuard();
    String key = ReplayGuard.key("s1", "d1");
    g.reserve(key, "d1", 0);
    g.commit(key, 0);
    // A backlog: 1..9999 reserved and released (rate limited, or Kafka down).
    for (long s = 1; s < 10_000; s++) {
      g.reserve(key, "d1", s);
      g.release(key, s);
    }
    assertThat(ReplayWindow.decode(g.snapshot(key)).highest()).isZero();
    // Their re-sends, in order, are all taken.
    for (long s = 1; s < 10_000; s++) {
      g.reserve(key, "d1", s);
      g.commit(key, s);
    }
    assertThat(ReplayWindow.decode(g.snapshot(key)).highest()).isEqualTo(9_999);
  }

  @Test
  void theLargestSequenceIsTakenAtOnce() {
    ReplayWindow w = new ReplayWindow();
    assertThat(w.check(Long.MAX_VALUE)).isEqualTo(Verdict.NEW);
    w.accept(Long.MAX_VALUE);
    assertThat(w.check(Long.MAX_VALUE)).isEqualTo(Verdict.REPLAY);
    assertThat(w.check(Long.MAX_VALUE - 1)).isEqualTo(Verdict.NEW);
    assertThat(w.check(0)).isEqualTo(Verdict.BEHIND);
    assertThat(ReplayWindow.decode(w.encode()).check(Long.MAX_VALUE)).isEqualTo(Verdict.REPLAY);
  }
}
