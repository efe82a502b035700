package io.biometer.it;

import static io.biometer.it.IngressFixture.ecg;
import static io.biometer.it.IngressFixture.reading;
import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.Topics;
import io.biometer.avro.BodyReading;
import io.biometer.avro.MeterReading;
import io.biometer.avro.RelayKind;
import io.biometer.ingress.IngressConfig;
import io.biometer.ingress.Refusal;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.SSLSocket;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingress gateway on the embedded stack, each front end driven by a client nobody here wrote:
 * the JDK's HttpClient (HTTPS) and WebSocket, Eclipse Paho (MQTT 5 and 3.1.1), grpc-java's
 * generated stub (gRPC) and a raw {@code DatagramSocket} (UDP). TLS is on, with a device
 * certificate for mTLS. Each checks that an accepted reading reaches Kafka once, that every bad
 * input is refused as docs/ingress.md says, that a replay is refused, and that a sink cannot relay
 * for a sensor it does not serve.
 */
class IngressIT {

  @TempDir static Path dir;

  /**
   * Where each test's sequences start: they only grow across the tests, which run in any order, as
   * a device's would.
   */
  static final java.util.concurrent.atomic.AtomicLong SEQ =
      new java.util.concurrent.atomic.AtomicLong();

  static IngressFixture f;

