package io.biometer.simulator.gateway;

import io.biometer.Topics;
import io.biometer.avro.BodyReading;
import io.biometer.avro.CredentialSecret;
import io.biometer.avro.CredentialType;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceCredential;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.MeterReading;
import io.biometer.avro.Provenance;
import io.biometer.avro.SinkStatus;
import io.biometer.ingress.auth.PasswordHash;
import io.biometer.simulator.engine.GroundTruth;
import io.biometer.simulator.engine.Output;
import io.biometer.simulator.model.ActuatorModel;
import io.vertx.core.Vertx;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulation's readings sent as devices send them: through the ingress gateway, each sink and
 * meter on its own connection with its own credential.
 *
 * <ul>
 *   <li>{@link #device}: every registry entry goes to Kafka as before ({@code direct}); each sink
 *       and meter (the devices that connect; sensors do not, their sinks relay for them) also gets
 *       a {@link RelayDevice} with a random password; via {@code udp}, each meter is a {@link
 *       UdpMeter} with a random pre-shared key instead, and the sinks connect over MQTT.
 *   <li>{@link #start}: writes a {@code hashed-password} credential per relaying device (a {@code
 *       psk} one per UDP meter) to {@code telemetry.credentials}, as {@code ./biometer devices add}
 *       does, waits for Kafka to have the registry and the credentials, then connects every device.
 *   <li>{@link #body}: the copy of a reading goes to the sink named in its provenance, which relays
 *       it to the topic of the sensor; {@link #meterBatch}: a meter's day goes to the meter, which
 *       uploads it in messages of up to its window, or via {@code udp} as signed batches.
 *   <li>{@link #sinkStatus}: straight to Kafka; the gateway has no endpoint for it (yet).
 *   <li>Actuators (a fan per patient, a valve per site, {@link ActuatorDevice}): a credential each
 *       like a sink's, and their own MQTT connection whatever {@code via}, on which they take the
 *       gateway's commands, answer them, and send their state readings ({@link #startActuators}).
 * </ul>
 *
 * Passwords are 144 random bits, hashed with {@value #PBKDF2_ITERATIONS} PBKDF2 iterations, far
 * below the CLI's 600,000: stretching makes a guessable password costly to guess, and a random one
 * is not guessable at any count, while every one of thousands of devices costs the simulator (at
 * start) and the gateway (at each first login) one PBKDF2.
 *
 * <p>One Vert.x instance carries every connection, on its event loops, and one datagram socket
 * every UDP meter's batches; no thread per device.
 */
public final class GatewayOutput implements Output, AutoCloseable {

  /** PBKDF2-HMAC-SHA256 iterations of the simulated devices' password hashes. */
  public static final int PBKDF2_ITERATIONS = 4_096;

  private static final Logger log = LoggerFactory.getLogger(GatewayOutput.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Told of every reading the gateway has (tests, tools). */
  @FunctionalInterface
  public interface Listener {
    /**
     * The gateway has reading {@code deviceId}/{@code sequence} from {@code relayId}.
     *
     * @param replay true if it was answered {@code replay}: accepted before
     */
    void delivered(String relayId, String deviceId, long sequence, boolean replay);
  }

  private final GatewaySettings settings;
  private final Output direct;
  private final GroundTruth truth;
  private final Transport transport;
  private final Datagrams udp;
  private final Supplier<Loop> loops;
  private final LoginGate gate;
  private final GatewayStats stats;
  private final Vertx vertx;
  private final Transport actuatorTransport;
  private final Map<String, RelayDevice> devices = new LinkedHashMap<>();
  private final Map<String, ActuatorDevice> actuators = new LinkedHashMap<>();
  private final AtomicInteger actuatorsSubscribed = new AtomicInteger();
  private volatile Map<String, ActuatorDevice> actuatorsById = Map.of();
  private final Map<String, UdpMeter> udpMeters = new LinkedHashMap<>();
  private volatile Map<String, RelayDevice> byId = Map.of();
  private volatile Map<String, UdpMeter> udpById = Map.of();
  private volatile Listener listener = (r, d, s, replay) -> {};
  private volatile boolean started;
  private boolean closed;

  /**
   * Devices on one new Vert.x instance, speaking {@code settings.via()}.
   *
   * @param direct where registry entries, credentials and sink statuses go: Kafka
   */
  public static GatewayOutput create(GatewaySettings settings, Output direct, GroundTruth truth) {
    // JDK name resolution: Vert.x's own DNS resolver holds a UDP socket on 0.0.0.0.
    Vertx vertx = io.biometer.ingress.Gateway.vertx();
    UdpSocket udp = null;
    try {
      Transport transport = settings.via().transport(vertx, settings);
      if (settings.via().metersOverUdp()) {
        udp = UdpSocket.open(vertx, settings.host(), settings.udpPort());
      }
      // Called from a thread that is not Vert.x's (the simulator's), getOrCreateContext makes a
      // new context on the next event loop each time: devices spread over the event loops.
      return new GatewayOutput(
          settings,
          direct,
          truth,
          transport,
          commands -> new MqttTransport(vertx, settings, commands),
          udp,
          () -> new VertxLoop(vertx.getOrCreateContext()),
          vertx);
    } catch (RuntimeException e) {
      if (udp != null) {
        udp.close();
      }
      vertx.close();
      throw e;
    }
  }

  /**
   * Devices speaking through {@code transport}, each on a loop of {@code loops} (tests).
   *
   * @param actuatorTransport makes the transport of the actuators, which always connect over MQTT
   *     whatever {@code via}: the one front end that carries their commands, given who takes which
   * @param udp where meters send their batches via {@code udp}; null otherwise
   */
  GatewayOutput(
      GatewaySettings settings,
      Output direct,
      GroundTruth truth,
      Transport transport,
      Function<Commands, Transport> actuatorTransport,
      Datagrams udp,
      Supplier<Loop> loops,
      Vertx vertx) {
    if (settings.via().metersOverUdp() && udp == null) {
      throw new IllegalArgumentException("via udp needs a datagram socket for the meters");
    }
    this.settings = settings;
    this.direct = direct;
    this.truth = truth;
    this.transport = transport;
    this.actuatorTransport = actuatorTransport.apply(id -> actuatorsById.get(id));
    this.udp = udp;
    this.loops = loops;
    this.gate = new LoginGate(settings.connecting(), loops.get());
    this.stats = new GatewayStats(settings.storeMax());
    this.vertx = vertx;
  }

  /** Where the readings go and what became of them. */
  public GatewayStats stats() {
    return stats;
  }

  public GatewaySettings settings() {
    return settings;
  }

  /** The number of devices that connect: sinks and meters, or via {@code udp} the sinks. */
  public synchronized int relayCount() {
    return devices.size();
  }

  /** The number of meters that upload over UDP: every meter via {@code udp}, else none. */
  public synchronized int udpMeterCount() {
    return udpMeters.size();
  }

  /** The number of actuators: fans and valves, which connect over MQTT and take commands. */
  public synchronized int actuatorCount() {
    return actuators.size();
  }

  /** Actuators connect through the gateway and take its commands: the simulation may make them. */
  @Override
  public boolean connectsActuators() {
    return true;
  }

  /** Tells {@code l} of every delivered reading, from now on. */
  public void listener(Listener l) {
    this.listener = l;
  }

  /** Access grants are provisioning, like registry entries: they go to Kafka directly. */
  @Override
  public void grant(io.biometer.avro.CommandGrant g) {
    direct.grant(g);
  }

  /**
   * Sends {@code d} to Kafka; a sink, a meter or an actuator also becomes a device that connects.
   * Call before {@link #start}.
   */
  @Override
  public void device(Device d) {
    direct.device(d);
    if (d.getKind() == DeviceKind.ACTUATOR) {
      actuator(d);
      return;
    }
    if (d.getKind() == DeviceKind.SINK || d.getKind() == DeviceKind.SOIL_METER) {
      synchronized (this) {
        if (started) {
          throw new IllegalStateException("devices are registered before start: " + d);
        }
        if (d.getKind() == DeviceKind.SOIL_METER && settings.via().metersOverUdp()) {
          udpMeters.computeIfAbsent(
              d.getDeviceId(),
              id -> new UdpMeter(id, newKey(), udp, loops.get(), gate, stats, outcomes()));
          return;
        }
        devices.computeIfAbsent(
            d.getDeviceId(),
            id ->
                new RelayDevice(
                    id,
                    newPassword(),
                    transport,
                    loops.get(),
                    gate,
                    stats,
                    outcomes(),
                    settings.window()));
      }
    }
  }

  private synchronized void actuator(Device d) {
    if (started) {
      throw new IllegalStateException("devices are registered before start: " + d);
    }
    ActuatorModel.Kind kind = ActuatorModel.Kind.of(d.getSensorType());
    if (d.getCadenceMillis() == null || d.getCadenceMillis() < 1) {
      throw new IllegalArgumentException(
          "actuator " + d.getDeviceId() + " needs a cadence of its state readings, got none");
    }
    actuators.computeIfAbsent(
        d.getDeviceId(),
        id ->
            new ActuatorDevice(
                kind,
                new RelayDevice(
                    id,
                    newPassword(),
                    actuatorTransport,
                    loops.get(),
                    gate,
                    stats,
                    outcomes(),
                    settings.window()),
                stats,
                d.getCadenceMillis(),
                this::actuatorSubscribed));
  }

  private void actuatorSubscribed() {
    int n = actuatorsSubscribed.incrementAndGet();
    int all = actuatorCount();
    if (n == all) {
      log.info("actuators: {} connected and subscribed to their commands", describeActuators());
    }
  }

  /** {@code 10 fans, 2 valves}. */
  private synchronized String describeActuators() {
    long fans = actuators.values().stream().filter(a -> a.kind() == ActuatorModel.Kind.FAN).count();
    long valves = actuators.size() - fans;
    return fans
        + (fans == 1 ? " fan, " : " fans, ")
        + valves
        + (valves == 1 ? " valve" : " valves");
  }

  /**
   * Writes a credential for every device, waits until Kafka has them and the registry entries, and
   * connects the devices; the actuators connect in {@link #startActuators}, once the simulation's
   * clock runs.
   */
  public void start() {
    List<RelayDevice> all;
    List<UdpMeter> meters;
    List<RelayDevice> withActuators;
    synchronized (this) {
      started = true;
      all = List.copyOf(devices.values());
      meters = List.copyOf(udpMeters.values());
      byId = Map.copyOf(devices);
      udpById = Map.copyOf(udpMeters);
      actuatorsById = Map.copyOf(actuators);
      withActuators = new ArrayList<>(all);
      actuators.values().forEach(a -> withActuators.add(a.relay()));
    }
    long t0 = System.nanoTime();
    // Hashing is the slow part: PBKDF2 on every core.
    List<DeviceCredential> credentials =
        new ArrayList<>(withActuators.parallelStream().map(d -> credential(d)).toList());
    meters.forEach(m -> credentials.add(credential(m)));
    credentials.forEach(direct::credential);
    direct.flush();
    log.info(
        "{} device credentials written in {} ms; the devices connect to {} via {}",
        credentials.size(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
        settings.address(),
        settings.via().label());
    all.forEach(d -> d.loop().execute(d::start));
    meters.forEach(m -> m.loop().execute(m::start));
  }

  /**
   * Connects the actuators, over MQTT whatever {@code via}, to take commands and report their state
   * (after {@link #start}).
   *
   * @param simNow the simulation's clock, for the event time of their readings
   * @param speed simulated milliseconds per wall millisecond, for their cadence
   * @param sequenceOrigin the first sequence number of each actuator's readings
   */
  public void startActuators(LongSupplier simNow, double speed, long sequenceOrigin) {
    List<ActuatorDevice> all;
    synchronized (this) {
      if (!started) {
        throw new IllegalStateException("start the devices before the actuators");
      }
      all = List.copyOf(actuators.values());
    }
    if (all.isEmpty()) {
      return;
    }
    log.info(
        "actuators: {} connect to {}:{} over mqtt, subscribe to biometer/<id>/commands and report"
            + " their state",
        describeActuators(),
        settings.host(),
        settings.mqttPort());
    all.forEach(a -> a.relay().loop().execute(() -> a.start(simNow, speed, sequenceOrigin)));
  }

  /** The credential {@code ./biometer devices add} would write for {@code d}. */
  static DeviceCredential credential(RelayDevice d) {
    Instant now = Instant.now();
    CredentialSecret secret =
        CredentialSecret.newBuilder()
            .setId("s1")
            .setNotBefore(now)
            .setNotAfter(null)
            .setPwdHash(
                PasswordHash.create(d.password().toCharArray(), PBKDF2_ITERATIONS).toString())
            .build();
    return DeviceCredential.newBuilder()
        .setAuthId(d.id)
        .setType(CredentialType.HASHED_PASSWORD)
        .setDeviceId(d.id)
        .setEnabled(true)
        .setSecrets(List.of(secret))
        .setUpdatedAt(now)
        .build();
  }

  /**
   * The {@code psk} credential {@code ./biometer devices add --type psk} would write for {@code m}:
   * auth id and device id the meter's id, its 32-byte key.
   */
  static DeviceCredential credential(UdpMeter m) {
    Instant now = Instant.now();
    CredentialSecret secret =
        CredentialSecret.newBuilder()
            .setId("s1")
            .setNotBefore(now)
            .setNotAfter(null)
            .setKey(ByteBuffer.wrap(m.key()))
            .build();
    return DeviceCredential.newBuilder()
        .setAuthId(m.id)
        .setType(CredentialType.PSK)
        .setDeviceId(m.id)
        .setEnabled(true)
        .setSecrets(List.of(secret))
        .setUpdatedAt(now)
        .build();
  }

  /** 32 random bytes, as {@code ./biometer devices add --type psk} makes a key. */
  private static byte[] newKey() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return key;
  }

  private static String newPassword() {
    byte[] raw = new byte[18];
    RANDOM.nextBytes(raw);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  private RelayDevice.Outcomes outcomes() {
    return new RelayDevice.Outcomes() {
      @Override
      public void delivered(String relayId, Pending r, boolean replay) {
        listener.delivered(relayId, r.deviceId, r.sequence, replay);
      }

      @Override
      public void lost(String relayId, Pending r, String why) {
        truth.lost(
            r.meter ? Topics.METER_READINGS : Topics.BODY_READINGS, r.deviceId, r.sequence, why);
      }
    };
  }

  @Override
  public void body(BodyReading copy) {
    relay(copy.getProvenance().getRelayId(), Pending.of(copy));
  }

  @Override
  public void meter(MeterReading sample) {
    if (settings.via().metersOverUdp()) {
      Provenance p = sample.getProvenance();
      meterBatch(
          p != null ? p.getRelayId() : sample.getDeviceId() + "/" + sample.getSequence(),
          List.of(sample));
      return;
    }
    relay(sample.getDeviceId(), Pending.of(sample));
  }

  @Override
  public void meterBatch(String batchId, List<MeterReading> samples) {
    if (!settings.via().metersOverUdp()) {
      for (MeterReading m : samples) {
        meter(m);
      }
      return;
    }
    // One meter's day; each meter's samples go to that meter, whatever the list holds.
    Map<String, List<Pending>> byMeter = new LinkedHashMap<>();
    for (MeterReading m : samples) {
      byMeter.computeIfAbsent(m.getDeviceId(), k -> new ArrayList<>()).add(Pending.of(m));
    }
    byMeter.forEach(
        (meterId, readings) -> {
          UdpMeter m = udpById.get(meterId);
          if (m == null) {
            for (Pending p : readings) {
              noCredential(meterId, p);
            }
          } else {
            m.offer(batchId, readings);
          }
        });
  }

  private void relay(String relayId, Pending p) {
    RelayDevice d = byId.get(relayId);
    if (d == null) {
      noCredential(relayId, p);
      return;
    }
    d.offer(p);
  }

  private void noCredential(String relayId, Pending p) {
    stats.offered.increment();
    stats.refused(
        "no_credential", p.id(), relayId + " has no credential: it was not registered at start");
    truth.lost(
        p.meter ? Topics.METER_READINGS : Topics.BODY_READINGS,
        p.deviceId,
        p.sequence,
        "no credential for " + relayId);
  }

  @Override
  public void sinkStatus(SinkStatus status) {
    direct.sinkStatus(status);
  }

  @Override
  public void credential(DeviceCredential credential) {
    direct.credential(credential);
  }

  @Override
  public void flush() {
    direct.flush();
  }

  /**
   * Waits up to {@code drain} for the gateway to answer every reading held, then closes every
   * connection. What is still held then is counted in {@link GatewayStats#leftAtExit} and reported
   * lost: a simulated device's store lives in memory.
   */
  public void close(Duration drain) {
    Collection<RelayDevice> all;
    Collection<UdpMeter> meters;
    Collection<ActuatorDevice> actuatorList;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      all = List.copyOf(devices.values());
      meters = List.copyOf(udpMeters.values());
      actuatorList = List.copyOf(actuators.values());
    }
    // Periodic state readings would keep the devices holding readings while they drain.
    for (ActuatorDevice a : actuatorList) {
      a.relay().loop().execute(a::stop);
    }
    long deadline = System.nanoTime() + drain.toNanos();
    while (stats.held() > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
    List<CompletableFuture<Integer>> left = new ArrayList<>();
    for (RelayDevice d : all) {
      CompletableFuture<Integer> f = new CompletableFuture<>();
      d.loop().execute(() -> f.complete(d.shutdown()));
      left.add(f);
    }
    for (UdpMeter m : meters) {
      CompletableFuture<Integer> f = new CompletableFuture<>();
      m.loop().execute(() -> f.complete(m.shutdown()));
      left.add(f);
    }
    for (ActuatorDevice a : actuatorList) {
      CompletableFuture<Integer> f = new CompletableFuture<>();
      a.relay()
          .loop()
          .execute(
              () -> {
                a.stop();
                f.complete(a.relay().shutdown());
              });
      left.add(f);
    }
    for (CompletableFuture<Integer> f : left) {
      try {
        stats.leftAtExit.add(f.get(10, TimeUnit.SECONDS));
      } catch (Exception e) {
        log.warn("a device did not stop within 10 s: {}", e.toString());
      }
    }
    if (stats.leftAtExit.sum() > 0) {
      log.warn(
          "{} readings were still held by the devices at the end and are lost",
          stats.leftAtExit.sum());
    }
    transport.close();
    actuatorTransport.close();
    if (udp instanceof UdpSocket u) {
      u.close();
    }
    if (vertx != null) {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warn("Vert.x did not close within 10 s: {}", e.toString());
      }
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }
}
