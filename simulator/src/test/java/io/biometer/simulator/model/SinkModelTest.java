package io.biometer.simulator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.avro.SinkState;
import java.util.List;
import org.junit.jupiter.api.Test;

class SinkModelTest {

  private static final long HOUR = 3_600_000L;

  /** Drains 10 %/h, charges 50 %/h, sleeps below 10 %, wakes at 60 %, no charging period. */
  private static final SinkBatteryConfig CONFIG = new SinkBatteryConfig(0.5, 10, 50, 10, 60, 0);

  @Test
  void fallsAsleepWhenTheBatteryRunsLowAtTheExactTime() {
    SinkModel sink = new SinkModel("s", CONFIG, 30, 0, 0);
    List<SinkModel.Transition> t = sink.advanceTo(3 * HOUR);
    assertThat(t).hasSize(1);
    assertThat(t.get(0).to()).isEqualTo(SinkState.SLEEPING);
    assertThat(t.get(0).from()).isEqualTo(SinkState.UP);
    // 30 % down to 10 % at 10 %/h: two hours in.
    assertThat(t.get(0).at()).isBetween(2 * HOUR, 2 * HOUR + 2);
    assertThat(sink.awake()).isFalse();
  }

  @Test
  void wakesAfterChargingToTheWakeLevel() {
    SinkModel sink = new SinkModel("s", CONFIG, 30, 0, 0);
    List<SinkModel.Transition> t = sink.advanceTo(4 * HOUR);
    assertThat(t)
        .extracting(SinkModel.Transition::to)
        .containsExactly(SinkState.SLEEPING, SinkState.UP);
    // Asleep at 2 h with ~10 %, 50 %/h to 60 %: awake again one hour later.
    assertThat(t.get(1).at()).isBetween(3 * HOUR - 2, 3 * HOUR + 2);
    assertThat(sink.awake()).isTrue();
    assertThat(sink.batteryPercent()).isGreaterThan(49);
  }

  @Test
  void relayingDrainsAndCanTipTheSinkIntoSleep() {
    SinkModel sink = new SinkModel("s", CONFIG, 10.6, 0, 0);
    assertThat(sink.relay(0)).isEmpty();
    List<SinkModel.Transition> t = sink.relay(1);
    assertThat(t).extracting(SinkModel.Transition::to).containsExactly(SinkState.SLEEPING);
    assertThat(t.get(0).reason()).contains("battery below 10");
  }

  @Test
  void dailyChargingPeriodChargesWhileRelaying() {
    SinkBatteryConfig config = new SinkBatteryConfig(0, 10, 50, 10, 60, 2);
    SinkModel sink = new SinkModel("s", config, 80, 0, 5 * HOUR);
    List<SinkModel.Transition> t = sink.advanceTo(8 * HOUR);
    assertThat(t)
        .extracting(SinkModel.Transition::to)
        .containsExactly(SinkState.CHARGING, SinkState.UP);
    assertThat(t.get(0).at()).isEqualTo(5 * HOUR);
    assertThat(t.get(1).at()).isEqualTo(7 * HOUR);
    // 80 - 5*10 = 30 at 5 h, +2*50 capped at 100 by 7 h, -10 by 8 h.
    assertThat(sink.batteryPercent()).isBetween(89.9, 90.1);
  }

  @Test
  void everlastingBatteryNeverSleeps() {
    SinkModel sink = new SinkModel("s", SinkBatteryConfig.everlasting(), 50, 0, 0);
    for (int i = 0; i < 1000; i++) {
      assertThat(sink.relay(i * HOUR)).isEmpty();
    }
  }
}
