package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.Topics;
import io.biometer.avro.BodyReading;
import io.biometer.avro.CredentialType;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.SensorType;
import io.biometer.devstack.LocalStack;
import io.biometer.devstack.StackFixture;
import io.biometer.ingress.admin.CredentialAdmin;
import io.biometer.ingress.admin.CredentialAdmin.AddRequest;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway is killed (SIGKILL, a child JVM) while 1,000 MQTT devices publish at QoS 1. Each
 * device keeps every reading the gateway has not acknowledged and sends it again once it can
 * reconnect, as a real device with store-and-forward does. After a restart on the same ports and
 * the devices' re-sends, every acknowledged reading is in Kafka: none is lost. Copies (a reading
 * Kafka had whose PUBACK died with the gateway) are allowed; dedup removes them downstream.
 *
 * <p>The devices use Vert.x's MQTT client (MQTT 3.1.1): a thousand connections need an event-loop
 * client; Paho's, used in {@link IngressIT}, runs threads per connection.
 */
class IngressKillIT {

  static final int DEVICES = 1_000;
  static final int READINGS = 20;
  static final int IN_FLIGHT = 5;

  @TempDir Path dir;

  /** One virtual device: what it sent, what was acknowledged, what it must send again. */
  static final class Device {
    final String id;
    final String password;
    final TreeSet<Long> unacked = new TreeSet<>();
    final Set<Long> acked = new HashSet<>();
    final Map<Integer, Long> inFlight = new HashMap<>();
    long next;
    long resent;
    MqttClient client;
    boolean connecting;

    Device(String id, String password) {
      this.id = id;
      this.password = password;
    }

    boolean done() {
      return acked.size() == READINGS;
    }
  }

