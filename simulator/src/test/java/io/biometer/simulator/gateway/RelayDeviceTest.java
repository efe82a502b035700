package io.biometer.simulator.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Store and forward of one simulated device against a gateway in the test's hands: what is kept,
 * what is sent again and in which order, what counts as delivered, refused or lost, and how the
 * device reconnects.
 */
class RelayDeviceTest {

  private final ManualLoop loop = new ManualLoop();
  private final FakeTransport gateway = new FakeTransport();
  private final LoginGate gate = new LoginGate(4, loop);
  private GatewayStats stats = new GatewayStats(1_000);
  private final List<String> delivered = new ArrayList<>();
  private final List<String> lost = new ArrayList<>();

  private final RelayDevice.Outcomes outcomes =
      new RelayDevice.Outcomes() {
        @Override
        public void delivered(String relayId, Pending r, boolean replay) {
          delivered.add(r.id());
        }

        @Override
        public void lost(String relayId, Pending r, String why) {
          lost.add(r.id() + " " + why);
        }
      };

  private RelayDevice started(int window) {
    RelayDevice d =
        new RelayDevice("p1.sink-a", "secret", gateway, loop, gate, stats, outcomes, window);
    loop.execute(d::start);
    loop.run();
    return d;
  }

  private static Pending reading(String device, long sequence) {
    return new Pending(
        device, sequence, 1_700_000_000_000L + sequence, Map.of("heart_rate", 72.0), 80f, false);
  }

  private static Answer refused(String reason) {
    return Answer.refused(reason, reason + " for the test");
  }

  @Test
  void aReadingIsHeldUntilTheGatewayAcceptsItThenDelivered() {
    RelayDevice d = started(32);
    for (int i = 0; i < 3; i++) {
      d.offer(reading("p1.ecg", i));
    }
    loop.run();
    assertThat(gateway.connects).containsExactly(new FakeTransport.Connect("p1.sink-a", "secret"));
    assertThat(gateway.sent).singleElement().satisfies(s -> assertThat(s.ids()).hasSize(3));
    assertThat(stats.held()).isEqualTo(3);
    assertThat(delivered).isEmpty();

    gateway.answerAll(Answer.ACCEPTED);
    loop.run();
    assertThat(delivered).containsExactly("p1.ecg/0", "p1.ecg/1", "p1.ecg/2");
    assertThat(stats.held()).isZero();
    assertThat(stats.bodyAccepted.sum()).isEqualTo(3);
    assertThat(d.held()).isZero();
  }

  @Test
  void unansweredReadingsGoBackInOrderAndAreSentAgainOnTheNextConnection() {
    gateway.mixedBatches = false; // MQTT: a message is one device's
    RelayDevice d = started(8);
    List<String> order = List.of("p1.ecg/0", "p1.eeg/0", "p1.ecg/1", "p1.eeg/1", "p1.ecg/2");
    for (String id : order) {
      String[] p = id.split("/");
      d.offer(reading(p[0], Long.parseLong(p[1])));
    }
    loop.run();
    assertThat(gateway.unanswered()).hasSize(5);
    gateway.sent.get(0).answer(Answer.ACCEPTED);
    gateway.link().drop();
    loop.run();
    assertThat(d.held()).isEqualTo(4);

    loop.advance(RelayDevice.MAX_BACKOFF_MILLIS);
    assertThat(gateway.connects).hasSize(2);
    // After a connection ended unanswered, one reading at a time until one is answered.
    assertThat(gateway.unanswered())
        .singleElement()
        .satisfies(s -> assertThat(s.ids()).containsExactly("p1.eeg/0"));
    gateway.answerAll(Answer.ACCEPTED);
    loop.run();
    assertThat(gateway.unanswered())
        .extracting(s -> s.ids().get(0))
        .containsExactly("p1.ecg/1", "p1.eeg/1", "p1.ecg/2");
    gateway.answerAll(Answer.ACCEPTED);
    loop.run();
    assertThat(delivered).containsExactlyElementsOf(order);
    assertThat(stats.resent.sum()).isEqualTo(4);
    assertThat(stats.connectionsLost.sum()).isEqualTo(1);
    assertThat(lost).isEmpty();
  }

  @Test
  void aReplayCountsAsDelivered() {
    RelayDevice d = started(32);
    d.offer(reading("p1.ecg", 5));
    loop.run();
    gateway.answerAll(refused("replay"));
    loop.run();
    assertThat(delivered).containsExactly("p1.ecg/5");
    assertThat(stats.replays.sum()).isEqualTo(1);
    assertThat(stats.refusedTotal()).isZero();
    assertThat(stats.held()).isZero();
  }

