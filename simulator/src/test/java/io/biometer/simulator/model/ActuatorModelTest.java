package io.biometer.simulator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.avro.SensorType;
import io.biometer.catalog.SensorCatalog;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a fan and a valve do with each command of docs/commands.md, and what they answer. */
class ActuatorModelTest {

  private final ActuatorModel fan = new ActuatorModel(ActuatorModel.Kind.FAN);
  private final ActuatorModel valve = new ActuatorModel(ActuatorModel.Kind.VALVE);

  @Test
  void aFanStartsOffAndSetPowerOnSwitchesItOnAnsweringOkWithTheState() {
    assertThat(fan.value()).isZero();
    ActuatorModel.Outcome o = fan.handle("c1", "set_power", Map.of("state", "on"));
    assertThat(o.response())
        .isEqualTo(new ActuatorModel.Response("c1", true, Map.of("state", "on"), null));
    assertThat(o.changed()).as("a state reading is due").isTrue();
    assertThat(fan.state()).isEqualTo("on");
    assertThat(fan.value()).isEqualTo(1);

    ActuatorModel.Outcome off = fan.handle("c2", "set_power", Map.of("state", "off"));
    assertThat(off.response().details()).containsEntry("state", "off");
    assertThat(off.changed()).isTrue();
    assertThat(fan.value()).isZero();
  }

  @Test
  void theSameCommandAgainIsAnsweredOkAndChangesNothing() {
    fan.handle("c1", "set_power", Map.of("state", "on"));
    ActuatorModel.Outcome again = fan.handle("c2", "set_power", Map.of("state", "on"));
    assertThat(again.response())
        .isEqualTo(new ActuatorModel.Response("c2", true, Map.of("state", "on"), null));
    assertThat(again.changed()).as("no change, no reading of it").isFalse();
    assertThat(fan.value()).isEqualTo(1);
  }

  @Test
  void anUnknownCommandFailsWithAReasonNamingTheOneItObeysAndLeavesTheStateAlone() {
    fan.handle("c1", "set_power", Map.of("state", "on"));
    ActuatorModel.Outcome o = fan.handle("c2", "set_valve", Map.of("state", "open"));
    assertThat(o.response().ok()).isFalse();
    assertThat(o.response().commandId()).isEqualTo("c2");
    assertThat(o.response().details()).isEmpty();
    assertThat(o.response().reason())
        .contains("set_valve")
        .contains("set_power")
        .contains("on|off");
    assertThat(o.changed()).isFalse();
    assertThat(fan.state()).isEqualTo("on");
  }

  @Test
  void aBadArgumentFailsAndSaysWhatWasExpected() {
    ActuatorModel.Outcome o = fan.handle("c1", "set_power", Map.of("state", "open"));
    assertThat(o.response().ok()).isFalse();
    assertThat(o.response().reason()).contains("on or off").contains("'open'");
    assertThat(o.changed()).isFalse();
    assertThat(fan.state()).isEqualTo("off");
  }

  @Test
  void aMissingArgumentFailsAndSaysItIsMissing() {
    assertThat(fan.handle("c1", "set_power", Map.of()).response().reason())
        .contains("state")
        .contains("missing");
    assertThat(fan.handle("c2", "set_power", null).response().ok()).isFalse();
    assertThat(fan.handle("c3", null, Map.of("state", "on")).response().ok()).isFalse();
    assertThat(fan.value()).isZero();
  }

  @Test
  void aValveOpensAndClosesWithSetValve() {
    ActuatorModel.Outcome open = valve.handle("v1", "set_valve", Map.of("state", "open"));
    assertThat(open.response().details()).isEqualTo(Map.of("state", "open"));
    assertThat(open.changed()).isTrue();
    assertThat(valve.value()).isEqualTo(1);
    assertThat(valve.handle("v2", "set_valve", Map.of("state", "on")).response().ok())
        .as("a fan's word")
        .isFalse();
    assertThat(valve.handle("v3", "set_valve", Map.of("state", "closed")).changed()).isTrue();
    assertThat(valve.state()).isEqualTo("closed");
  }

  @Test
  void eachKindNamesItsDeviceAndReportsOnTheCataloguesChannel() {
    assertThat(ActuatorModel.Kind.FAN.deviceId("patient-000001")).isEqualTo("patient-000001.fan");
    assertThat(ActuatorModel.Kind.VALVE.deviceId("site-0000")).isEqualTo("site-0000.valve");
    for (ActuatorModel.Kind k : ActuatorModel.Kind.values()) {
      assertThat(SensorCatalog.standard().spec(k.sensorType()).channelNames())
          .containsExactly(k.channel());
      assertThat(SensorCatalog.standard().spec(k.sensorType()).domain()).isEqualTo("ACTUATOR");
      assertThat(ActuatorModel.Kind.of(k.sensorType())).isEqualTo(k);
    }
    assertThatThrownBy(() -> ActuatorModel.Kind.of(SensorType.ECG))
        .hasMessageContaining("ECG")
        .hasMessageContaining("FAN and VALVE");
  }
}
