package io.biometer.ingress.udp;

import static io.biometer.ingress.udp.UdpCodecTest.KEY;
import static org.awaitility.Awaitility.await;

import io.biometer.avro.CredentialSecret;
import io.biometer.avro.CredentialType;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceCredential;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.SensorType;
import io.biometer.ingress.IngressMetrics;
import io.biometer.ingress.auth.Authenticator;
import io.biometer.ingress.auth.Directory;
import io.biometer.ingress.auth.LoginThrottle;
import io.biometer.ingress.auth.Principal;
import io.biometer.ingress.readings.DeviceReading;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A UDP front end on a real socket, with an in-memory registry, a fake admission (no Kafka) and
 * clocks the test moves.
 */
abstract class UdpFrontEndHarness {

  static final long NOW = 1_796_000_000_000L;
  static final int MAX_BATCH = 4096;
  static final long TIMEOUT = 10_000;
  static final long SKEW = 300_000;
  static final Duration WAIT = Duration.ofSeconds(10);

  /** One call of admission. */
  record Call(Principal principal, DeviceReading reading, String relayId, String protocol) {}

  final AtomicLong wall = new AtomicLong(NOW);
  final AtomicLong monotonic = new AtomicLong(5_000);
  final IngressMetrics metrics = new IngressMetrics();
  final Directory directory = new Directory();
  final List<Call> calls = new CopyOnWriteArrayList<>();
  volatile Function<DeviceReading, CompletableFuture<Void>> admission =
      r -> CompletableFuture.completedFuture(null);
  Vertx vertx;
  UdpFrontEnd front;
  UdpBatchClient client;

  @BeforeEach
  void start() throws Exception {
    directory.device("m01", meter("m01"));
    directory.device("m02", meter("m02"));
    directory.credential("psk/meter-01", psk("meter-01", "m01", null));
    directory.credential("psk/meter-02", psk("meter-02", "m02", Instant.ofEpochMilli(NOW - 1)));
    Authenticator authenticator =
        new Authenticator(directory, new LoginThrottle(5, 50, 60_000, wall::get), wall::get, 0);
    vertx = Vertx.vertx();
    front =
        new UdpFrontEnd(
            vertx,
            authenticator,
            (p, r, relay, protocol) -> {
              calls.add(new Call(p, r, relay, protocol));
              return admission.apply(r);
            },
            metrics,
            new UdpFrontEnd.Limits(MAX_BATCH, 4, 64 * 1024, TIMEOUT, SKEW),
            wall::get,
            monotonic::get);
    get(front.listen("127.0.0.1", 0));
    client = client("meter-01", KEY);
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    get(vertx.close());
  }

  UdpBatchClient client(String authId, byte[] key) throws Exception {
    return new UdpBatchClient(gateway(), authId, key, "m01", wall::get);
  }

  InetSocketAddress gateway() {
    return new InetSocketAddress("127.0.0.1", front.port());
  }

  /** {@code n} readings of m01 from sequence {@code first}, measured over the previous day. */
  static List<DeviceReading> readings(long first, int n) {
    List<DeviceReading> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(
          new DeviceReading(
              "m01",
              first + i,
              NOW,
              NOW - 86_400_000L + i * 3_600_000L,
              Map.of("soil_temperature", 18.0 + i, "soil_humidity", 30.5),
              80f));
    }
    return out;
  }

  void sendAll(List<byte[]> datagrams) throws Exception {
    for (byte[] d : datagrams) {
      client.sendDatagram(d);
    }
  }

  void awaitCalls(int n) {
    await().atMost(WAIT).until(() -> calls.size() >= n);
  }

  double gauge(String name) {
    return metrics.registry().find(name).gauge().value();
  }

  static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static Device meter(String id) {
    return Device.newBuilder()
        .setDeviceId(id)
        .setKind(DeviceKind.SOIL_METER)
        .setSensorType(SensorType.SOIL_METER)
        .setOwnerId("site-1")
        .setRegisteredAt(Instant.EPOCH)
        .build();
  }

  static DeviceCredential psk(String authId, String deviceId, Instant notAfter) {
    return DeviceCredential.newBuilder()
        .setAuthId(authId)
        .setType(CredentialType.PSK)
        .setDeviceId(deviceId)
        .setSecrets(
            List.of(
                CredentialSecret.newBuilder()
                    .setId("k1")
                    .setNotAfter(notAfter)
                    .setKey(ByteBuffer.wrap(KEY))
                    .build()))
        .setUpdatedAt(Instant.EPOCH)
        .build();
  }
}