  @Test
  void unavailableKeepsTheReadingAndSendsItAgainAfterAPause() {
    RelayDevice d = started(32);
    d.offer(reading("p1.ecg", 1));
    loop.run();
    gateway.answerAll(refused("unavailable"));
    loop.run();
    assertThat(gateway.unanswered()).as("paused").isEmpty();
    assertThat(d.held()).isEqualTo(1);

    loop.advance(RelayDevice.MAX_BACKOFF_MILLIS);
    assertThat(gateway.unanswered())
        .singleElement()
        .satisfies(s -> assertThat(s.ids()).containsExactly("p1.ecg/1"));
    gateway.answerAll(Answer.ACCEPTED);
    loop.run();
    assertThat(delivered).containsExactly("p1.ecg/1");
    assertThat(stats.retryAnswers.sum()).isEqualTo(1);
    assertThat(stats.resent.sum()).isEqualTo(1);
  }

  @Test
  void aRefusalIsCountedByReasonAndNeverSentAgain() {
    RelayDevice d = started(32);
    d.offer(reading("p1.ecg", 1));
    d.offer(reading("p1.ecg", 2));
    d.offer(reading("p1.ecg", 3));
    loop.run();
    gateway
        .sent
        .get(0)
        .answer(List.of(refused("clock_skew"), Answer.ACCEPTED, refused("clock_skew")));
    loop.advance(60_000);
    assertThat(gateway.unanswered()).isEmpty();
    assertThat(gateway.sent).hasSize(1);
    assertThat(stats.refusedByReason()).isEqualTo(Map.of("clock_skew", 2L));
    assertThat(delivered).containsExactly("p1.ecg/2");
    assertThat(lost)
        .containsExactly(
            "p1.ecg/1 refused by the gateway: clock_skew",
            "p1.ecg/3 refused by the gateway: clock_skew");
    assertThat(stats.held()).isZero();
  }

  @Test
  void anUnknownDeviceIsSentAgainAFewTimesThenRefused() {
    RelayDevice d = started(32);
    d.offer(reading("p1.ecg", 1));
    loop.run();
    for (int i = 0; i < 10 && !gateway.unanswered().isEmpty(); i++) {
      gateway.answerAll(refused("unknown_device"));
      loop.advance(RelayDevice.MAX_BACKOFF_MILLIS);
    }
    assertThat(gateway.sent).hasSize(RelayDevice.MAX_TRANSIENT_ATTEMPTS);
    assertThat(stats.refusedByReason()).isEqualTo(Map.of("unknown_device", 1L));
    assertThat(d.held()).isZero();
  }

  @Test
  void aReadingAfterWhichTheGatewayClosesTheConnectionEveryTimeIsRefusedAndTheOthersGetThrough() {
    gateway.mixedBatches = false;
    RelayDevice d = started(8);
    d.offer(reading("p1.ecg", 7));
    d.offer(reading("p1.ecg", 8));
    loop.run();
    // MQTT 3.1.1: the gateway refuses p1.ecg/7 by closing the connection.
    for (int round = 0; round < 20 && d.held() > 0; round++) {
      for (FakeTransport.Sent s : gateway.unanswered()) {
        if (s.ids().contains("p1.ecg/7")) {
          s.link.drop();
        } else {
          s.answer(Answer.ACCEPTED);
        }
      }
      loop.advance(RelayDevice.MAX_BACKOFF_MILLIS);
    }
    assertThat(delivered).containsExactly("p1.ecg/8");
    assertThat(stats.refusedByReason()).isEqualTo(Map.of("connection_closed", 1L));
    assertThat(gateway.connects).hasSize(1 + RelayDevice.MAX_STRIKES + 1);
  }

  @Test
  void reconnectsBackOffWhileTheGatewayIsAwayAndNothingIsLost() {
    List<Long> attempts = new ArrayList<>();
    gateway.refuse =
        c -> {
          attempts.add(loop.wallMillis());
          return new ConnectException("Connection refused");
        };
    RelayDevice d = started(32);
    d.offer(reading("p1.ecg", 1));
    d.offer(reading("p1.ecg", 2));
    loop.advance(60_000);
    List<Long> gaps =
        IntStream.range(1, attempts.size())
            .mapToObj(i -> attempts.get(i) - attempts.get(i - 1))
            .toList();
    assertThat(attempts).hasSizeBetween(8, 20);
    assertThat(gaps.get(0)).isLessThanOrEqualTo(2 * RelayDevice.MIN_BACKOFF_MILLIS);
    assertThat(gaps.get(gaps.size() - 1))
        .isBetween(RelayDevice.MAX_BACKOFF_MILLIS / 2, RelayDevice.MAX_BACKOFF_MILLIS);
    assertThat(d.held()).isEqualTo(2);
    assertThat(stats.connectFailures.sum()).isEqualTo(attempts.size());

    gateway.refuse = c -> null;
    loop.advance(RelayDevice.MAX_BACKOFF_MILLIS);
    gateway.answerAll(Answer.ACCEPTED);
    loop.run();
    assertThat(delivered).containsExactly("p1.ecg/1", "p1.ecg/2");
  }

