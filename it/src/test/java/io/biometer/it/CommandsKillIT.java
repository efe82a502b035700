package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.Topics;
import io.biometer.avro.CommandResponse;
import io.biometer.avro.CommandStatus;
import io.biometer.avro.ConnectionEvent;
import io.biometer.avro.DeviceCommand;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.SensorType;
import io.biometer.devstack.LocalStack;
import io.biometer.devstack.StackFixture;
import io.biometer.ingress.admin.CommandAdmin;
import io.biometer.ingress.admin.CredentialAdmin;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway is killed (SIGKILL, a child JVM) while commands flow to 100 connected fans and wait
 * for 100 that are not connected yet; more commands are issued while it is down. After a restart on
 * the same ports, with the devices reconnecting: no command reaches a device twice, every command
 * that was not yet handed over before the kill is delivered after it (the waiting ones included),
 * and the only ones not delivered at all are those whose DELIVERED response Kafka had when the
 * gateway died (at most once: the price is stated in docs/commands.md).
 */
class CommandsKillIT {

  static final int DEVICES = 200;
  static final int ONLINE = 100;

  @TempDir Path dir;

  /** One fan: connects when it is its time, takes its commands, answers each with ok. */
  static final class Fan {
    final String id;
    final String password;
    final AtomicBoolean online = new AtomicBoolean();
    MqttClient client;
    boolean connecting;

    Fan(String id, String password) {
      this.id = id;
      this.password = password;
    }
  }

