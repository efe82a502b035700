package io.biometer.simulator.gateway;

import io.biometer.ingress.readings.DeviceReading;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.mqtt.MqttConnectionException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * MQTT with Vert.x's client: CONNECT with the device id as client id and user name and its
 * password, then QoS 1 PUBLISH of each message to {@code biometer/<device>/readings} (the device
 * the readings are of: a sink publishes to each sensor's topic), PUBACK'd by the gateway once Kafka
 * has it.
 *
 * <p>Vert.x's client speaks MQTT 3.1.1, whose PUBACK carries no reason code: the gateway
 * acknowledges a replay (Kafka has the reading) and closes the connection on any other refusal.
 * {@link RelayDevice} then sends again one reading at a time and counts a reading after which the
 * connection closed again and again as refused ({@link #closedHint()}); the gateway's log and its
 * {@code biometer_ingress_refused_total} say why.
 *
 * <p>A device that takes {@link Commands} (an actuator) also subscribes to {@code
 * biometer/<device>/commands} on each connection and publishes its answers, QoS 1, to {@code
 * biometer/<device>/responses} on the same connection (docs/commands.md).
 */
final class MqttTransport implements Transport {

  /** How long a device waits for the SUBACK of its commands topic before it gives up the link. */
  static final long SUBACK_TIMEOUT_MILLIS = 10_000;

  private final Vertx vertx;
  private final GatewaySettings settings;
  private final Commands commands;

  MqttTransport(Vertx vertx, GatewaySettings settings) {
    this(vertx, settings, Commands.NONE);
  }

  /**
   * A transport whose devices with a {@link Commands#handler} also subscribe to {@code
   * biometer/<device>/commands} (QoS 1) on every connection and answer on {@code
   * biometer/<device>/responses}.
   */
  MqttTransport(Vertx vertx, GatewaySettings settings, Commands commands) {
    this.vertx = vertx;
    this.settings = settings;
    this.commands = commands;
  }

  @Override
  public Future<Link> connect(String deviceId, String password, Consumer<Link> onClosed) {
    MqttClientOptions o =
        new MqttClientOptions()
            .setClientId(deviceId)
            .setUsername(deviceId)
            .setPassword(password)
            .setCleanSession(true)
            // The gateway closes a connection after 1.5 silent keep-alives; the client pings.
            .setKeepAliveInterval(30)
            .setAutoKeepAlive(true)
            .setMaxInflightQueue(settings.window());
    o.setConnectTimeout(10_000);
    if (settings.tls()) {
      o.setSsl(true)
          .setTrustOptions(Wire.trust(settings))
          .setHostnameVerificationAlgorithm("HTTPS");
    }
    // A client per connection: the client keeps its unacknowledged packets after a close.
    MqttClient client = MqttClient.create(vertx, o);
    MqttLink l = new MqttLink(client);
    client.publishCompletionHandler(l::acknowledged);
    client.closeHandler(
        v -> {
          l.closed();
          onClosed.accept(l);
        });
    Commands.Handler handler = commands.handler(deviceId);
    if (handler != null) {
      String commandsTopic = commandsTopic(deviceId);
      client.publishHandler(
          m -> {
            if (m.topicName().equals(commandsTopic)) {
              handler.command(m.payload(), frame -> l.respond(responsesTopic(deviceId), frame));
            }
          });
    }
    Future<MqttLink> connected =
        client
            .connect(settings.mqttPort(), settings.host())
            .recover(e -> Future.failedFuture(refusal(e)))
            .map(ack -> l);
    if (handler == null) {
      return connected.map(link -> link);
    }
    return connected
        .compose(link -> subscribe(client, deviceId))
        .onSuccess(v -> handler.subscribed())
        .map(v -> l);
  }

  /** {@code biometer/<device>/commands}, where the gateway sends a device its commands. */
  static String commandsTopic(String deviceId) {
    return "biometer/" + deviceId + "/commands";
  }

  /** {@code biometer/<device>/responses}, where a device answers its commands. */
  static String responsesTopic(String deviceId) {
    return "biometer/" + deviceId + "/responses";
  }

  /**
   * Subscribes to the device's commands topic with QoS 1 and waits for the SUBACK: a link counts as
   * connected only once commands can come. A refused subscription (SUBACK 0x80) or none within
   * {@link #SUBACK_TIMEOUT_MILLIS} closes the connection and fails, and the device connects again
   * with backoff.
   */
  private Future<Void> subscribe(MqttClient client, String deviceId) {
    String topic = commandsTopic(deviceId);
    Promise<Void> subscribed = Promise.promise();
    client.subscribeCompletionHandler(
        ack -> {
          List<Integer> granted = ack.grantedQoSLevels();
          if (granted.isEmpty() || granted.get(0) > 2) {
            subscribed.tryFail(
                new IllegalStateException(
                    "the gateway refused the subscription of "
                        + deviceId
                        + " to "
                        + topic
                        + " (SUBACK "
                        + granted
                        + "): does it deliver commands (commands.enabled)?"));
          } else {
            subscribed.tryComplete();
          }
        });
    long timer =
        vertx.setTimer(
            SUBACK_TIMEOUT_MILLIS,
            id ->
                subscribed.tryFail(
                    new IllegalStateException(
                        "no SUBACK for " + topic + " within " + SUBACK_TIMEOUT_MILLIS + " ms")));
    client.subscribe(topic, MqttQoS.AT_LEAST_ONCE.value()).onFailure(subscribed::tryFail);
    return subscribed
        .future()
        .onComplete(ar -> vertx.cancelTimer(timer))
        .onFailure(
            e -> {
              if (client.isConnected()) {
                client.disconnect();
              }
            });
  }

  /** A refused CONNECT as the login refusal it is, other failures as they are. */
  static Throwable refusal(Throwable e) {
    if (e instanceof MqttConnectionException m
        && (m.code() == MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED
            || m.code() == MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD
            || m.code() == MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED)) {
      return new LoginRefused(
          m.code().name().replace("CONNECTION_REFUSED_", "").toLowerCase(Locale.ROOT),
          "CONNACK " + m.code());
    }
    return e;
  }

  @Override
  public boolean loginOnConnect() {
    return true;
  }

  @Override
  public int maxMessagesInFlight() {
    return settings.window();
  }

  @Override
  public boolean mixedBatches() {
    return false;
  }

  @Override
  public String closedHint() {
    return "the gateway closed the MQTT 3.1.1 connection each time this reading was in flight"
        + " (3.1.1 has no code to say why; see the gateway's log)";
  }

  @Override
  public void close() {
    // Nothing shared: each link has its own client.
  }

  private static final class MqttLink implements Link {
    private final MqttClient client;
    private final Map<Integer, Promise<List<Answer>>> unacked = new HashMap<>();
    private final Map<Integer, Promise<Void>> responses = new HashMap<>();
    private final Map<Integer, Integer> sizes = new HashMap<>();
    private final Set<Integer> early = new HashSet<>();

    MqttLink(MqttClient client) {
      this.client = client;
    }

    @Override
    public Future<List<Answer>> send(List<DeviceReading> readings) {
      Promise<List<Answer>> p = Promise.promise();
      String topic = "biometer/" + readings.get(0).deviceId() + "/readings";
      client
          .publish(topic, Wire.json(readings), MqttQoS.AT_LEAST_ONCE, false, false)
          .onComplete(
              ar -> {
                if (ar.failed()) {
                  p.tryFail(ar.cause());
                } else if (early.remove(ar.result())) {
                  p.tryComplete(Wire.all(readings.size(), Answer.ACCEPTED));
                } else {
                  unacked.put(ar.result(), p);
                  sizes.put(ar.result(), readings.size());
                }
              });
      return p.future();
    }

    /** Publishes a command's response with QoS 1; completes on its PUBACK. */
    Future<Void> respond(String topic, Buffer frame) {
      Promise<Void> p = Promise.promise();
      client
          .publish(topic, frame, MqttQoS.AT_LEAST_ONCE, false, false)
          .onComplete(
              ar -> {
                if (ar.failed()) {
                  p.tryFail(ar.cause());
                } else if (early.remove(ar.result())) {
                  p.tryComplete();
                } else {
                  responses.put(ar.result(), p);
                }
              });
      return p.future();
    }

    void acknowledged(int packetId) {
      Promise<Void> response = responses.remove(packetId);
      if (response != null) {
        response.tryComplete();
        return;
      }
      Promise<List<Answer>> p = unacked.remove(packetId);
      Integer n = sizes.remove(packetId);
      if (p == null) {
        early.add(packetId); // PUBACK before the write completed
      } else {
        // MQTT 3.1.1: accepted now, or a replay acknowledged; Kafka has it either way.
        p.tryComplete(Wire.all(n, Answer.ACCEPTED));
      }
    }

    void closed() {
      List<Promise<List<Answer>>> open = List.copyOf(unacked.values());
      unacked.clear();
      sizes.clear();
      open.forEach(p -> p.tryFail(new Wire.ConnectionLost("MQTT connection closed")));
      List<Promise<Void>> answers = List.copyOf(responses.values());
      responses.clear();
      answers.forEach(p -> p.tryFail(new Wire.ConnectionLost("MQTT connection closed")));
    }

    @Override
    public void close() {
      if (client.isConnected()) {
        client.disconnect();
      }
    }
  }
}
