package io.biometer.simulator.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.ingress.readings.DeviceReading;
import io.biometer.simulator.model.ActuatorModel;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A fan on a gateway in the test's hands: a command gets one answer, a change a state reading at
 * once, and the state is reported every cadence in between, through the store and forward of every
 * simulated device.
 */
class ActuatorDeviceTest {

  private static final long SIM_NOW = 1_700_000_000_000L;
  private static final long ORIGIN = 5_000;

  private final ManualLoop loop = new ManualLoop();
  private final FakeTransport gateway = new FakeTransport();
  private final GatewayStats stats = new GatewayStats(1000);
  private final List<String> lost = new ArrayList<>();
  private final List<JsonObject> answers = new ArrayList<>();
  private final Commands.Responder responder =
      frame -> {
        answers.add(new JsonObject(frame));
        return Future.succeededFuture();
      };
  private final ActuatorDevice fan =
      new ActuatorDevice(
          ActuatorModel.Kind.FAN,
          new RelayDevice(
              "patient-000001.fan",
              "secret",
              gateway,
              loop,
              new LoginGate(4, loop),
              stats,
              new RelayDevice.Outcomes() {
                @Override
                public void delivered(String relayId, Pending reading, boolean replay) {}

                @Override
                public void lost(String relayId, Pending reading, String why) {
                  lost.add(reading.id() + " " + why);
                }
              },
              16),
          stats,
          10_000,
          () -> {});

  private List<DeviceReading> readings() {
    List<DeviceReading> all = new ArrayList<>();
    gateway.sent.forEach(s -> all.addAll(s.readings));
    return all;
  }

  private void started() {
    loop.execute(() -> fan.start(() -> SIM_NOW, 1, ORIGIN));
    loop.run();
    gateway.answerAll(Answer.ACCEPTED);
    loop.run();
  }

  private static Buffer command(String id, String name, String state) {
    return new JsonObject()
        .put("type", "command")
        .put("id", id)
        .put("deviceId", "patient-000001.fan")
        .put("name", name)
        .put("arguments", new JsonObject().put("state", state))
        .put("expiresAt", "2026-12-02T10:00:30Z")
        .toBuffer();
  }

  @Test
  void itConnectsAsItselfAndReportsTheStateItStartsIn() {
    started();
    assertThat(gateway.connects)
        .extracting(FakeTransport.Connect::deviceId)
        .containsExactly("patient-000001.fan");
    assertThat(readings()).hasSize(1);
    DeviceReading r = readings().get(0);
    assertThat(r.sequence()).isEqualTo(ORIGIN);
    assertThat(r.eventTime()).as("the simulation's time").isEqualTo(SIM_NOW);
    assertThat(r.values()).isEqualTo(Map.of("fan_power", 0.0));
  }

  @Test
  void aCommandThatChangesTheStateIsAnsweredOkAndReportedAtOnce() {
    started();
    fan.command(command("c1", "set_power", "on"), responder);
    loop.run();
    assertThat(answers)
        .containsExactly(
            new JsonObject(
                "{\"type\":\"response\",\"id\":\"c1\",\"status\":\"ok\","
                    + "\"details\":{\"state\":\"on\"}}"));
    assertThat(readings()).hasSize(2);
    assertThat(readings().get(1).sequence()).isEqualTo(ORIGIN + 1);
    assertThat(readings().get(1).values()).isEqualTo(Map.of("fan_power", 1.0));
    assertThat(stats.commands.sum()).isEqualTo(1);
  }

  @Test
  void anUnknownCommandIsAnsweredFailedWithItsReasonAndReportsNothing() {
    started();
    fan.command(command("c1", "self_destruct", "on"), responder);
    loop.run();
    assertThat(answers).hasSize(1);
    assertThat(answers.get(0).getString("status")).isEqualTo("failed");
    assertThat(answers.get(0).getString("id")).isEqualTo("c1");
    assertThat(answers.get(0).getString("reason")).contains("self_destruct").contains("set_power");
    assertThat(answers.get(0).containsKey("details")).isFalse();
    assertThat(readings()).as("no change, no reading").hasSize(1);
    assertThat(stats.commandsFailed.sum()).isEqualTo(1);
  }

  @Test
  void aBadArgumentIsAnsweredFailed() {
    started();
    fan.command(command("c1", "set_power", "maybe"), responder);
    loop.run();
    assertThat(answers.get(0).getString("status")).isEqualTo("failed");
    assertThat(answers.get(0).getString("reason")).contains("'maybe'");
    assertThat(readings()).hasSize(1);
  }

  @Test
  void theSameCommandAgainIsAnsweredOkWithoutAReadingAndARedeliveryIsNotAnsweredTwice() {
    started();
    fan.command(command("c1", "set_power", "on"), responder);
    fan.command(command("c2", "set_power", "on"), responder);
    fan.command(command("c2", "set_power", "on"), responder); // an MQTT re-delivery of c2
    loop.run();
    assertThat(answers).extracting(a -> a.getString("id")).containsExactly("c1", "c2");
    assertThat(answers).allMatch(a -> a.getString("status").equals("ok"));
    assertThat(answers.get(1).getJsonObject("details").getString("state")).isEqualTo("on");
    assertThat(readings()).as("start, and the one change").hasSize(2);
  }

  @Test
  void itReportsItsStateEveryCadenceAndAChangeRestartsTheCadence() {
    started();
    loop.advance(10_000);
    assertThat(readings()).hasSize(2);
    gateway.answerAll(Answer.ACCEPTED);
    loop.advance(4_000);
    fan.command(command("c1", "set_power", "on"), responder);
    loop.run();
    assertThat(readings()).hasSize(3);
    gateway.answerAll(Answer.ACCEPTED);
    loop.advance(9_000);
    assertThat(readings()).as("a cadence after the change, not after the last tick").hasSize(3);
    loop.advance(1_000);
    assertThat(readings()).hasSize(4);
    assertThat(readings())
        .extracting(DeviceReading::sequence)
        .containsExactly(ORIGIN, ORIGIN + 1, ORIGIN + 2, ORIGIN + 3);
    assertThat(readings().get(3).values()).isEqualTo(Map.of("fan_power", 1.0));
  }

  @Test
  void aReadingUnansweredWhenTheConnectionDropsIsSentAgain() {
    started();
    fan.command(command("c1", "set_power", "on"), responder);
    loop.run();
    gateway.link().drop();
    loop.advance(RelayDevice.MAX_BACKOFF_MILLIS);
    List<DeviceReading> all = readings();
    assertThat(all.get(all.size() - 1).sequence())
        .as("the change, sent again")
        .isEqualTo(ORIGIN + 1);
    assertThat(gateway.connects).hasSize(2);
    assertThat(lost).isEmpty();
  }

  @Test
  void aFrameWithoutAnIdCannotBeAnsweredAndChangesNothing() {
    started();
    fan.command(Buffer.buffer("{\"type\":\"command\",\"name\":\"set_power\"}"), responder);
    fan.command(Buffer.buffer("not json"), responder);
    loop.run();
    assertThat(answers).isEmpty();
    assertThat(readings()).hasSize(1);
  }
}
