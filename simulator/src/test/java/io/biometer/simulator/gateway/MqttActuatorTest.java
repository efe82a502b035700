package io.biometer.simulator.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.avro.Device;
import io.biometer.avro.DeviceCredential;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.SensorType;
import io.biometer.ingress.auth.PasswordHash;
import io.biometer.simulator.engine.CollectingOutput;
import io.biometer.simulator.engine.GroundTruth;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A fan over real MQTT against a small server that plays the gateway's command side: it connects
 * with its credential, subscribes to its commands topic with QoS 1, answers a command on its
 * responses topic and reports the new state on its readings topic; over MQTT whatever {@code via}
 * the sinks and meters use (here http).
 */
class MqttActuatorTest {

  private static final String FAN = "patient-000001.fan";

  private final Vertx vertx = Vertx.vertx();
  private final Map<String, BlockingQueue<String>> published = new ConcurrentHashMap<>();
  private final CompletableFuture<String> login = new CompletableFuture<>();
  private final CompletableFuture<Integer> subscribedQos = new CompletableFuture<>();
  private GatewayOutput out;

  @AfterEach
  void close() throws Exception {
    if (out != null) {
      out.close(Duration.ZERO);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A server that takes every login, grants every subscription and PUBACKs every message. */
  private int gateway(boolean refuseSubscription) throws Exception {
    MqttServer server = MqttServer.create(vertx, new MqttServerOptions().setPort(0));
    server.endpointHandler(
        e -> {
          login.complete(e.clientIdentifier() + ":" + e.auth().getPassword());
          e.publishHandler(
              m -> {
                queue(m.topicName()).add(m.payload().toString());
                if (m.qosLevel() == MqttQoS.AT_LEAST_ONCE) {
                  e.publishAcknowledge(m.messageId());
                }
              });
          e.subscribeHandler(
              s -> {
                subscribedQos.complete(s.topicSubscriptions().get(0).qualityOfService().value());
                String topic = s.topicSubscriptions().get(0).topicName();
                if (refuseSubscription) {
                  e.subscribeAcknowledge(s.messageId(), List.of(MqttQoS.FAILURE));
                  return;
                }
                e.subscribeAcknowledge(s.messageId(), List.of(MqttQoS.AT_LEAST_ONCE));
                if (topic.equals("biometer/" + FAN + "/commands")) {
                  e.publish(
                      topic,
                      new JsonObject()
                          .put("type", "command")
                          .put("id", "0b5c")
                          .put("deviceId", FAN)
                          .put("name", "set_power")
                          .put("arguments", new JsonObject().put("state", "on"))
                          .put("expiresAt", Instant.now().plusSeconds(30).toString())
                          .toBuffer(),
                      MqttQoS.AT_LEAST_ONCE,
                      false,
                      false);
                }
              });
          e.accept(false);
        });
    return server
        .listen()
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS)
        .actualPort();
  }

  private CollectingOutput startFan(int mqttPort) {
    CollectingOutput kafka = new CollectingOutput();
    out =
        GatewayOutput.create(
            new GatewaySettings(
                Via.HTTP, "127.0.0.1", 1, mqttPort, 1, 1, null, null, 8, 16, 10_000),
            kafka,
            GroundTruth.NONE);
    out.device(
        Device.newBuilder()
            .setDeviceId(FAN)
            .setKind(DeviceKind.ACTUATOR)
            .setSensorType(SensorType.FAN)
            .setOwnerId("patient-000001")
            .setCadenceMillis(10_000L)
            .setRegisteredAt(Instant.now())
            .build());
    out.start();
    out.startActuators(() -> 1_800_000_000_000L, 1, 42);
    return kafka;
  }

  private BlockingQueue<String> queue(String topic) {
    return published.computeIfAbsent(topic, t -> new LinkedBlockingQueue<>());
  }

  /** The next message the server got on {@code topic}, waiting up to 10 s. */
  private String next(String topic) throws InterruptedException {
    String m = queue(topic).poll(10, TimeUnit.SECONDS);
    if (m == null) {
      throw new AssertionError("nothing on " + topic + " within 10 s");
    }
    return m;
  }

  @Test
  void aFanSubscribesWithQos1AnswersTheCommandAndReportsItsNewState() throws Exception {
    CollectingOutput kafka = startFan(gateway(false));
    DeviceCredential cred = kafka.credentials.get(0);
    assertThat(cred.getAuthId()).isEqualTo(FAN);

    String[] user = login.get(10, TimeUnit.SECONDS).split(":", 2);
    assertThat(user[0]).isEqualTo(FAN);
    assertThat(
            PasswordHash.parse(cred.getSecrets().get(0).getPwdHash())
                .matches(user[1].toCharArray()))
        .as("logs in with the password its credential hashes")
        .isTrue();
    assertThat(subscribedQos.get(10, TimeUnit.SECONDS)).isEqualTo(1);

    JsonObject first = new JsonObject(next("biometer/" + FAN + "/readings"));
    assertThat(first.getString("deviceId")).isEqualTo(FAN);
    assertThat(first.getLong("sequence")).isEqualTo(42);
    assertThat(first.getJsonObject("values").getMap()).isEqualTo(Map.of("fan_power", 0.0));

    assertThat(new JsonObject(next("biometer/" + FAN + "/responses")))
        .isEqualTo(
            new JsonObject(
                "{\"type\":\"response\",\"id\":\"0b5c\",\"status\":\"ok\","
                    + "\"details\":{\"state\":\"on\"}}"));
    JsonObject changed = new JsonObject(next("biometer/" + FAN + "/readings"));
    assertThat(changed.getLong("sequence")).isEqualTo(43);
    assertThat(changed.getJsonObject("values").getMap()).isEqualTo(Map.of("fan_power", 1.0));
    assertThat(out.stats().commands.sum()).isEqualTo(1);
  }

  @Test
  void aRefusedSubscriptionIsNoConnectionAndTheFanTriesAgain() throws Exception {
    startFan(gateway(true));
    assertThat(subscribedQos.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (out.stats().connectFailures.sum() == 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // poll with a deadline
    }
    assertThat(out.stats().connectFailures.sum()).as("counted a failed connect").isPositive();
    assertThat(out.stats().connected.get()).isZero();
  }
}