  @Test
  void noAcknowledgedReadingIsLostWhenTheGatewayIsKilledMidStream() throws Exception {
    Map<String, String> v = StackFixture.values(dir.resolve("stack"), false);
    v.put(io.biometer.devstack.DevStackConfig.TOPICS_PARTITIONS_CONFIG, "2");
    try (LocalStack stack = LocalStack.start(new io.biometer.devstack.DevStackConfig(v))) {
      List<Device> devices = register(stack);
      int http = StackFixture.freePort();
      int mqtt = StackFixture.freePort();
      Process gateway = startGateway(stack, http, mqtt, dir.resolve("gateway-1.log"));
      Vertx vertx = Vertx.vertx();
      AtomicLong ackedTotal = new AtomicLong();
      try {
        awaitHealthy(http, gateway);
        for (Device d : devices) {
          vertx.setPeriodic(100, id -> tick(vertx, d, mqtt, ackedTotal));
        }
        Poll.until(
            Duration.ofSeconds(120),
            "a third of the readings acknowledged before the kill",
            () -> ackedTotal.get() >= DEVICES * READINGS / 3);
        long ackedAtKill = ackedTotal.get();
        gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        assertThat(ackedAtKill).isLessThan((long) DEVICES * READINGS);

        gateway = startGateway(stack, http, mqtt, dir.resolve("gateway-2.log"));
        awaitHealthy(http, gateway);
        Poll.until(
            Duration.ofSeconds(240),
            "every device has every reading acknowledged",
            () -> devices.stream().allMatch(IngressKillIT::done));
        long resent = devices.stream().mapToLong(d -> d.resent).sum();
        assertThat(resent).as("readings sent again after the kill").isPositive();

        // The restarted gateway read its replay windows back: readings acknowledged before the
        // kill, sent again now (a device that never heard its PUBACK), are replays, not copies.
        List<Device> again = devices.subList(0, 100);
        for (Device d : again) {
          synchronized (d) {
            d.acked.remove(0L);
            d.unacked.add(0L);
          }
        }
        Poll.until(
            Duration.ofSeconds(60),
            "the re-sent first readings acknowledged",
            () -> again.stream().allMatch(IngressKillIT::done));

        Map<String, Set<Long>> inKafka = new HashMap<>();
        Set<String> copied = new HashSet<>();
        long copies = 0;
        for (var r : records(stack)) {
          BodyReading b = (BodyReading) r;
          if (!inKafka
              .computeIfAbsent(b.getDeviceId(), k -> new HashSet<>())
              .add(b.getSequence())) {
            copies++;
            copied.add(b.getDeviceId() + "/" + b.getSequence());
          }
        }
        assertThat(again)
            .as("readings acknowledged before the kill and sent again after it")
            .noneMatch(d -> copied.contains(d.id + "/0"));
        List<String> lost = new ArrayList<>();
        for (Device d : devices) {
          synchronized (d) {
            for (long s : d.acked) {
              if (!inKafka.getOrDefault(d.id, Set.of()).contains(s)) {
                lost.add(d.id + "/" + s);
              }
            }
          }
        }
        System.out.printf(
            "kill test: %d devices x %d readings; %d acknowledged before the kill, %d sent again,"
                + " %d copies in Kafka, %d lost%n",
            DEVICES, READINGS, ackedAtKill, resent, copies, lost.size());
        assertThat(lost).as("acknowledged readings missing from Kafka").isEmpty();
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static boolean done(Device d) {
    synchronized (d) {
      return d.done();
    }
  }

  /** One step of a device: connect if it is not, send again what is unacknowledged, send more. */
  private static void tick(Vertx vertx, Device d, int port, AtomicLong ackedTotal) {
    synchronized (d) {
      if (d.done() || d.connecting) {
        return;
      }
      if (d.client == null || !d.client.isConnected()) {
        connect(vertx, d, port, ackedTotal);
        return;
      }
      for (long s : d.unacked) {
        if (d.inFlight.size() >= IN_FLIGHT) {
          return;
        }
        if (!d.inFlight.containsValue(s)) {
          d.resent++;
          send(d, s);
        }
      }
      if (d.inFlight.size() < IN_FLIGHT && d.next < READINGS) {
        long s = d.next++;
        d.unacked.add(s);
        send(d, s);
      }
    }
  }

  private static void connect(Vertx vertx, Device d, int port, AtomicLong ackedTotal) {
    d.connecting = true;
    MqttClient c =
        MqttClient.create(
            vertx,
            new MqttClientOptions()
                .setClientId(d.id)
                .setUsername(d.id)
                .setPassword(d.password)
                .setKeepAliveInterval(10)
                .setMaxInflightQueue(IN_FLIGHT * 2)
                .setCleanSession(true));
    c.publishCompletionHandler(
        packetId -> {
          synchronized (d) {
            Long s = d.inFlight.remove(packetId);
            if (s != null && d.unacked.remove(s)) {
              d.acked.add(s);
              ackedTotal.incrementAndGet();
            }
          }
        });
    c.closeHandler(
        x -> {
          synchronized (d) {
            d.inFlight.clear();
          }
        });
    c.exceptionHandler(e -> {});
    c.connect(port, "127.0.0.1")
        .onComplete(
            r -> {
              synchronized (d) {
                d.connecting = false;
                d.inFlight.clear();
                d.client = r.succeeded() ? c : null;
              }
            });
  }

  private static void send(Device d, long s) {
    Instant now = Instant.now();
    String json =
        "{\"deviceId\":\""
            + d.id
            + "\",\"sequence\":"
            + s
            + ",\"sentAt\":"
            + now.toEpochMilli()
            + ",\"eventTime\":"
            + now.toEpochMilli()
            + ",\"values\":{\"heart_rate\":70},\"batteryPercent\":90}";
    MqttClient c = d.client;
    d.inFlight.put(-1 - (int) s, s); // placeholder until the packet id is known
    c.publish(
            "biometer/" + d.id + "/readings",
            Buffer.buffer(json),
            MqttQoS.AT_LEAST_ONCE,
            false,
            false)
        .onComplete(
            r -> {
              synchronized (d) {
                d.inFlight.remove(-1 - (int) s);
                if (r.succeeded()) {
                  d.inFlight.put(r.result(), s);
                }
              }
            });
  }

  private List<Device> register(LocalStack stack) throws Exception {
    List<Device> devices = new ArrayList<>();
    for (CredentialAdmin.Issued i :
        addAll(stack, "k%04d", DEVICES, DeviceKind.BODY_SENSOR, SensorType.ECG)) {
      devices.add(new Device(i.credential().getDeviceId(), i.secret()));
    }
    return devices;
  }

  /**
   * Registers {@code n} devices named by {@code idFormat} (0 to n-1), each of patient or site
   * {@code kp<i>}, with a password hashed with 1,000 PBKDF2 iterations (fast, for tests).
   */
  static List<CredentialAdmin.Issued> addAll(
      LocalStack stack, String idFormat, int n, DeviceKind kind, SensorType type) throws Exception {
    List<AddRequest> requests = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = String.format(idFormat, i);
      requests.add(
          new AddRequest(
              id,
              kind,
              type,
              "kp" + i,
              List.of(),
              CredentialType.HASHED_PASSWORD,
              id,
              null,
              1_000));
    }
    try (CredentialAdmin admin =
        new CredentialAdmin(
            stack.bootstrapServers(), stack.registryUrl(), Map.of(), Duration.ofSeconds(30))) {
      return admin.addAll(requests);
    }
  }

  static Process startGateway(LocalStack stack, int http, int mqtt, Path log) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.biometer.ingress.IngressApp");
    cmd.add("bootstrap.servers=" + stack.bootstrapServers());
    cmd.add("schema.registry.url=" + stack.registryUrl());
    cmd.add("http.port=" + http);
    cmd.add("mqtt.port=" + mqtt);
    cmd.add("grpc.port=-1");
    cmd.add("udp.port=-1");
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  static void awaitHealthy(int port, Process gateway) {
    HttpClient client = HttpClient.newHttpClient();
    Poll.until(
        Duration.ofSeconds(60),
        "the gateway answers /health",
        () -> {
          if (!gateway.isAlive()) {
            throw new AssertionError("the gateway exited with " + gateway.exitValue());
          }
          try {
            return client
                    .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .statusCode()
                == 200;
          } catch (Exception e) {
            return false;
          }
        });
  }

  private static List<Object> records(LocalStack stack) {
    return Clients.readAll(stack, Topics.BODY_READINGS, Clients.specific(stack)).stream()
        .map(r -> (Object) r.value())
        .toList();
  }
}