  @Test
  void eachUnexpiredCommandIsDeliveredAtMostOnceAcrossAKillAndARestart() throws Exception {
    Map<String, String> v = StackFixture.values(dir.resolve("stack"), false);
    try (LocalStack stack = LocalStack.start(new io.biometer.devstack.DevStackConfig(v));
        CommandAdmin commands =
            new CommandAdmin(stack.bootstrapServers(), stack.registryUrl(), Map.of())) {
      List<Fan> fans = register(stack);
      commands.grant("user:kill", List.of("kf*"), List.of("*"), "CommandsKillIT");
      int http = StackFixture.freePort();
      int mqtt = StackFixture.freePort();
      Process gateway = IngressKillIT.startGateway(stack, http, mqtt, dir.resolve("gateway-1.log"));
      Vertx vertx = Vertx.vertx();
      Map<String, Integer> received = new ConcurrentHashMap<>();
      List<String> issued = new ArrayList<>();
      try {
        IngressKillIT.awaitHealthy(http, gateway);
        fans.subList(0, ONLINE).forEach(f -> f.online.set(true));
        for (Fan f : fans) {
          vertx.setPeriodic(100, t -> tick(vertx, f, mqtt, received));
        }
        Poll.until(
            Duration.ofSeconds(60),
            "the online fans subscribed",
            () -> fans.subList(0, ONLINE).stream().allMatch(CommandsKillIT::subscribed));

        // Three commands per fan, the online ones first: the others' wait in the gateway.
        for (int round = 0; round < 3; round++) {
          for (Fan f : fans) {
            issued.add(issue(commands, f.id));
          }
        }
        Poll.until(
            Duration.ofSeconds(60),
            "a third of the online fans' commands delivered before the kill",
            () -> received.size() >= ONLINE);
        gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        int beforeKill = received.size();
        // Issued while the gateway is down: read by the next one.
        for (Fan f : fans.subList(0, ONLINE)) {
          issued.add(issue(commands, f.id));
        }

        gateway = IngressKillIT.startGateway(stack, http, mqtt, dir.resolve("gateway-2.log"));
        IngressKillIT.awaitHealthy(http, gateway);
        fans.forEach(f -> f.online.set(true));

        // Settled: every command is either at its device, or had its DELIVERED written when the
        // gateway died and was lost with it.
        Set<String> issuedSet = new HashSet<>(issued);
        Map<String, List<CommandStatus>> outcome =
            Poll.await(
                Duration.ofSeconds(120),
                Duration.ofSeconds(1),
                "every command delivered, or recorded DELIVERED before the kill",
                () -> responses(stack, issuedSet),
                out ->
                    issued.stream()
                        .allMatch(
                            id ->
                                received.containsKey(id)
                                    || out.getOrDefault(id, List.of())
                                        .contains(CommandStatus.DELIVERED)));

        List<String> twice =
            received.entrySet().stream()
                .filter(e -> e.getValue() > 1)
                .map(Map.Entry::getKey)
                .toList();
        assertThat(twice).as("commands a device got twice").isEmpty();
        List<String> deliveredTwice =
            outcome.entrySet().stream()
                .filter(
                    e ->
                        e.getValue().stream().filter(s -> s == CommandStatus.DELIVERED).count() > 1)
                .map(Map.Entry::getKey)
                .toList();
        assertThat(deliveredTwice).as("commands recorded DELIVERED twice").isEmpty();
        List<String> lost = issued.stream().filter(id -> !received.containsKey(id)).toList();
        // Every command of the fans that connected only after the restart came through it.
        Set<String> late = new HashSet<>();
        for (int i = 0; i < issued.size() && i < 3 * DEVICES; i++) {
          if (i % DEVICES >= ONLINE) {
            late.add(issued.get(i));
          }
        }
        assertThat(late).allMatch(received::containsKey);
        assertThat(received.size()).isGreaterThan(beforeKill);
        List<ConnectionEvent> restarted =
            Clients.readAll(stack, Topics.CONNECTIONS, Clients.specific(stack)).stream()
                .map(r -> (ConnectionEvent) r.value())
                .filter(e -> "gateway restarted".equals(String.valueOf(e.getReason())))
                .toList();
        System.out.printf(
            "commands kill test: %d issued, %d delivered before the kill, %d after, %d lost with"
                + " the gateway (DELIVERED recorded, not handed over), 0 twice; %d devices marked"
                + " disconnected by the restarted gateway%n",
            issued.size(), beforeKill, received.size() - beforeKill, lost.size(), restarted.size());
        assertThat(lost.size())
            .as("lost in the kill: at most the ones in flight")
            .isLessThan(ONLINE);
        assertThat(restarted).as("the first gateway's devices marked disconnected").isNotEmpty();
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static String issue(CommandAdmin commands, String device) throws Exception {
    DeviceCommand c =
        CommandAdmin.command(
            device, "set_power", Map.of("state", "on"), "user:kill", Duration.ofMinutes(5), null);
    commands.send(c);
    return c.getCommandId().toString();
  }

  private static boolean subscribed(Fan f) {
    synchronized (f) {
      return f.client != null && f.client.isConnected() && !f.connecting;
    }
  }

  /** The responses of {@code ids} so far, in order, by command. */
  private static Map<String, List<CommandStatus>> responses(LocalStack stack, Set<String> ids) {
    Map<String, List<CommandStatus>> out = new HashMap<>();
    for (var r : Clients.readAll(stack, Topics.COMMAND_RESPONSES, Clients.specific(stack))) {
      CommandResponse c = (CommandResponse) r.value();
      if (ids.contains(c.getCommandId().toString())) {
        out.computeIfAbsent(c.getCommandId().toString(), k -> new ArrayList<>()).add(c.getStatus());
      }
    }
    return out;
  }

  /** Connects a fan whose time has come and that is not connected, and subscribes it. */
  private static void tick(Vertx vertx, Fan f, int port, Map<String, Integer> received) {
    synchronized (f) {
      if (!f.online.get() || f.connecting || (f.client != null && f.client.isConnected())) {
        return;
      }
      f.connecting = true;
      MqttClient c =
          MqttClient.create(
              vertx,
              new MqttClientOptions()
                  .setClientId(f.id)
                  .setUsername(f.id)
                  .setPassword(f.password)
                  .setKeepAliveInterval(10)
                  .setAutoKeepAlive(true)
                  .setCleanSession(true));
      c.publishHandler(
          m -> {
            JsonObject cmd = m.payload().toJsonObject();
            String id = cmd.getString("id");
            received.merge(id, 1, Integer::sum);
            c.publish(
                "biometer/" + f.id + "/responses",
                Buffer.buffer(
                    new JsonObject()
                        .put("type", "response")
                        .put("id", id)
                        .put("status", "ok")
                        .encode()),
                MqttQoS.AT_LEAST_ONCE,
                false,
                false);
          });
      c.exceptionHandler(e -> {});
      c.connect(port, "127.0.0.1")
          .compose(ack -> c.subscribe("biometer/" + f.id + "/commands", 1))
          .onComplete(
              r -> {
                synchronized (f) {
                  f.connecting = false;
                  f.client = r.succeeded() ? c : null;
                }
              });
    }
  }

  private List<Fan> register(LocalStack stack) throws Exception {
    List<Fan> fans = new ArrayList<>();
    for (CredentialAdmin.Issued i :
        IngressKillIT.addAll(stack, "kf%03d", DEVICES, DeviceKind.ACTUATOR, SensorType.FAN)) {
      fans.add(new Fan(i.credential().getDeviceId(), i.secret()));
    }
    return fans;
  }
}
