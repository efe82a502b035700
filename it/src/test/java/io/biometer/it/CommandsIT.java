package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.Topics;
import io.biometer.avro.CommandResponse;
import io.biometer.avro.CommandStatus;
import io.biometer.avro.ConnectionEvent;
import io.biometer.avro.ConnectionState;
import io.biometer.avro.CredentialType;
import io.biometer.avro.DeviceCommand;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.SensorType;
import io.biometer.ingress.IngressConfig;
import io.biometer.ingress.admin.CommandAdmin;
import io.biometer.ingress.admin.CredentialAdmin;
import io.biometer.ingress.admin.CredentialAdmin.AddRequest;
import io.biometer.ingress.grpc.v1.CommandDownlink;
import io.biometer.ingress.grpc.v1.CommandUplink;
import io.biometer.ingress.grpc.v1.ReadingsGrpc;
import io.biometer.ingress.grpc.v1.Subscribe;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands back to devices on the embedded stack, through the real gateway, with clients nobody
 * here wrote: Eclipse Paho (MQTT 5), the JDK's WebSocket, grpc-java's generated stub; and raw
 * sockets for the devices that stop answering.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommandsIT {

  private static final long HEARTBEAT_MS = 500;

  @TempDir static Path dir;
  IngressFixture f;
  CommandAdmin commands;
  final Map<String, String> passwords = new HashMap<>();

  @BeforeAll
  void start() throws Exception {
    f =
        IngressFixture.start(
            dir,
            false,
            Map.of(IngressConfig.HEARTBEAT_INTERVAL_CONFIG, "PT" + HEARTBEAT_MS / 1000.0 + "S"));
    try (CredentialAdmin admin = f.admin()) {
      for (int i = 1; i <= 10; i++) {
        String id = "p" + i + ".fan";
        passwords.put(
            id,
            admin
                .add(
                    new AddRequest(
                        id,
                        DeviceKind.ACTUATOR,
                        SensorType.FAN,
                        "p" + i,
                        List.of(),
                        CredentialType.HASHED_PASSWORD,
                        id,
                        null,
                        1_000))
                .secret());
      }
      passwords.put(
          "p1.phone",
          admin
              .add(
                  new AddRequest(
                      "p1.phone",
                      DeviceKind.SINK,
                      null,
                      "p1",
                      List.of(),
                      CredentialType.HASHED_PASSWORD,
                      "p1.phone",
                      null,
                      1_000))
              .secret());
    }
    commands = new CommandAdmin(f.stack.bootstrapServers(), f.stack.registryUrl(), Map.of());
    commands.grant("user:it", List.of("*.fan"), List.of("*"), "CommandsIT");
    Poll.until(
        Duration.ofSeconds(30),
        "the gateway reads the fans and the grant",
        () -> f.gateway().directory().credential(CredentialType.HASHED_PASSWORD, "p9.fan") != null);
  }

  @AfterAll
  void stop() {
    if (commands != null) {
      commands.close();
    }
    if (f != null) {
      f.close();
    }
  }

  DeviceCommand command(String device, String issuer, Duration ttl) {
    return CommandAdmin.command(
        device, "set_power", Map.of("state", "on"), issuer, ttl, "CommandsIT");
  }

  /** The responses to {@code id} once there are {@code n} of them (or 30 s passed). */
  List<CommandResponse> responses(String id, int n) {
    return Clients.readUntil(
            f.stack,
            Topics.COMMAND_RESPONSES,
            Clients.specific(f.stack),
            Duration.ofSeconds(30),
            got -> of(got, id).size() >= n)
        .stream()
        .map(r -> (CommandResponse) r.value())
        .filter(r -> r.getCommandId().toString().equals(id))
        .toList();
  }

  private static List<CommandResponse> of(
      List<ConsumerRecord<String, SpecificRecord>> got, String id) {
    return got.stream()
        .map(r -> (CommandResponse) r.value())
        .filter(r -> r.getCommandId().toString().equals(id))
        .toList();
  }

  static List<CommandStatus> statuses(List<CommandResponse> rs) {
    return rs.stream().map(CommandResponse::getStatus).toList();
  }

  /** Every connection event of {@code device} so far. */
  List<ConnectionEvent> events(String device, int atLeast) {
    return Clients.readUntil(
            f.stack,
            Topics.CONNECTIONS,
            Clients.specific(f.stack),
            Duration.ofSeconds(30),
            got -> ofDevice(got, device).size() >= atLeast)
        .stream()
        .map(r -> (ConnectionEvent) r.value())
        .filter(e -> e.getDeviceId().toString().equals(device))
        .toList();
  }

  private static List<ConnectionEvent> ofDevice(
      List<ConsumerRecord<String, SpecificRecord>> got, String device) {
    return got.stream()
        .map(r -> (ConnectionEvent) r.value())
        .filter(e -> e.getDeviceId().toString().equals(device))
        .toList();
  }

  static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------- MQTT (Eclipse Paho, MQTT 5)

  /** A Paho MQTT 5 device that keeps every command it gets and answers each with ok. */
  final class PahoFan implements MqttCallback {
    final String id;
    final MqttAsyncClient client;
    final LinkedBlockingQueue<JsonObject> commandsGot = new LinkedBlockingQueue<>();
    volatile boolean answer = true;

    PahoFan(String id) throws Exception {
      this.id = id;
      client = new MqttAsyncClient("tcp://127.0.0.1:" + f.gateway().mqttPort(), id + "-paho", null);
      client.setCallback(this);
      MqttConnectionOptions o = new MqttConnectionOptions();
      o.setUserName(id);
      o.setPassword(passwords.get(id).getBytes(StandardCharsets.UTF_8));
      o.setAutomaticReconnect(false);
      o.setKeepAliveInterval(30);
      client.connect(o).waitForCompletion(10_000);
    }

    int subscribe(String topic) throws MqttException {
      IMqttToken t = client.subscribe(new MqttSubscription(topic, 1));
      t.waitForCompletion(10_000);
      return t.getReasonCodes()[0];
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) throws Exception {
      JsonObject c = new JsonObject(new String(message.getPayload(), StandardCharsets.UTF_8));
      commandsGot.add(c);
      if (answer) {
        JsonObject r =
            new JsonObject()
                .put("type", "response")
                .put("id", c.getString("id"))
                .put("status", "ok")
                .put(
                    "details",
                    new JsonObject().put("state", c.getJsonObject("arguments").getString("state")));
        MqttMessage m = new MqttMessage(r.toBuffer().getBytes());
        m.setQos(1);
        client.publish("biometer/" + id + "/responses", m);
      }
    }

    JsonObject next() throws InterruptedException {
      JsonObject c = commandsGot.poll(30, TimeUnit.SECONDS);
      assertThat(c).as("a command for " + id + " within 30 s").isNotNull();
      return c;
    }

    void close() throws MqttException {
      client.disconnect().waitForCompletion(5_000);
      client.close();
    }

    @Override
    public void disconnected(MqttDisconnectResponse r) {}

    @Override
    public void mqttErrorOccurred(MqttException e) {}

    @Override
    public void deliveryComplete(IMqttToken t) {}

    @Override
    public void connectComplete(boolean reconnect, String uri) {}

    @Override
    public void authPacketArrived(int reason, MqttProperties p) {}
  }

  @Test
  void aCommandReachesAnMqttDeviceAndItsAnswerComesBackUnderTheSameCorrelationId()
      throws Exception {
    PahoFan fan = new PahoFan("p1.fan");
    try {
      assertThat(fan.subscribe("biometer/p1.fan/commands")).as("granted QoS 1").isEqualTo(1);
      DeviceCommand c = command("p1.fan", "user:it", Duration.ofSeconds(60));
      commands.send(c);
      JsonObject got = fan.next();
      assertThat(got.getString("type")).isEqualTo("command");
      assertThat(got.getString("id")).isEqualTo(c.getCommandId().toString());
      assertThat(got.getString("name")).isEqualTo("set_power");
      assertThat(got.getJsonObject("arguments").getString("state")).isEqualTo("on");
      List<CommandResponse> rs = responses(c.getCommandId().toString(), 2);
      assertThat(statuses(rs)).containsExactly(CommandStatus.DELIVERED, CommandStatus.OK);
      assertThat(rs.get(1).getDetails()).containsEntry("state", "on");
      assertThat(rs.get(1).getIssuedBy()).isEqualTo("user:it");
    } finally {
      fan.close();
    }
    List<ConnectionEvent> events = events("p1.fan", 2);
    assertThat(events)
        .extracting(ConnectionEvent::getState)
        .containsExactly(ConnectionState.CONNECTED, ConnectionState.DISCONNECTED);
    assertThat(events.get(0).getProtocol()).isEqualTo("mqtt");
    assertThat(events.get(0).getOpenConnections()).isOne();
    assertThat(events.get(1).getReason()).isEqualTo("client disconnected");
    assertThat(events.get(1).getOpenConnections()).isZero();
  }

  @Test
  void anMqttDeviceMayNotTakeAnotherDevicesCommandsNorAnswerACommandItWasNotGiven()
      throws Exception {
    PahoFan fan = new PahoFan("p9.fan");
    try {
      assertThat(fan.subscribe("biometer/p1.fan/commands")).as("not authorized").isEqualTo(0x87);
      MqttMessage m =
          new MqttMessage(
              "{\"type\":\"response\",\"id\":\"nope\",\"status\":\"ok\"}"
                  .getBytes(StandardCharsets.UTF_8));
      m.setQos(1);
      IMqttToken t = fan.client.publish("biometer/p9.fan/responses", m);
      t.waitForCompletion(10_000);
      assertThat(t.getReasonCodes()[0]).isEqualTo(0x83);
      assertThat(t.getResponseProperties().getReasonString()).contains("no command nope awaits");
    } finally {
      fan.close();
    }
  }

  // ---------------------------------------------------------------- WebSocket (the JDK's client)

  @Test
  void aCommandReachesAWebSocketDeviceThatAnswersPingsAndItsAnswerIsAccepted() throws Exception {
    LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    AtomicInteger pings = new AtomicInteger();
    WebSocket ws =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .header("Authorization", basic("p2.fan", passwords.get("p2.fan")))
            .buildAsync(
                URI.create("ws://127.0.0.1:" + f.gateway().httpPort() + "/v1/stream"),
                new WebSocket.Listener() {
                  final StringBuilder text = new StringBuilder();

                  @Override
                  public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                      frames.add(new JsonObject(text.toString()));
                      text.setLength(0);
                    }
                    w.request(1);
                    return null;
                  }

                  @Override
                  public CompletionStage<?> onPing(WebSocket w, ByteBuffer message) {
                    pings.incrementAndGet();
                    // The JDK answers with a pong itself.
                    return WebSocket.Listener.super.onPing(w, message);
                  }
                })
            .get(10, TimeUnit.SECONDS);
    try {
      ws.sendText("{\"type\":\"subscribe\"}", true).get(5, TimeUnit.SECONDS);
      JsonObject subscribed = frames.poll(10, TimeUnit.SECONDS);
      assertThat(subscribed.getString("type")).isEqualTo("subscribed");
      assertThat(subscribed.getString("deviceId")).isEqualTo("p2.fan");
      // Outlive the heartbeat's limit (two intervals) several times over: pongs keep it open.
      Poll.until(Duration.ofSeconds(20), "the gateway pings 6 times", () -> pings.get() >= 6);
      DeviceCommand c = command("p2.fan", "user:it", Duration.ofSeconds(60));
      commands.send(c);
      JsonObject got = frames.poll(30, TimeUnit.SECONDS);
      assertThat(got).isNotNull();
      assertThat(got.getString("type")).isEqualTo("command");
      assertThat(got.getString("id")).isEqualTo(c.getCommandId().toString());
      ws.sendText(
              new JsonObject()
                  .put("type", "response")
                  .put("id", got.getString("id"))
                  .put("status", "failed")
                  .put("reason", "fan motor stuck")
                  .encode(),
              true)
          .get(5, TimeUnit.SECONDS);
      JsonObject ack = frames.poll(30, TimeUnit.SECONDS);
      assertThat(ack.getString("id")).isEqualTo(got.getString("id"));
      assertThat(ack.getString("status")).isEqualTo("accepted");
      List<CommandResponse> rs = responses(c.getCommandId().toString(), 2);
      assertThat(statuses(rs)).containsExactly(CommandStatus.DELIVERED, CommandStatus.FAILED);
      assertThat(rs.get(1).getReason()).isEqualTo("fan motor stuck");
    } finally {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }
    assertThat(events("p2.fan", 2).get(0).getProtocol()).isEqualTo("websocket");
  }

  @Test
  void aWebSocketThatAnswersNoPingIsClosedAndRecordedAsAPingTimeout() throws Exception {
    try (Socket s = new Socket("127.0.0.1", f.gateway().httpPort())) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                  + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                  + "Sec-WebSocket-Version: 13\r\nAuthorization: "
                  + basic("p8.fan", passwords.get("p8.fan"))
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String head = readHead(in);
      assertThat(head).startsWith("HTTP/1.1 101");
      // Read (pings, then a close) and never answer, until the gateway hangs up.
      byte[] buf = new byte[1024];
      while (in.read(buf) >= 0) {
        // frames we do not answer
      }
    }
    List<ConnectionEvent> events = events("p8.fan", 2);
    assertThat(events.get(1).getState()).isEqualTo(ConnectionState.DISCONNECTED);
    assertThat(events.get(1).getReason()).startsWith("ping timeout");
  }

  private static String readHead(InputStream in) throws java.io.IOException {
    StringBuilder b = new StringBuilder();
    while (!b.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      b.append((char) c);
    }
    return b.toString();
  }

  // ---------------------------------------------------------------- MQTT keep-alive (raw socket)

  @Test
  void anMqttDeviceSilentPastItsKeepAliveIsClosedAndRecordedAsAKeepAliveTimeout() throws Exception {
    byte[] user = "p7.fan".getBytes(StandardCharsets.UTF_8);
    byte[] pass = passwords.get("p7.fan").getBytes(StandardCharsets.UTF_8);
    byte[] client = "p7-raw".getBytes(StandardCharsets.UTF_8);
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    body.write(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 4, (byte) 0xC2, 0, 1}); // keep-alive 1 s
    for (byte[] field : List.of(client, user, pass)) {
      body.write(field.length >> 8);
      body.write(field.length);
      body.write(field);
    }
    try (Socket s = new Socket("127.0.0.1", f.gateway().mqttPort())) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      out.write(0x10);
      int len = body.size();
      do {
        int digit = len % 128;
        len /= 128;
        out.write(len > 0 ? digit | 0x80 : digit);
      } while (len > 0);
      out.write(body.toByteArray());
      out.flush();
      InputStream in = s.getInputStream();
      byte[] connack = in.readNBytes(4);
      assertThat(connack).containsExactly(0x20, 2, 0, 0);
      // No PINGREQ: the gateway closes after 1.5 keep-alives.
      assertThat(in.read()).isEqualTo(-1);
    }
    List<ConnectionEvent> events = events("p7.fan", 2);
    assertThat(events.get(1).getReason()).startsWith("keep-alive timeout");
  }

  // ---------------------------------------------------------------- gRPC (grpc-java's stub)

  @Test
  void aCommandReachesAGrpcStreamAndItsAnswerIsAcknowledged() throws Exception {
    io.grpc.ManagedChannel ch =
        io.grpc.Grpc.newChannelBuilderForAddress(
                "127.0.0.1", f.gateway().grpcPort(), io.grpc.InsecureChannelCredentials.create())
            .build();
    try {
      io.grpc.Metadata headers = new io.grpc.Metadata();
      headers.put(
          io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER),
          basic("p3.fan", passwords.get("p3.fan")));
      LinkedBlockingQueue<CommandDownlink> down = new LinkedBlockingQueue<>();
      io.grpc.stub.StreamObserver<CommandUplink> up =
          ReadingsGrpc.newStub(ch)
              .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers))
              .commands(
                  new io.grpc.stub.StreamObserver<>() {
                    @Override
                    public void onNext(CommandDownlink m) {
                      down.add(m);
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {}
                  });
      up.onNext(CommandUplink.newBuilder().setSubscribe(Subscribe.newBuilder()).build());
      CommandDownlink subscribed = down.poll(10, TimeUnit.SECONDS);
      assertThat(subscribed.getSubscribed().getDeviceId()).isEqualTo("p3.fan");
      DeviceCommand c = command("p3.fan", "user:it", Duration.ofSeconds(60));
      commands.send(c);
      CommandDownlink got = down.poll(30, TimeUnit.SECONDS);
      assertThat(got.hasCommand()).isTrue();
      assertThat(got.getCommand().getId()).isEqualTo(c.getCommandId().toString());
      assertThat(got.getCommand().getArgumentsMap()).containsEntry("state", "on");
      up.onNext(
          CommandUplink.newBuilder()
              .setResponse(
                  io.biometer.ingress.grpc.v1.CommandResponse.newBuilder()
                      .setId(got.getCommand().getId())
                      .setOk(true)
                      .putDetails("state", "on"))
              .build());
      CommandDownlink ack = down.poll(30, TimeUnit.SECONDS);
      assertThat(ack.getAck().getId()).isEqualTo(got.getCommand().getId());
      assertThat(ack.getAck().getStatus())
          .isEqualTo(io.biometer.ingress.grpc.v1.Ack.Status.ACCEPTED);
      assertThat(statuses(responses(c.getCommandId().toString(), 2)))
          .containsExactly(CommandStatus.DELIVERED, CommandStatus.OK);
      up.onCompleted();
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    assertThat(events("p3.fan", 1).get(0).getProtocol()).isEqualTo("grpc");
  }

  // ---------------------------------------------------------------- a device commands a device

  java.net.http.HttpResponse<String> postCommand(String device, String body) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            java.net.http.HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + f.gateway().httpPort() + "/v1/commands"))
                .header("Authorization", basic(device, passwords.get(device)))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aPhoneCommandsAFanOnlyWhereTheAccessMapLetsItReachTheFan() throws Exception {
    PahoFan fan = new PahoFan("p10.fan");
    try {
      fan.subscribe("biometer/p10.fan/commands");
      String body =
          "{\"deviceId\":\"p10.fan\",\"name\":\"set_power\",\"arguments\":{\"state\":\"on\"},"
              + "\"ttl\":\"PT30S\"}";
      var before = postCommand("p1.phone", body);
      assertThat(before.statusCode()).as(before.body()).isEqualTo(202);
      JsonObject issued = new JsonObject(before.body());
      assertThat(issued.getString("issuedBy")).isEqualTo("device:p1.phone");
      List<CommandResponse> rs = responses(issued.getString("id"), 1);
      assertThat(statuses(rs)).containsExactly(CommandStatus.FORBIDDEN);
      assertThat(rs.get(0).getReason()).contains("device:p1.phone has no entry");

      commands.grant("device:p1.phone", List.of("p10.fan"), List.of("set_power"), "seed 004");
      Poll.until(
          Duration.ofSeconds(30),
          "the gateway reads the phone's grant",
          () -> {
            try {
              var r = postCommand("p1.phone", body);
              String id = new JsonObject(r.body()).getString("id");
              return statuses(responses(id, 1)).contains(CommandStatus.DELIVERED);
            } catch (Exception e) {
              return false;
            }
          });
      JsonObject got = fan.next();
      assertThat(got.getString("name")).isEqualTo("set_power");

      // The issuer is the authenticated device: a body cannot name another.
      var forged =
          postCommand(
              "p1.phone",
              "{\"deviceId\":\"p10.fan\",\"name\":\"set_power\",\"issuedBy\":\"user:it\"}");
      assertThat(forged.statusCode()).isEqualTo(400);
      assertThat(forged.body()).contains("unknown_field").contains("no field issuedBy");
    } finally {
      fan.close();
    }
  }

  // ---------------------------------------------------------------- expiry, access, waiting

  @Test
  void anExpiredCommandIsNeverDeliveredEvenWhenItsDeviceConnectsLater() throws Exception {
    DeviceCommand expired = command("p4.fan", "user:it", Duration.ofSeconds(1));
    commands.send(expired);
    List<CommandResponse> rs = responses(expired.getCommandId().toString(), 1);
    assertThat(statuses(rs)).containsExactly(CommandStatus.EXPIRED);
    assertThat(rs.get(0).getReason()).contains("not connected");
    PahoFan fan = new PahoFan("p4.fan");
    try {
      fan.subscribe("biometer/p4.fan/commands");
      // A command sent after it is delivered: had the expired one been, it would have come first.
      DeviceCommand marker = command("p4.fan", "user:it", Duration.ofSeconds(60));
      commands.send(marker);
      assertThat(fan.next().getString("id")).isEqualTo(marker.getCommandId().toString());
    } finally {
      fan.close();
    }
  }

  @Test
  void aForbiddenCommandIsNotDeliveredAndIsAnsweredForbidden() throws Exception {
    PahoFan fan = new PahoFan("p5.fan");
    try {
      fan.subscribe("biometer/p5.fan/commands");
      DeviceCommand forbidden = command("p5.fan", "user:mallory", Duration.ofSeconds(60));
      commands.send(forbidden);
      List<CommandResponse> rs = responses(forbidden.getCommandId().toString(), 1);
      assertThat(statuses(rs)).containsExactly(CommandStatus.FORBIDDEN);
      assertThat(rs.get(0).getReason()).contains("user:mallory has no entry in the access map");
      DeviceCommand marker = command("p5.fan", "user:it", Duration.ofSeconds(60));
      commands.send(marker);
      assertThat(fan.next().getString("id")).isEqualTo(marker.getCommandId().toString());
    } finally {
      fan.close();
    }
  }

  @Test
  void aCommandForADeviceThatConnectsLaterIsDeliveredOnceItSubscribes() throws Exception {
    DeviceCommand c = command("p6.fan", "user:it", Duration.ofSeconds(60));
    commands.send(c);
    Poll.until(
        Duration.ofSeconds(30),
        "the gateway holds the command",
        () ->
            f.gateway()
                    .metrics()
                    .registry()
                    .get("biometer_ingress_commands_waiting")
                    .gauge()
                    .value()
                >= 1);
    PahoFan fan = new PahoFan("p6.fan");
    try {
      fan.subscribe("biometer/p6.fan/commands");
      assertThat(fan.next().getString("id")).isEqualTo(c.getCommandId().toString());
      assertThat(statuses(responses(c.getCommandId().toString(), 2)))
          .containsExactly(CommandStatus.DELIVERED, CommandStatus.OK);
    } finally {
      fan.close();
    }
  }

  @Test
  void commandsForUnknownDevicesAndRecordsThatAreNoCommandsAreAnsweredWithTheReason()
      throws Exception {
    DeviceCommand ghost = command("ghost.fan", "user:it", Duration.ofSeconds(60));
    commands.send(ghost);
    List<CommandResponse> rs = responses(ghost.getCommandId().toString(), 1);
    assertThat(statuses(rs)).containsExactly(CommandStatus.UNKNOWN_DEVICE);
    assertThat(rs.get(0).getReason()).contains("ghost.fan is not registered");

    DeviceCommand forever = command("p1.fan", "user:it", Duration.ofDays(2));
    commands.send(forever);
    rs = responses(forever.getCommandId().toString(), 1);
    assertThat(statuses(rs)).containsExactly(CommandStatus.MALFORMED);
    assertThat(rs.get(0).getReason()).contains("longer than commands.max.ttl");

    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", f.stack.bootstrapServers());
    try (KafkaProducer<String, byte[]> raw =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      raw.send(
              new ProducerRecord<>(
                  Topics.COMMANDS, "p1.fan", "not avro".getBytes(StandardCharsets.UTF_8)))
          .get(10, TimeUnit.SECONDS);
    }
    List<ConsumerRecord<String, byte[]>> dlq =
        Clients.readUntil(
            f.stack,
            Topics.DLQ,
            new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
            Duration.ofSeconds(30),
            got -> got.stream().anyMatch(r -> "p1.fan".equals(r.key())));
    ConsumerRecord<String, byte[]> dead =
        dlq.stream().filter(r -> "p1.fan".equals(r.key())).findFirst().orElseThrow();
    assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
    assertThat(
            new String(
                dead.headers().lastHeader("biometer.dlq.source.topic").value(),
                StandardCharsets.UTF_8))
        .isEqualTo(Topics.COMMANDS);
    assertThat(
            new String(
                dead.headers().lastHeader("biometer.dlq.reason").value(), StandardCharsets.UTF_8))
        .isEqualTo("not-a-command");
    // The gateway went on: a good command after the bad record is still delivered.
    assertThat(new ArrayList<>(List.of(f.gateway().health()))).containsExactly("UP");
  }
}
