package io.biometer.ingress.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.Topics;
import io.biometer.avro.CommandGrant;
import io.biometer.avro.CommandResponse;
import io.biometer.avro.CommandStatus;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceCommand;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.SensorType;
import io.biometer.ingress.IngressMetrics;
import io.biometer.ingress.Refusal;
import io.biometer.ingress.Refused;
import io.biometer.ingress.auth.Directory;
import io.biometer.ingress.auth.Principal;
import io.biometer.ingress.grpc.FakeKafka;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CommandRouterTest {

  private static final long T0 = 1_800_000_000_000L;
  private static final long MAX_TTL = 3_600_000L;

  private final AtomicLong clock = new AtomicLong(T0);
  private final Directory directory = new Directory();
  private final AccessMap access = new AccessMap();
  private final FakeKafka kafka = new FakeKafka();
  private final IngressMetrics metrics = new IngressMetrics();
  private final CommandRouter router =
      new CommandRouter(directory, access, kafka, metrics, clock::get, MAX_TTL, "gw-test");
  private final Principal fan = new Principal("p1.fan", "p1.fan", DeviceKind.ACTUATOR);
  private int ids;

  /** A subscriber that keeps what it is given. */
  static final class FakeDevice implements CommandRouter.Subscriber {
    final List<JsonObject> frames = new CopyOnWriteArrayList<>();
    boolean open = true;
    boolean closesBeforeWriting; // the connection goes between the router's choice and the write

    @Override
    public String protocol() {
      return "test";
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void deliver(JsonObject frame, Runnable notWritten) {
      if (closesBeforeWriting) {
        open = false;
        notWritten.run();
      } else {
        frames.add(frame);
      }
    }
  }

  @BeforeEach
  void registry() {
    directory.device("p1.fan", device("p1.fan", DeviceKind.ACTUATOR, List.of()));
    directory.device("p1.sink-a", device("p1.sink-a", DeviceKind.SINK, List.of("p1.fan")));
    directory.device("p2.fan", device("p2.fan", DeviceKind.ACTUATOR, List.of()));
    access.put(
        "rule:fan",
        CommandGrant.newBuilder()
            .setPrincipal("rule:fan")
            .setDevices(List.of("*.fan"))
            .setCommands(List.of("set_power"))
            .setGrantedAt(Instant.EPOCH)
            .build());
  }

  private static Device device(String id, DeviceKind kind, List<String> via) {
    return Device.newBuilder()
        .setDeviceId(id)
        .setKind(kind)
        .setSensorType(kind == DeviceKind.ACTUATOR ? SensorType.FAN : null)
        .setOwnerId("p1")
        .setVia(List.copyOf(via))
        .setRegisteredAt(Instant.EPOCH)
        .build();
  }

  private DeviceCommand command(String device, String issuer, long ttlMillis) {
    return DeviceCommand.newBuilder()
        .setCommandId("c" + ++ids)
        .setDeviceId(device)
        .setName("set_power")
        .setArguments(Map.of("state", "on"))
        .setIssuedBy(issuer)
        .setIssuedAt(Instant.ofEpochMilli(clock.get()))
        .setExpiresAt(Instant.ofEpochMilli(clock.get() + ttlMillis))
        .build();
  }

  private List<CommandResponse> responses() {
    return kafka.to(Topics.COMMAND_RESPONSES).stream()
        .map(s -> (CommandResponse) s.value())
        .toList();
  }

  private List<CommandStatus> statuses(String commandId) {
    return responses().stream()
        .filter(r -> r.getCommandId().toString().equals(commandId))
        .map(CommandResponse::getStatus)
        .toList();
  }

  @Test
  void aCommandForAConnectedDeviceIsRecordedDeliveredThenHandedOver() {
    FakeDevice d = new FakeDevice();
    router.subscribe(fan, "p1.fan", d);
    kafka.hold();
    DeviceCommand c = command("p1.fan", "rule:fan", 30_000);
    router.offer(c);
    // At most once: nothing reaches the device before Kafka has its DELIVERED response.
    assertThat(statuses("c1")).containsExactly(CommandStatus.DELIVERED);
    assertThat(d.frames).isEmpty();
    kafka.release();
    assertThat(d.frames).hasSize(1);
    JsonObject f = d.frames.get(0);
    assertThat(f.getString("type")).isEqualTo("command");
    assertThat(f.getString("id")).isEqualTo("c1");
    assertThat(f.getString("name")).isEqualTo("set_power");
    assertThat(f.getJsonObject("arguments").getString("state")).isEqualTo("on");
    assertThat(Instant.parse(f.getString("expiresAt"))).isEqualTo(c.getExpiresAt());
    assertThat(router.waiting()).isZero();
    assertThat(router.awaitingAnswers()).isOne();
  }

  @Test
  void theDevicesAnswerGoesToTheResponsesWithItsDetailsOnce() {
    FakeDevice d = new FakeDevice();
    router.subscribe(fan, "p1.fan", d);
    router.offer(command("p1.fan", "rule:fan", 30_000));
    JsonObject ok =
        new JsonObject()
            .put("type", "response")
            .put("id", "c1")
            .put("status", "ok")
            .put("details", new JsonObject().put("state", "on"));
    router.respond(fan, ok).join();
    CommandResponse last = responses().get(responses().size() - 1);
    assertThat(last.getStatus()).isEqualTo(CommandStatus.OK);
    assertThat(last.getDetails()).containsEntry("state", "on");
    assertThat(last.getIssuedBy()).isEqualTo("rule:fan");
    assertThat(last.getGateway()).isEqualTo("gw-test");
    // The same answer again (its PUBACK was lost): acknowledged, as Kafka has it, not written
    // again.
    router.respond(fan, ok).join();
    assertThat(statuses("c1")).containsExactly(CommandStatus.DELIVERED, CommandStatus.OK);
    // Another device cannot use that to answer for it.
    Principal other = new Principal("p2.fan", "p2.fan", DeviceKind.ACTUATOR);
    assertThatThrownBy(() -> router.respond(other, ok))
        .isInstanceOf(Refused.class)
        .extracting(e -> ((Refused) e).reason())
        .isEqualTo(Refusal.UNKNOWN_COMMAND);
  }

  @Test
  void anAnswerOnAnotherDevicesTopicIsRefused() {
    Principal sink = new Principal("p1.sink-a", "p1.sink-a", DeviceKind.SINK);
    directory.device(
        "p1.sink-a", device("p1.sink-a", DeviceKind.SINK, List.of("p1.fan", "p2.fan")));
    router.subscribe(sink, "p1.fan", new FakeDevice());
    router.offer(command("p1.fan", "rule:fan", 30_000));
    JsonObject ok = new JsonObject().put("type", "response").put("id", "c1").put("status", "ok");
    assertThatThrownBy(() -> router.respond(sink, "p2.fan", ok))
        .isInstanceOf(Refused.class)
        .hasMessageContaining("command c1 is for p1.fan, answered on p2.fan");
    router.respond(sink, "p1.fan", ok).join();
  }

  @Test
  void aCommandThatExpiresWhileItsDeliveredIsWrittenIsNotHandedOver() {
    kafka.hold();
    FakeDevice d = new FakeDevice();
    router.subscribe(fan, "p1.fan", d);
    router.offer(command("p1.fan", "rule:fan", 5_000));
    clock.addAndGet(6_000);
    kafka.release();
    assertThat(d.frames).isEmpty();
    assertThat(statuses("c1")).containsExactly(CommandStatus.DELIVERED, CommandStatus.EXPIRED);
    assertThat(router.waiting()).isZero();
  }

  @Test
  void aGrantTakenAwayWhileItsDeliveredIsWrittenStopsTheCommand() {
    kafka.hold();
    FakeDevice d = new FakeDevice();
    router.subscribe(fan, "p1.fan", d);
    router.offer(command("p1.fan", "rule:fan", 30_000));
    access.put("rule:fan", null);
    kafka.release();
    assertThat(d.frames).isEmpty();
    assertThat(statuses("c1")).containsExactly(CommandStatus.DELIVERED, CommandStatus.FORBIDDEN);
  }

  @Test
  void aCommandWhoseDeliveredWriteFailsAfterItsExpiryStillExpires() {
    kafka.hold();
    FakeDevice d = new FakeDevice();
    router.subscribe(fan, "p1.fan", d);
    router.offer(command("p1.fan", "rule:fan", 5_000));
    clock.addAndGet(6_000);
    router.tick(); // past its expiry, but its DELIVERED write decides
    router.unsubscribe("p1.fan", d);
    kafka.failHeld(new IllegalStateException("broker down"));
    router.tick();
    assertThat(statuses("c1")).containsExactly(CommandStatus.DELIVERED, CommandStatus.EXPIRED);
    assertThat(router.waiting()).isZero();
    assertThat(d.frames).isEmpty();
  }

  @Test
  void aCommandWhoseConnectionClosedBeforeTheWriteWaitsForTheNextWithoutASecondDelivered() {
    FakeDevice going = new FakeDevice();
    going.closesBeforeWriting = true;
    router.subscribe(fan, "p1.fan", going);
    router.offer(command("p1.fan", "rule:fan", 30_000));
    assertThat(router.waiting()).isOne();
    assertThat(router.awaitingAnswers()).isZero();
    FakeDevice next = new FakeDevice();
    router.subscribe(fan, "p1.fan", next);
    assertThat(next.frames).extracting(f -> f.getString("id")).containsExactly("c1");
    assertThat(statuses("c1")).containsExactly(CommandStatus.DELIVERED);
  }

  @Test
  void aCommandExpiringFurtherOutThanTheMaxTtlFromNowIsMalformed() {
    DeviceCommand ahead = command("p1.fan", "rule:fan", 30_000);
    ahead.setIssuedAt(Instant.ofEpochMilli(T0 + MAX_TTL));
    ahead.setExpiresAt(Instant.ofEpochMilli(T0 + MAX_TTL + 30_000));
    router.offer(ahead);
    assertThat(statuses("c1")).containsExactly(CommandStatus.MALFORMED);
    assertThat(responses().get(0).getReason()).contains("is the issuer's clock ahead?");
  }

  @Test
  void anIssuerWithoutRightsLearnsNothingAboutWhichDevicesExist() {
    router.offer(command("nobody.fan", "user:mallory", 30_000));
    assertThat(statuses("c1")).containsExactly(CommandStatus.FORBIDDEN);
  }

  @Test
  void aDeviceMayNotAnswerAnotherDevicesCommand() {
    router.subscribe(fan, "p1.fan", new FakeDevice());
    router.offer(command("p1.fan", "rule:fan", 30_000));
    Principal other = new Principal("p2.fan", "p2.fan", DeviceKind.ACTUATOR);
    assertThatThrownBy(
            () ->
                router.respond(
                    other,
                    new JsonObject().put("type", "response").put("id", "c1").put("status", "ok")))
        .isInstanceOf(Refused.class)
        .hasMessageContaining("no command c1 awaits an answer from p2.fan");
  }

  @Test
  void aCommandWaitsForItsDeviceToSubscribe() {
    router.offer(command("p1.fan", "rule:fan", 30_000));
    assertThat(responses()).isEmpty();
    assertThat(router.waiting()).isOne();
    clock.addAndGet(10_000);
    router.tick();
    FakeDevice d = new FakeDevice();
    router.subscribe(fan, "p1.fan", d);
    assertThat(d.frames).extracting(f -> f.getString("id")).containsExactly("c1");
    assertThat(statuses("c1")).containsExactly(CommandStatus.DELIVERED);
  }

  @Test
  void anExpiredCommandIsNeverDeliveredAndIsAnsweredExpired() {
    router.offer(command("p1.fan", "rule:fan", 5_000));
    clock.addAndGet(5_001);
    router.tick();
    assertThat(statuses("c1")).containsExactly(CommandStatus.EXPIRED);
    assertThat(responses().get(0).getReason()).contains("was not connected");
    FakeDevice d = new FakeDevice();
    router.subscribe(fan, "p1.fan", d);
    assertThat(d.frames).isEmpty();
    assertThat(router.waiting()).isZero();
    assertThat(metrics.commandCount("expired")).isOne();
  }

  @Test
  void aCommandReadAfterItsExpiryIsAnsweredExpiredAtOnce() {
    DeviceCommand c = command("p1.fan", "rule:fan", 5_000);
    clock.addAndGet(6_000);
    FakeDevice d = new FakeDevice();
    router.subscribe(fan, "p1.fan", d);
    router.offer(c);
    assertThat(statuses("c1")).containsExactly(CommandStatus.EXPIRED);
    assertThat(d.frames).isEmpty();
  }

  @Test
  void aForbiddenCommandIsNotDeliveredAndIsAnsweredForbidden() {
    FakeDevice d = new FakeDevice();
    router.subscribe(fan, "p1.fan", d);
    router.offer(command("p1.fan", "user:mallory", 30_000));
    assertThat(statuses("c1")).containsExactly(CommandStatus.FORBIDDEN);
    assertThat(responses().get(0).getReason()).contains("user:mallory has no entry");
    assertThat(d.frames).isEmpty();
    assertThat(metrics.commandCount("forbidden")).isOne();
  }

  @Test
  void aGrantTakenAwayWhileACommandWaitsStopsIt() {
    router.offer(command("p1.fan", "rule:fan", 30_000));
    access.put("rule:fan", null);
    FakeDevice d = new FakeDevice();
    router.subscribe(fan, "p1.fan", d);
    assertThat(statuses("c1")).containsExactly(CommandStatus.FORBIDDEN);
    assertThat(responses().get(0).getReason()).contains("taken away while it waited");
    assertThat(d.frames).isEmpty();
  }

  @Test
  void anUnknownDeviceAndAMalformedCommandAreAnsweredWithTheReason() {
    router.offer(command("nobody.fan", "rule:fan", 30_000));
    assertThat(statuses("c1")).containsExactly(CommandStatus.UNKNOWN_DEVICE);
    assertThat(responses().get(0).getReason()).contains("nobody.fan is not registered");
    DeviceCommand backwards = command("p1.fan", "rule:fan", 30_000);
    backwards.setExpiresAt(backwards.getIssuedAt());
    router.offer(backwards);
    assertThat(statuses("c2")).containsExactly(CommandStatus.MALFORMED);
    assertThat(responses().get(1).getReason()).contains("is not after issuedAt");
    router.offer(command("p1.fan", "rule:fan", MAX_TTL + 1));
    assertThat(statuses("c3")).containsExactly(CommandStatus.MALFORMED);
    assertThat(responses().get(2).getReason()).contains("longer than commands.max.ttl");
    DeviceCommand blank = command("p1.fan", "rule:fan", 30_000);
    blank.setName(" ");
    router.offer(blank);
    assertThat(statuses("c4")).containsExactly(CommandStatus.MALFORMED);
  }

  @Test
  void aCommandAnsweredBeforeARestartIsNeverDeliveredAgain() {
    DeviceCommand c = command("p1.fan", "rule:fan", 30_000);
    router.answered("c1"); // its DELIVERED was read back from telemetry.command.responses
    FakeDevice d = new FakeDevice();
    router.subscribe(fan, "p1.fan", d);
    router.offer(c);
    router.offer(c); // and a second copy of the record: nothing either
    assertThat(d.frames).isEmpty();
    assertThat(responses()).isEmpty();
  }

  @Test
  void aCommandReadTwiceIsDeliveredOnce() {
    FakeDevice d = new FakeDevice();
    router.subscribe(fan, "p1.fan", d);
    DeviceCommand c = command("p1.fan", "rule:fan", 30_000);
    router.offer(c);
    router.offer(c);
    assertThat(d.frames).hasSize(1);
    assertThat(statuses("c1")).containsExactly(CommandStatus.DELIVERED);
  }

  @Test
  void oneDevicesCommandsGoInOrderEachAfterTheDeliveredOfTheOneBefore() {
    kafka.hold();
    FakeDevice d = new FakeDevice();
    router.subscribe(fan, "p1.fan", d);
    router.offer(command("p1.fan", "rule:fan", 30_000));
    router.offer(command("p1.fan", "rule:fan", 30_000));
    router.offer(command("p1.fan", "rule:fan", 30_000));
    assertThat(responses()).hasSize(1); // only the first is being recorded
    kafka.release();
    assertThat(d.frames).extracting(f -> f.getString("id")).containsExactly("c1", "c2", "c3");
  }

  @Test
  void theNewestOpenSubscriptionGetsTheCommand() {
    FakeDevice old = new FakeDevice();
    FakeDevice newer = new FakeDevice();
    router.subscribe(fan, "p1.fan", old);
    router.subscribe(fan, "p1.fan", newer);
    router.offer(command("p1.fan", "rule:fan", 30_000));
    assertThat(newer.frames).hasSize(1);
    newer.open = false;
    router.offer(command("p1.fan", "rule:fan", 30_000));
    assertThat(old.frames).extracting(f -> f.getString("id")).containsExactly("c2");
  }

  @Test
  void aConnectionLostWhileDeliveredWasWrittenKeepsTheCommandForTheNextWithoutASecondRecord() {
    kafka.hold();
    FakeDevice d = new FakeDevice();
    router.subscribe(fan, "p1.fan", d);
    router.offer(command("p1.fan", "rule:fan", 30_000));
    d.open = false;
    router.unsubscribe("p1.fan", d);
    kafka.release();
    assertThat(d.frames).isEmpty();
    FakeDevice again = new FakeDevice();
    router.subscribe(fan, "p1.fan", again);
    assertThat(again.frames).hasSize(1);
    assertThat(statuses("c1")).containsExactly(CommandStatus.DELIVERED);
  }

  @Test
  void aFailedDeliveredWriteLeavesTheCommandWaitingAndTheTickTriesAgain() {
    kafka.failWith(new IllegalStateException("broker down"));
    FakeDevice d = new FakeDevice();
    router.subscribe(fan, "p1.fan", d);
    router.offer(command("p1.fan", "rule:fan", 30_000));
    assertThat(d.frames).isEmpty();
    assertThat(router.waiting()).isOne();
    kafka.failWith(null);
    router.tick();
    assertThat(d.frames).hasSize(1);
  }

  @Test
  void aDeviceTakesCommandsForItselfAndASinkForTheSensorsItRelaysFor() {
    Principal sink = new Principal("p1.sink-a", "p1.sink-a", DeviceKind.SINK);
    FakeDevice d = new FakeDevice();
    router.subscribe(sink, "p1.fan", d);
    router.offer(command("p1.fan", "rule:fan", 30_000));
    assertThat(d.frames).hasSize(1);
    assertThatThrownBy(() -> router.subscribe(fan, "p2.fan", new FakeDevice()))
        .isInstanceOf(Refused.class)
        .hasMessageContaining("not for p2.fan");
  }
}