  @BeforeAll
  static void start() throws Exception {
    f =
        IngressFixture.start(
            dir,
            true,
            Map.of(
                IngressConfig.MAX_PAYLOAD_BYTES_CONFIG, "4096",
                IngressConfig.DEVICE_RATE_CONFIG, "1",
                IngressConfig.DEVICE_BURST_CONFIG, "20",
                IngressConfig.IDLE_TIMEOUT_CONFIG, "PT2S",
                IngressConfig.CONNECT_TIMEOUT_CONFIG, "PT2S",
                IngressConfig.UDP_REASSEMBLY_TIMEOUT_CONFIG, "PT2S"));
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  static long count(String id) {
    return f.bodyReadingIds().stream().filter(id::equals).count();
  }

  static double refused(Refusal r) {
    return f.gateway().metrics().refusedCount(r);
  }

  @Nested
  class Https {

    final long b = SEQ.getAndAdd(10_000);

    final HttpClient client;

    Https() throws Exception {
      client = HttpClient.newBuilder().sslContext(f.ssl(false)).build();
    }

    String url() {
      return "https://127.0.0.1:" + f.gateway().httpPort() + "/v1/readings";
    }

    HttpResponse<String> post(String authId, String password, String body) throws Exception {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(url()))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body));
      if (authId != null) {
        b.header("Authorization", basic(authId, password));
      }
      return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String device, String body) throws Exception {
      return post(device, f.passwords.get(device), body);
    }

    void refused(HttpResponse<String> r, int status, Refusal reason, String message) {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
      JsonObject body = new JsonObject(r.body());
      assertThat(body.getString("error")).isEqualTo(reason.label());
      assertThat(body.getString("message")).contains(message);
    }

    @Test
    void anAcceptedReadingReachesKafkaOnceKeyedAndAttributedByTheGateway() throws Exception {
      HttpResponse<String> r = post("p1.ecg", ecg("p1.ecg", b + 1));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(new JsonObject(r.body()).getLong("accepted")).isEqualTo(1);
      BodyReading stored =
          f.records(Topics.BODY_READINGS).stream()
              .filter(x -> x.key().equals("p1.ecg"))
              .map(x -> (BodyReading) x.value())
              .filter(x -> x.getSequence() == b + 1)
              .findFirst()
              .orElseThrow();
      assertThat(stored.getPatientId()).as("from the registry, not the payload").isEqualTo("p1");
      assertThat(stored.getProvenance().getRelayId()).isEqualTo("p1.ecg");
      assertThat(stored.getValues().get(0).getValue()).isEqualTo(72.0);
      assertThat(count("p1.ecg/" + (b + 1))).isEqualTo(1);
    }

    @Test
    void aReplayIsRefusedWith409AndNotWrittenAgain() throws Exception {
      assertThat(post("p1.ecg", ecg("p1.ecg", b + 2)).statusCode()).isEqualTo(200);
      refused(post("p1.ecg", ecg("p1.ecg", b + 2)), 409, Refusal.REPLAY, "accepted before");
      assertThat(count("p1.ecg/" + (b + 2))).isEqualTo(1);
    }

    @Test
    void aSinkRelaysABatchForItsSensorsButNotForAnother() throws Exception {
      String batch =
          "["
              + ecg("p1.ecg", b + 100)
              + ","
              + reading("p1.blood_pressure", b + 100, "{\"systolic\":120,\"diastolic\":80}")
              + "]";
      HttpResponse<String> ok = post("p1.sink-a", batch);
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
      assertThat(new JsonObject(ok.body()).getLong("accepted")).isEqualTo(2);
      refused(
          post("p1.sink-a", ecg("p2.ecg", b + 100)), 403, Refusal.NOT_PERMITTED, "not in its via");
      assertThat(count("p2.ecg/" + (b + 100))).isZero();
    }

    @Test
    void theSameReadingRelayedByTheDeviceAndBySinkIsNotAReplay() throws Exception {
      assertThat(post("p1.ecg", ecg("p1.ecg", b + 200)).statusCode()).isEqualTo(200);
      assertThat(post("p1.sink-a", ecg("p1.ecg", b + 200)).statusCode()).isEqualTo(200);
      assertThat(count("p1.ecg/" + (b + 200))).as("two copies; dedup removes one").isEqualTo(2);
    }

    @Test
    void aPayloadClaimingAnotherDeviceIsRefusedAndCounted() throws Exception {
      double before = IngressIT.refused(Refusal.NOT_PERMITTED);
      refused(
          post("p1.ecg", ecg("p2.ecg", b + 1)),
          403,
          Refusal.NOT_PERMITTED,
          "p1.ecg may not send readings of p2.ecg");
      assertThat(IngressIT.refused(Refusal.NOT_PERMITTED)).isEqualTo(before + 1);
    }

    @Test
    void badPayloadsAreRefusedWithTheirReason() throws Exception {
      refused(post("p1.ecg", "{\"deviceId\": "), 400, Refusal.MALFORMED, "not JSON");
      refused(
          post(
              "p1.ecg",
              ecg("p1.ecg", b + 3).replace("{\"deviceId\"", "{\"firmware\":\"2\",\"deviceId\"")),
          400,
          Refusal.UNKNOWN_FIELD,
          "unknown field 'firmware'");
      refused(
          post("p1.ecg", reading("p1.ecg", b + 3, "{\"heart_rate\":72,\"mood\":1}")),
          400,
          Refusal.UNKNOWN_FIELD,
          "unknown channel 'mood'");
      refused(
          post(
              "p1.ecg", "[" + (ecg("p1.ecg", b + 3) + ",").repeat(40) + ecg("p1.ecg", b + 4) + "]"),
          413,
          Refusal.OVERSIZE,
          "over 4096 bytes");
      refused(
          post(
              "p1.ecg",
              reading("p1.ecg", b + 5, Instant.now().minusSeconds(600), "{\"heart_rate\":1}")),
          400,
          Refusal.CLOCK_SKEW,
          "set the device's clock");
      assertThat(f.bodyReadingIds())
          .noneMatch(id -> id.equals("p1.ecg/" + (b + 3)) || id.equals("p1.ecg/" + (b + 5)));
    }

    @Test
    void unknownWrongAndExpiredCredentialsGet401() throws Exception {
      refused(post(null, null, ecg("p1.ecg", b + 9)), 401, Refusal.UNKNOWN_DEVICE, "no credential");
      refused(post("nobody", "x", ecg("p1.ecg", b + 9)), 401, Refusal.UNKNOWN_DEVICE, "nobody");
      refused(
          post("p1.ecg", "wrong", ecg("p1.ecg", b + 9)), 401, Refusal.BAD_SECRET, "wrong secret");
      refused(
          post("p2.temp", f.passwords.get("p2.temp"), ecg("p2.temp", b + 9)),
          401,
          Refusal.EXPIRED_SECRET,
          "validity window");
    }

    @Test
    void failedLoginsAreLimitedPerAuthId() throws Exception {
      for (int i = 0; i < 5; i++) {
        assertThat(post("p3.ecg", "guess" + i, ecg("p3.ecg", b + 1)).statusCode()).isEqualTo(401);
      }
      refused(
          post("p3.ecg", ecg("p3.ecg", b + 1)), 429, Refusal.LOGIN_THROTTLED, "too many failed");
    }

    @Test
    void aFloodFromOneDeviceIsRateLimited() throws Exception {
      StringBuilder batch = new StringBuilder("[");
      for (int i = 0; i < 25; i++) {
        batch
            .append(i == 0 ? "" : ",")
            .append(reading("p4.ecg", b + 1000 + i, "{\"heart_rate\":1}"));
      }
      HttpResponse<String> r = post("p4.ecg", batch.append("]").toString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
      JsonObject body = new JsonObject(r.body());
      assertThat(body.getLong("accepted")).isEqualTo(20);
      assertThat(body.getLong("refused")).isEqualTo(5);
    }

    @Test
    void aClientCertificateIsAnX509Credential() throws Exception {
      HttpClient mtls = HttpClient.newBuilder().sslContext(f.ssl(true)).build();
      HttpResponse<String> r =
          mtls.send(
              HttpRequest.newBuilder(URI.create(url()))
                  .POST(HttpRequest.BodyPublishers.ofString(ecg("p2.ecg", b + 1)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(count("p2.ecg/" + (b + 1))).isEqualTo(1);
    }

    @Test
    void aSlowPeerIsCutOffAfterTheIdleTimeout() throws Exception {
      try (SSLSocket s =
          (SSLSocket)
              f.ssl(false).getSocketFactory().createSocket("127.0.0.1", f.gateway().httpPort())) {
        s.setSoTimeout(15_000);
        s.getOutputStream().write("POST /v1/readings HTTP/1.1\r\nHost: x\r\n".getBytes());
        s.getOutputStream().flush();
        long start = System.nanoTime();
        InputStream in = s.getInputStream();
        int read;
        try {
          read = in.read();
          while (read >= 0) {
            read = in.read();
          }
        } catch (java.net.SocketException e) {
          read = -1;
        }
        assertThat(read).isEqualTo(-1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(12));
      }
    }

    @Test
    void healthAndMetricsNeedNoCredential() throws Exception {
      String base = "https://127.0.0.1:" + f.gateway().httpPort();
      HttpResponse<String> health =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/health")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).contains("UP");
      post("p1.ecg", "not json");
      HttpResponse<String> metrics =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.body())
          .contains("biometer_ingress_refused_total{protocol=\"http\",reason=\"malformed\"}");
    }
  }

  static String basic(String authId, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((authId + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Nested
  class WebSockets {

    final long b = SEQ.getAndAdd(10_000);

    final LinkedBlockingQueue<JsonObject> answers = new LinkedBlockingQueue<>();

    WebSocket open(String device) throws Exception {
      HttpClient client = HttpClient.newBuilder().sslContext(f.ssl(false)).build();
      return client
          .newWebSocketBuilder()
          .header("Authorization", basic(device, f.passwords.get(device)))
          .buildAsync(
              URI.create("wss://127.0.0.1:" + f.gateway().httpPort() + "/v1/stream"),
              new WebSocket.Listener() {
                final StringBuilder text = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                  text.append(data);
                  if (last) {
                    answers.add(new JsonObject(text.toString()));
                    text.setLength(0);
                  }
                  ws.request(1);
                  return null;
                }
              })
          .get(10, TimeUnit.SECONDS);
    }

    JsonObject next() throws InterruptedException {
      JsonObject a = answers.poll(15, TimeUnit.SECONDS);
      assertThat(a).as("an answer within 15 s").isNotNull();
      return a;
    }

    @Test
    void eachReadingOfAStreamIsAnsweredByIdOnceKafkaHasIt() throws Exception {
      WebSocket ws = open("p1.sink-a");
      for (int i = 0; i < 5; i++) {
        ws.sendText(ecg("p1.ecg", b + 300 + i), true).get(5, TimeUnit.SECONDS);
      }
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        JsonObject a = next();
        assertThat(a.getString("status")).as(a.encode()).isEqualTo("accepted");
        ids.add(a.getString("id"));
      }
      assertThat(ids)
          .containsExactlyInAnyOrder(
              "p1.ecg/" + (b + 300),
              "p1.ecg/" + (b + 301),
              "p1.ecg/" + (b + 302),
              "p1.ecg/" + (b + 303),
              "p1.ecg/" + (b + 304));
      assertThat(f.bodyReadingIds().stream().filter(ids::contains).count()).isEqualTo(5);

      ws.sendText(ecg("p1.ecg", b + 302), true);
      JsonObject replay = next();
      assertThat(replay.getString("id")).isEqualTo("p1.ecg/" + (b + 302));
      assertThat(replay.getString("reason")).isEqualTo("replay");

      ws.sendText(ecg("p2.ecg", b + 302), true);
      assertThat(next().getString("reason")).isEqualTo("not_permitted");
      ws.sendText("{oops", true);
      assertThat(next().getString("reason")).isEqualTo("malformed");
      ws.sendText(reading("p1.ecg", b + 310, "{\"heart_rate\":1,\"x\":2}"), true);
      assertThat(next().getString("reason")).isEqualTo("unknown_field");
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }

    @Test
    void aWrongPasswordFailsTheHandshake() throws Exception {
      HttpClient client = HttpClient.newBuilder().sslContext(f.ssl(false)).build();
      CompletableFuture<WebSocket> ws =
          client
              .newWebSocketBuilder()
              .header("Authorization", basic("p1.ecg", "wrong"))
              .buildAsync(
                  URI.create("wss://127.0.0.1:" + f.gateway().httpPort() + "/v1/stream"),
                  new WebSocket.Listener() {});
      assertThat(ws)
          .failsWithin(Duration.ofSeconds(10))
          .withThrowableThat()
          .havingRootCause()
          .withMessageContaining("401");
    }
  }

  @Nested
  class Mqtt {

    final long b = SEQ.getAndAdd(10_000);

    String url() {
      return "ssl://127.0.0.1:" + f.gateway().mqttPort();
    }

    MqttAsyncClient v5(String device, String password) throws Exception {
      MqttAsyncClient c = new MqttAsyncClient(url(), device + "-v5", null);
      MqttConnectionOptions o = new MqttConnectionOptions();
      o.setUserName(device);
      o.setPassword(password.getBytes(StandardCharsets.UTF_8));
      o.setSocketFactory(f.ssl(false).getSocketFactory());
      o.setHttpsHostnameVerificationEnabled(false);
      o.setAutomaticReconnect(false);
      c.connect(o).waitForCompletion(10_000);
      return c;
    }

    /** Publishes at QoS 1 and returns the PUBACK's reason code. */
    int publish(MqttAsyncClient c, String device, String payload) throws Exception {
      MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
      m.setQos(1);
      IMqttToken t = c.publish("biometer/" + device + "/readings", m);
      t.waitForCompletion(15_000);
      int[] codes = t.getReasonCodes();
      return codes == null || codes.length == 0 ? 0 : codes[0];
    }

    @Test
    void mqtt5AcknowledgesOnlyWhatKafkaHasAndAnswersRefusalsWithReasonCodes() throws Exception {
      MqttAsyncClient c = v5("p1.sink-a", f.passwords.get("p1.sink-a"));
      try {
        assertThat(publish(c, "p1.ecg", ecg("p1.ecg", b + 400))).isZero();
        assertThat(count("p1.ecg/" + (b + 400))).isEqualTo(1);
        assertThat(publish(c, "p1.ecg", ecg("p1.ecg", b + 400))).as("replay").isEqualTo(0x83);
        assertThat(publish(c, "p2.ecg", ecg("p2.ecg", b + 400)))
            .as("not its sensor")
            .isEqualTo(0x87);
        assertThat(publish(c, "p1.ecg", ecg("p1.blood_pressure", b + 401)))
            .as("topic and payload disagree")
            .isEqualTo(0x87);
        assertThat(publish(c, "p1.ecg", "{bad")).as("malformed").isEqualTo(0x99);
        assertThat(publish(c, "p1.ecg", reading("p1.ecg", b + 402, "{\"mood\":1}")))
            .as("unknown channel")
            .isEqualTo(0x99);
        assertThat(
                publish(
                    c,
                    "p1.ecg",
                    reading(
                        "p1.ecg", b + 403, Instant.now().plusSeconds(900), "{\"heart_rate\":1}")))
            .as("clock skew")
            .isEqualTo(0x83);
        assertThat(count("p1.ecg/" + (b + 400))).isEqualTo(1);
      } finally {
        c.disconnect().waitForCompletion(5_000);
        c.close();
      }
    }

    @Test
    void mqtt5RefusesABadPasswordAtConnect() {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> v5("p1.ecg", "wrong"))
          .isInstanceOf(org.eclipse.paho.mqttv5.common.MqttException.class)
          .satisfies(
              e ->
                  assertThat(((org.eclipse.paho.mqttv5.common.MqttException) e).getReasonCode())
                      .isEqualTo(0x86));
    }

    @Test
    void mqtt311AcknowledgesAcceptedAndReplayedReadingsAndClosesOnOtherRefusals() throws Exception {
      org.eclipse.paho.client.mqttv3.MqttClient c =
          new org.eclipse.paho.client.mqttv3.MqttClient(
              url(), "p1.ecg-v3", new MemoryPersistence());
      MqttConnectOptions o = new MqttConnectOptions();
      o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
      o.setUserName("p1.ecg");
      o.setPassword(f.passwords.get("p1.ecg").toCharArray());
      o.setSocketFactory(f.ssl(false).getSocketFactory());
      o.setHttpsHostnameVerificationEnabled(false);
      c.connect(o);
      c.publish("biometer/p1.ecg/readings", ecg("p1.ecg", b + 500).getBytes(), 1, false);
      assertThat(count("p1.ecg/" + (b + 500))).isEqualTo(1);
      c.publish("biometer/p1.ecg/readings", ecg("p1.ecg", b + 500).getBytes(), 1, false);
      assertThat(count("p1.ecg/" + (b + 500)))
          .as("a replay is acknowledged, not written")
          .isEqualTo(1);
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> c.publish("biometer/p1.ecg/readings", "{bad".getBytes(), 1, false))
          .isInstanceOf(MqttException.class);
      Poll.until(
          Duration.ofSeconds(10), "the gateway closes the connection", () -> !c.isConnected());
      c.close();
    }

    @Test
    void aClientThatNeverSendsConnectIsCutOffAfterTheConnectTimeout() throws Exception {
      // TLS first, so that what closes the connection is connect.timeout (2 s here), not a TLS
      // handshake that never came.
      try (SSLSocket s =
          (SSLSocket)
              f.ssl(false).getSocketFactory().createSocket("127.0.0.1", f.gateway().mqttPort())) {
        s.setSoTimeout(15_000);
        s.startHandshake();
        long start = System.nanoTime();
        int read;
        try {
          read = s.getInputStream().read();
        } catch (java.net.SocketException e) {
          read = -1;
        }
        assertThat(read).isEqualTo(-1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
      }
    }
  }

  @Nested
  class Grpc {

    final long b = SEQ.getAndAdd(10_000);

    static final io.grpc.Metadata.Key<String> AUTHORIZATION =
        io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER);

    io.grpc.ManagedChannel channel() throws Exception {
      return io.grpc.Grpc.newChannelBuilderForAddress(
              "127.0.0.1",
              f.gateway().grpcPort(),
              io.grpc.TlsChannelCredentials.newBuilder().trustManager(f.trustManagers()).build())
          .build();
    }

    /** One Send call: the readings up, and every ack until the call ends. */
    List<Object> call(String authId, String password, io.biometer.ingress.grpc.v1.Reading... rs)
        throws Exception {
      io.grpc.ManagedChannel ch = channel();
      try {
        io.grpc.Metadata headers = new io.grpc.Metadata();
        headers.put(AUTHORIZATION, basic(authId, password));
        LinkedBlockingQueue<Object> out = new LinkedBlockingQueue<>();
        CompletableFuture<io.grpc.Status> end = new CompletableFuture<>();
        io.grpc.stub.StreamObserver<io.biometer.ingress.grpc.v1.Reading> up =
            io.biometer.ingress.grpc.v1.ReadingsGrpc.newStub(ch)
                .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers))
                .send(
                    new io.grpc.stub.StreamObserver<>() {
                      @Override
                      public void onNext(io.biometer.ingress.grpc.v1.Ack a) {
                        out.add(a);
                      }

                      @Override
                      public void onError(Throwable t) {
                        end.complete(io.grpc.Status.fromThrowable(t));
                      }

                      @Override
                      public void onCompleted() {
                        end.complete(io.grpc.Status.OK);
                      }
                    });
        for (io.biometer.ingress.grpc.v1.Reading r : rs) {
          up.onNext(r);
        }
        up.onCompleted();
        io.grpc.Status status = end.get(20, TimeUnit.SECONDS);
        List<Object> all = new ArrayList<>(out);
        all.add(status);
        return all;
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }

    io.biometer.ingress.grpc.v1.Reading ecgReading(String device, long sequence) {
      long now = System.currentTimeMillis();
      return io.biometer.ingress.grpc.v1.Reading.newBuilder()
          .setDeviceId(device)
          .setSequence(sequence)
          .setSentAtMs(now)
          .setEventTimeMs(now)
          .putValues("heart_rate", 66)
          .setBatteryPercent(70)
          .build();
    }

    @Test
    void eachReadingIsAckedOnceKafkaHasItAndReplaysAndStrangersAreRefused() throws Exception {
      List<Object> first =
          call("p1.sink-a", f.passwords.get("p1.sink-a"), ecgReading("p1.ecg", b + 1));
      assertThat(first).hasSize(2).last().isEqualTo(io.grpc.Status.OK);
      // The same reading again, once Kafka had it: a replay; with strangers and a bad channel.
      List<Object> second =
          call(
              "p1.sink-a",
              f.passwords.get("p1.sink-a"),
              ecgReading("p1.ecg", b + 1),
              ecgReading("p2.ecg", b + 1),
              ecgReading("p1.ecg", b + 2).toBuilder().putValues("mood", 1).build());
      List<Object> answers = new ArrayList<>(first.subList(0, 1));
      answers.addAll(second);
      assertThat(answers).hasSize(5).last().isEqualTo(io.grpc.Status.OK);
      Map<String, String> byStatus =
          answers.subList(0, 4).stream()
              .map(a -> (io.biometer.ingress.grpc.v1.Ack) a)
              .collect(
                  Collectors.toMap(
                      a -> a.getDeviceId() + "/" + (a.getSequence() - b) + "/" + a.getReason(),
                      a -> a.getStatus() + " " + a.getGrpcStatus(),
                      (x, y) -> x + "," + y));
      assertThat(byStatus)
          .containsEntry("p1.ecg/1/", "ACCEPTED ")
          .containsEntry("p1.ecg/1/replay", "REFUSED ALREADY_EXISTS")
          .containsEntry("p2.ecg/1/not_permitted", "REFUSED PERMISSION_DENIED")
          .containsEntry("p1.ecg/2/unknown_field", "REFUSED INVALID_ARGUMENT");
      assertThat(count("p1.ecg/" + (b + 1))).isEqualTo(1);
      assertThat(count("p2.ecg/" + (b + 1))).isZero();
    }

    @Test
    void aWrongPasswordEndsTheCallUnauthenticated() throws Exception {
      List<Object> answers = call("p1.ecg", "wrong", ecgReading("p1.ecg", b + 1));
      assertThat(answers).hasSize(1);
      assertThat(((io.grpc.Status) answers.get(0)).getCode())
          .isEqualTo(io.grpc.Status.Code.UNAUTHENTICATED);
    }
  }

  @Nested
  class Udp {

    final long b = SEQ.getAndAdd(10_000);

    byte[] key() {
      return Base64.getDecoder().decode(f.keys.get("m1"));
    }

    java.net.InetSocketAddress gateway() {
      return new java.net.InetSocketAddress("127.0.0.1", f.gateway().udpPort());
    }

    List<io.biometer.ingress.readings.DeviceReading> day(String device, long first, int n) {
      List<io.biometer.ingress.readings.DeviceReading> out = new ArrayList<>();
      long now = System.currentTimeMillis();
      for (int i = 0; i < n; i++) {
        out.add(
            new io.biometer.ingress.readings.DeviceReading(
                device,
                first + i,
                now,
                now - 86_400_000L + i * 900_000L,
                Map.of("soil_temperature", 11.5, "soil_humidity", 31.0),
                60f));
      }
      return out;
    }

    /** Sends {@code datagrams} from a raw socket and returns the first answer, or null. */
    io.biometer.ingress.udp.UdpCodec.Answer exchange(List<byte[]> datagrams, Duration wait)
        throws Exception {
      try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
        s.setSoTimeout((int) wait.toMillis());
        for (byte[] d : datagrams) {
          s.send(new java.net.DatagramPacket(d, d.length, gateway()));
        }
        byte[] buf = new byte[65_535];
        java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
        try {
          s.receive(p);
        } catch (java.net.SocketTimeoutException e) {
          return null;
        }
        return io.biometer.ingress.udp.UdpCodec.decodeAnswer(buf, p.getLength());
      }
    }

    List<byte[]> datagrams(
        byte[] key, String batch, List<io.biometer.ingress.readings.DeviceReading> rs) {
      long first = rs.get(0).sequence();
      long last = rs.get(rs.size() - 1).sequence();
      long sentAt = rs.get(0).sentAt();
      return io.biometer.ingress.udp.UdpBatchClient.datagrams(
          key,
          "m1",
          "m1",
          batch,
          first,
          last,
          sentAt,
          io.biometer.ingress.udp.UdpBatchClient.json(rs, sentAt),
          1232);
    }

    long meterCount(String batch) {
      return f.records(Topics.METER_READINGS).stream()
          .map(r -> (MeterReading) r.value())
          .filter(m -> m.getProvenance().getRelayId().equals(batch))
          .peek(m -> assertThat(m.getProvenance().getRelayKind()).isEqualTo(RelayKind.UPLOAD_BATCH))
          .count();
    }

    @Test
    void aSignedDayIsAckedOnceKafkaHasItAndItsResendIsAckedWithoutCopies() throws Exception {
      String batch = "m1-day-" + b;
      // 16 samples: over 3 datagrams, under this gateway's max.payload.bytes of 4096.
      List<io.biometer.ingress.readings.DeviceReading> day = day("m1", b, 16);
      List<byte[]> d = datagrams(key(), batch, day);
      assertThat(d).as("a day needs several datagrams").hasSizeGreaterThan(1);
      io.biometer.ingress.udp.UdpCodec.Answer a = exchange(d, Duration.ofSeconds(15));
      assertThat(a).isNotNull();
      assertThat(a.ack()).as("%s %s", a.reason(), a.message()).isTrue();
      assertThat(a.verify(key())).as("the ACK is signed with the meter's key").isTrue();
      assertThat(a.accepted()).isEqualTo(16);
      assertThat(meterCount(batch)).isEqualTo(16);

      // The meter did not hear the ACK and sends the batch again, later.
      List<io.biometer.ingress.readings.DeviceReading> again = new ArrayList<>();
      for (var r : day) {
        again.add(
            new io.biometer.ingress.readings.DeviceReading(
                r.deviceId(),
                r.sequence(),
                r.sentAt() + 1000,
                r.eventTime(),
                r.values(),
                r.batteryPercent()));
      }
      io.biometer.ingress.udp.UdpCodec.Answer second =
          exchange(datagrams(key(), batch, again), Duration.ofSeconds(15));
      assertThat(second.ack()).as("%s %s", second.reason(), second.message()).isTrue();
      assertThat(second.replayed()).isEqualTo(16);
      assertThat(meterCount(batch)).as("no copies").isEqualTo(16);
    }

    @Test
    void aWrongKeyATruncatedBatchAndAClaimOnAnotherDeviceAreRefused() throws Exception {
      byte[] wrong = key().clone();
      wrong[0] ^= 1;
      io.biometer.ingress.udp.UdpCodec.Answer bad =
          exchange(datagrams(wrong, "m1-bad-" + b, day("m1", b, 2)), Duration.ofSeconds(10));
      assertThat(bad).isNotNull();
      assertThat(bad.reason()).isEqualTo(Refusal.BAD_SIGNATURE.label());
      assertThat(bad.signed()).isFalse();

      List<byte[]> d = datagrams(key(), "m1-cut-" + b, day("m1", b + 100, 16));
      io.biometer.ingress.udp.UdpCodec.Answer cut =
          exchange(List.of(d.get(0)), Duration.ofSeconds(15));
      assertThat(cut).as("a NACK after the reassembly timeout").isNotNull();
      assertThat(cut.reason()).isEqualTo(Refusal.TRUNCATED.label());

      io.biometer.ingress.udp.UdpCodec.Answer other =
          exchange(
              datagrams(key(), "m1-other-" + b, day("p1.ecg", b + 200, 1)), Duration.ofSeconds(10));
      assertThat(other).isNotNull();
      assertThat(other.ack()).isFalse();
      assertThat(other.reason()).isEqualTo(Refusal.NOT_PERMITTED.label());
      assertThat(meterCount("m1-cut-" + b) + meterCount("m1-other-" + b)).isZero();
    }
  }

  @Nested
  class DevicesCli {

    final long b = SEQ.getAndAdd(10_000);

    String devices(String... args) {
      java.io.StringWriter out = new java.io.StringWriter();
      java.io.StringWriter err = new java.io.StringWriter();
      List<String> all = new ArrayList<>(List.of(args));
      all.addAll(
          List.of(
              "--bootstrap-servers",
              f.stack.bootstrapServers(),
              "--schema-registry-url",
              f.stack.registryUrl()));
      int code =
          io.biometer.ingress.admin.DevicesApp.run(
              all.toArray(String[]::new),
              new java.io.PrintWriter(out, true),
              new java.io.PrintWriter(err, true));
      assertThat(code).as("devices %s: %s", all, err).isZero();
      return out.toString();
    }

    String password(String output) {
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("store it on the device: (\\S+)").matcher(output);
      assertThat(m.find()).as(output).isTrue();
      return m.group(1);
    }

    int post(String authId, String password, long sequence) throws Exception {
      return HttpClient.newBuilder()
          .sslContext(f.ssl(false))
          .build()
          .send(
              HttpRequest.newBuilder(
                      URI.create("https://127.0.0.1:" + f.gateway().httpPort() + "/v1/readings"))
                  .header("Authorization", basic(authId, password))
                  .POST(HttpRequest.BodyPublishers.ofString(ecg("p5.ecg", sequence)))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .statusCode();
    }

    io.biometer.avro.DeviceCredential seen() {
      return f.gateway()
          .directory()
          .credential(io.biometer.avro.CredentialType.HASHED_PASSWORD, "p5.ecg");
    }

    @Test
    void addListRotateRevokeAndResetAsAUserWould() throws Exception {
      String added =
          devices(
              "add",
              "p5.ecg",
              "--kind",
              "body-sensor",
              "--sensor-type",
              "ECG",
              "--owner",
              "p5",
              "--iterations",
              "1000");
      String first = password(added);
      Poll.until(Duration.ofSeconds(20), "the gateway reads the credential", () -> seen() != null);
      assertThat(post("p5.ecg", first, b + 1)).isEqualTo(200);

      String list = devices("list");
      assertThat(list).contains("p5.ecg", "hashed-password", "enabled").doesNotContain(first);

      String rotated = devices("rotate", "p5.ecg", "--overlap", "PT1H", "--iterations", "1000");
      String second = password(rotated);
      assertThat(second).isNotEqualTo(first);
      Poll.until(
          Duration.ofSeconds(20),
          "the gateway reads the rotation",
          () -> seen() != null && seen().getSecrets().size() == 2);
      assertThat(post("p5.ecg", second, b + 2)).as("the new secret").isEqualTo(200);
      assertThat(post("p5.ecg", first, b + 3)).as("the old one, inside the overlap").isEqualTo(200);

      assertThat(devices("reset", "p5.ecg")).contains("reset 1 replay windows of p5.ecg");

      devices("revoke", "p5.ecg");
      Poll.until(
          Duration.ofSeconds(20), "the gateway reads the revocation", () -> !seen().getEnabled());
      assertThat(post("p5.ecg", second, b + 4)).isEqualTo(401);
      assertThat(devices("list")).contains("revoked");
    }
  }

  static String ids(List<String> ids) {
    return ids.stream().sorted().collect(Collectors.joining(","));
  }
}