  @Test
  void atMostTheWindowIsUnansweredAtOnce() {
    gateway.mixedBatches = false;
    RelayDevice d = started(4);
    for (int i = 0; i < 10; i++) {
      d.offer(reading("p1.s" + i, 0));
    }
    loop.run();
    assertThat(gateway.unanswered()).hasSize(4);
    gateway.unanswered().get(0).answer(Answer.ACCEPTED);
    loop.run();
    assertThat(gateway.unanswered()).hasSize(4);
    while (!gateway.unanswered().isEmpty()) {
      assertThat(gateway.unanswered().size()).isLessThanOrEqualTo(4);
      gateway.answerAll(Answer.ACCEPTED);
      loop.run();
    }
    assertThat(delivered).hasSize(10);
  }

  @Test
  void beyondTheStoreLimitReadingsAreCountedLost() {
    stats = new GatewayStats(3);
    gateway.refuse = c -> new ConnectException("away");
    RelayDevice d = started(32);
    for (int i = 0; i < 5; i++) {
      d.offer(reading("p1.ecg", i));
    }
    loop.run();
    assertThat(stats.lostStoreFull.sum()).isEqualTo(2);
    assertThat(lost).containsExactly("p1.ecg/3 store full", "p1.ecg/4 store full");
    assertThat(d.held()).isEqualTo(3);
  }

  @Test
  void aCredentialRefusedOnTheFirstHttpRequestLogsInAgainAndKeepsTheReadings() {
    gateway.loginOnConnect = false;
    gateway.maxMessagesInFlight = 1;
    RelayDevice d = started(32);
    d.offer(reading("p1.ecg", 1));
    d.offer(reading("p1.eeg", 1));
    loop.run();
    gateway.answerAll(Answer.login("unknown_device", "no hashed-password/p1.sink-a credential"));
    loop.run();
    assertThat(gate.probing()).isTrue();
    assertThat(d.held()).isEqualTo(2);

    loop.advance(2 * RelayDevice.MAX_BACKOFF_MILLIS);
    assertThat(gateway.connects).hasSize(2);
    assertThat(gateway.unanswered())
        .singleElement()
        .satisfies(s -> assertThat(s.ids()).containsExactly("p1.ecg/1", "p1.eeg/1"));
    gateway.answerAll(Answer.ACCEPTED);
    loop.run();
    assertThat(delivered).containsExactly("p1.ecg/1", "p1.eeg/1");
    assertThat(stats.loginRefusals.sum()).isEqualTo(1);
    assertThat(gate.probing()).isFalse();
  }

  @Test
  void noAnswerWithinTheTimeoutClosesTheConnectionAndSendsAgain() {
    RelayDevice d = started(32);
    d.offer(reading("p1.ecg", 1));
    loop.run();
    FakeTransport.FakeLink first = gateway.link();
    loop.advance(RelayDevice.ANSWER_TIMEOUT_MILLIS);
    assertThat(first.open).isFalse();
    assertThat(stats.timeouts.sum()).isEqualTo(1);

    loop.advance(RelayDevice.MAX_BACKOFF_MILLIS);
    assertThat(gateway.link()).isNotSameAs(first);
    gateway.answerAll(Answer.ACCEPTED);
    loop.run();
    assertThat(delivered).containsExactly("p1.ecg/1");
    assertThat(d.held()).isZero();
  }

  @Test
  void readingsHeldAtShutdownAreCountedLeftAndLost() {
    gateway.refuse = c -> new ConnectException("away");
    RelayDevice d = started(32);
    d.offer(reading("p1.ecg", 1));
    loop.run();
    int[] left = new int[1];
    loop.execute(() -> left[0] = d.shutdown());
    loop.run();
    assertThat(left[0]).isEqualTo(1);
    assertThat(lost).containsExactly("p1.ecg/1 left unsent at the end of the run");
    assertThat(stats.held()).isZero();
  }
}
