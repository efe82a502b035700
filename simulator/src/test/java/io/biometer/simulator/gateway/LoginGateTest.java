package io.biometer.simulator.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Logins a few at a time, and one at a time while the gateway refuses them. */
class LoginGateTest {

  private final ManualLoop loop = new ManualLoop();
  private final List<Integer> granted = new ArrayList<>();

  private void queue(LoginGate gate, int n) {
    for (int i = 0; i < n; i++) {
      int id = i;
      gate.acquire(() -> granted.add(id));
    }
  }

  @Test
  void atMostThePermitsLogInAtOnce() {
    LoginGate gate = new LoginGate(2, loop);
    queue(gate, 5);
    assertThat(granted).containsExactly(0, 1);
    gate.release(LoginGate.Outcome.LOGGED_IN);
    assertThat(granted).containsExactly(0, 1, 2);
    gate.release(LoginGate.Outcome.FAILED);
    gate.release(LoginGate.Outcome.UNPROVEN);
    assertThat(granted).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void afterARefusalOneTriesAtATimeWithBackoffUntilALoginSucceeds() {
    LoginGate gate = new LoginGate(3, loop);
    queue(gate, 8);
    assertThat(granted).hasSize(3);
    gate.release(LoginGate.Outcome.REFUSED);
    gate.release(LoginGate.Outcome.REFUSED);
    gate.release(LoginGate.Outcome.REFUSED);
    assertThat(gate.probing()).isTrue();
    assertThat(granted).as("not before the backoff").hasSize(3);

    loop.advance(LoginGate.MAX_BACKOFF_MILLIS);
    assertThat(granted).as("one probe").hasSize(4);
    loop.advance(LoginGate.MAX_BACKOFF_MILLIS);
    assertThat(granted).as("still one, unanswered").hasSize(4);

    gate.release(LoginGate.Outcome.LOGGED_IN);
    assertThat(gate.probing()).isFalse();
    assertThat(granted).as("open again").hasSize(7);
  }

  @Test
  void aRefusalAfterThePermitWasReleasedAlsoClosesTheGate() {
    LoginGate gate = new LoginGate(3, loop);
    queue(gate, 1);
    gate.release(LoginGate.Outcome.UNPROVEN);
    gate.refusedLater();
    queue(gate, 3);
    assertThat(granted).hasSize(1);
    loop.advance(LoginGate.MAX_BACKOFF_MILLIS);
    assertThat(granted).hasSize(2);
    gate.provenLater();
    gate.release(LoginGate.Outcome.LOGGED_IN);
    assertThat(granted).hasSize(4);
  }
}
