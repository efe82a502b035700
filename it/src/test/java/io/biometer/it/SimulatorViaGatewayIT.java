package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.Topics;
import io.biometer.avro.BodyReading;
import io.biometer.avro.MeterReading;
import io.biometer.avro.RelayKind;
import io.biometer.devstack.DevStackConfig;
import io.biometer.devstack.LocalStack;
import io.biometer.devstack.StackFixture;
import io.biometer.ingress.Gateway;
import io.biometer.ingress.IngressConfig;
import io.biometer.simulator.SimulatorConfig;
import io.biometer.simulator.SimulatorRun;
import io.biometer.simulator.gateway.GatewayStats;
import io.biometer.simulator.gateway.Via;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator's sinks and meters talking to the ingress gateway of a local stack as devices do,
 * each with the credential the simulator wrote for it, over MQTT, HTTP, WebSocket, gRPC, or UDP for
 * the meters (with the sinks on MQTT): every reading the simulator counts as delivered is in Kafka
 * once, relayed by the sink that sent it; a meter's day arrives as one upload (over UDP one batch,
 * which the gateway names as the relay); nothing is refused; a restarted simulator is not taken for
 * a replay; and readings held while the gateway was away arrive once it is back. Each test
 * simulates its own patients and meters (its own id range), so the tests share one stack and one
 * gateway in any order.
 */
class SimulatorViaGatewayIT {

  @TempDir static Path dir;

  static DevStackConfig config;
  static LocalStack stack;

  /** The gateway started again by the outage test, if it ran. */
  static Gateway restarted;

  @BeforeAll
  static void start() throws Exception {
    Map<String, String> v = StackFixture.values(dir.resolve("stack"), false);
    v.put(DevStackConfig.INGRESS_ENABLED_CONFIG, "true");
    config = new DevStackConfig(v);
    stack = LocalStack.start(config);
  }

  @AfterAll
  static void stop() {
    if (restarted != null) {
      restarted.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  /**
   * Two patients (two sensors each, every 15 simulated minutes) and two meters from {@code offset},
   * at two simulated hours per wall second from 20:00 of a past day, so the meters upload their
   * first (four-hour) day a few wall seconds in.
   */
  static SimulatorRun start(Via via, int offset, Set<String> delivered) {
    IngressConfig gateway = config.ingress();
    Map<String, Object> m = new HashMap<>();
    m.put(SimulatorConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    m.put(SimulatorConfig.SCHEMA_REGISTRY_URL_CONFIG, stack.registryUrl());
    m.put(SimulatorConfig.VIA_CONFIG, via.label());
    m.put(SimulatorConfig.GATEWAY_HOST_CONFIG, "127.0.0.1");
    m.put(SimulatorConfig.GATEWAY_HTTP_PORT_CONFIG, gateway.getInt(IngressConfig.HTTP_PORT_CONFIG));
    m.put(SimulatorConfig.GATEWAY_MQTT_PORT_CONFIG, gateway.getInt(IngressConfig.MQTT_PORT_CONFIG));
    m.put(SimulatorConfig.GATEWAY_GRPC_PORT_CONFIG, gateway.getInt(IngressConfig.GRPC_PORT_CONFIG));
    m.put(SimulatorConfig.GATEWAY_UDP_PORT_CONFIG, gateway.getInt(IngressConfig.UDP_PORT_CONFIG));
    m.put(SimulatorConfig.PATIENTS_CONFIG, 2);
    m.put(SimulatorConfig.PATIENT_OFFSET_CONFIG, offset);
    m.put(SimulatorConfig.SENSORS_PER_PATIENT_CONFIG, 2);
    m.put(SimulatorConfig.CADENCE_CONFIG, "PT15M");
    m.put(SimulatorConfig.METERS_CONFIG, 2);
    m.put(SimulatorConfig.METER_OFFSET_CONFIG, offset);
    m.put(SimulatorConfig.SPEED_CONFIG, 7200);
    m.put(
        SimulatorConfig.START_CONFIG,
        Instant.now()
            .truncatedTo(ChronoUnit.DAYS)
            .minus(Duration.ofDays(10))
            .plus(Duration.ofHours(20))
            .toString());
    m.put(SimulatorConfig.SEED_CONFIG, 5L + offset);
    m.put(SimulatorConfig.THREADS_CONFIG, 1);
    // Sinks and meters only: every reading here is counted against theirs in Kafka.
    m.put(SimulatorConfig.ACTUATORS_ENABLED_CONFIG, false);
    m.put(
        SimulatorConfig.SPOOL_DIR_CONFIG,
        dir.resolve("spool-" + via.label() + "-" + offset + "-" + System.nanoTime()).toString());
    return SimulatorRun.start(
        new SimulatorConfig(m).settings(),
        (relay, device, sequence, replay) -> delivered.add(relay + " " + device + "/" + sequence));
  }

  /** {@code <relay> <device>/<sequence>} of every reading in Kafka of the devices from offset. */
  static List<String> inKafka(int offset) {
    String patient0 = String.format("patient-%06d.", offset);
    String patient1 = String.format("patient-%06d.", offset + 1);
    String meter0 = String.format("meter-%04d", offset);
    String meter1 = String.format("meter-%04d", offset + 1);
    List<String> out = new ArrayList<>();
    for (SpecificRecord r : records(Topics.BODY_READINGS)) {
      BodyReading b = (BodyReading) r;
      if (b.getDeviceId().startsWith(patient0) || b.getDeviceId().startsWith(patient1)) {
        assertThat(b.getProvenance().getRelayKind()).isEqualTo(RelayKind.SINK);
        assertThat(b.getProvenance().getRelayId())
            .as("relayed by a sink of its own patient")
            .startsWith(b.getPatientId() + ".sink-");
        out.add(b.getProvenance().getRelayId() + " " + b.getDeviceId() + "/" + b.getSequence());
      }
    }
    for (SpecificRecord r : records(Topics.METER_READINGS)) {
      MeterReading x = (MeterReading) r;
      if (x.getDeviceId().equals(meter0) || x.getDeviceId().equals(meter1)) {
        assertThat(x.getProvenance().getRelayKind()).isEqualTo(RelayKind.UPLOAD_BATCH);
        out.add(x.getProvenance().getRelayId() + " " + x.getDeviceId() + "/" + x.getSequence());
      }
    }
    return out;
  }

  /** Every record of {@code topic} now. */
  static List<SpecificRecord> records(String topic) {
    return Clients.readAll(stack, topic, Clients.specific(stack)).stream()
        .map(r -> r.value())
        .toList();
  }

  /** Waits until both meters' first day and 100 body readings are delivered, then stops. */
  static void runUntilMetersUploaded(SimulatorRun run, Via via) {
    GatewayStats g = run.gateway().stats();
    try {
      Poll.until(
          Duration.ofSeconds(90),
          "both meters' first day and 100 body readings accepted through " + via,
          () ->
              run.counters().meterBatches.sum() >= 2
                  && g.meterAccepted.sum() >= run.counters().meterSamplesUploaded.sum()
                  && g.bodyAccepted.sum() >= 100);
    } finally {
      run.close();
    }
  }

  static void assertEverythingDeliveredNothingRefusedOrLost(SimulatorRun run) {
    GatewayStats g = run.gateway().stats();
    assertThat(run.failure()).isNull();
    assertThat(g.refusedByReason()).as("refused").isEmpty();
    assertThat(g.lostStoreFull.sum()).isZero();
    assertThat(g.leftAtExit.sum()).as("left at exit").isZero();
    assertThat(g.held()).isZero();
    assertThat(g.delivered()).isEqualTo(g.offered.sum());
    assertThat(run.report().gateway().offered()).isEqualTo(g.offered.sum());
  }

  private void deliversEveryReadingToKafkaThrough(Via via, int offset) {
    Set<String> delivered = ConcurrentHashMap.newKeySet();
    SimulatorRun run = start(via, offset, delivered);
    runUntilMetersUploaded(run, via);
    assertEverythingDeliveredNothingRefusedOrLost(run);
    GatewayStats g = run.gateway().stats();
    assertThat(delivered).hasSize((int) g.delivered());
    assertThat(g.replays.sum()).isZero();
    List<String> kafka = inKafka(offset);
    assertThat(new HashSet<>(kafka))
        .as("every reading the simulator counts delivered, and only those, is in Kafka")
        .isEqualTo(delivered);
    assertThat(kafka).as("each once").doesNotHaveDuplicates();
    if (via.metersOverUdp()) {
      assertThat(delivered)
          .filteredOn(d -> d.startsWith("meter-"))
          .as("meter samples relayed by their batch: <meter>/<day>, the simulation's batch id")
          .hasSize((int) g.meterAccepted.sum())
          .allMatch(
              d ->
                  d.substring(0, d.indexOf(' '))
                      .matches(
                          java.util.regex.Pattern.quote(
                                  d.substring(d.indexOf(' ') + 1, d.lastIndexOf('/')))
                              + "/\\d{4}-\\d{2}-\\d{2}"));
      assertThat(run.gateway().udpMeterCount()).isEqualTo(2);
      assertThat(run.gateway().relayCount()).as("the sinks, over MQTT").isEqualTo(4);
    } else {
      assertThat(delivered)
          .filteredOn(d -> d.startsWith("meter-"))
          .as("meter samples relayed by the meter itself")
          .hasSize((int) g.meterAccepted.sum())
          .allMatch(
              d ->
                  d.substring(0, d.indexOf(' '))
                      .equals(d.substring(d.indexOf(' ') + 1, d.indexOf('/'))));
    }
    assertThat(g.meterAccepted.sum()).isEqualTo(run.counters().meterSamplesUploaded.sum());
    assertThat(run.counters().copies.sum()).isEqualTo(g.bodyAccepted.sum());
  }

  @Test
  void sinksAndMetersDeliverEveryReadingOverMqtt() {
    deliversEveryReadingToKafkaThrough(Via.MQTT, 0);
  }

  @Test
  void sinksAndMetersDeliverEveryReadingOverHttp() {
    deliversEveryReadingToKafkaThrough(Via.HTTP, 10);
  }

  @Test
  void sinksAndMetersDeliverEveryReadingOverWebSocket() {
    deliversEveryReadingToKafkaThrough(Via.WS, 20);
  }

  @Test
  void sinksAndMetersDeliverEveryReadingOverGrpc() {
    deliversEveryReadingToKafkaThrough(Via.GRPC, 50);
  }

  @Test
  void metersDeliverTheirDaysAsSignedUdpBatchesAndSinksOverMqtt() {
    deliversEveryReadingToKafkaThrough(Via.UDP, 60);
  }

  @Test
  void aRestartedSimulatorCountsOnAboveTheGatewaysReplayWindows() {
    for (int i = 0; i < 2; i++) {
      Set<String> delivered = ConcurrentHashMap.newKeySet();
      SimulatorRun run = start(Via.MQTT, 30, delivered);
      GatewayStats g = run.gateway().stats();
      try {
        Poll.until(
            Duration.ofSeconds(60),
            "100 body readings accepted in run " + (i + 1),
            () -> g.bodyAccepted.sum() >= 100);
      } finally {
        run.close();
      }
      assertEverythingDeliveredNothingRefusedOrLost(run);
    }
  }

  @Test
  void readingsHeldWhileTheGatewayIsAwayAreDeliveredWhenItIsBack() throws Exception {
    Set<String> delivered = ConcurrentHashMap.newKeySet();
    SimulatorRun run = start(Via.MQTT, 40, delivered);
    GatewayStats g = run.gateway().stats();
    try {
      Poll.until(Duration.ofSeconds(60), "readings accepted", () -> g.bodyAccepted.sum() >= 50);
      Gateway first = restarted != null ? restarted : stack.ingress();
      first.close();
      Poll.until(
          Duration.ofSeconds(60),
          "every device notices and holds its readings",
          () -> g.connected.get() == 0 && g.held() > 100);
      long heldWhileAway = g.held();
      restarted = Gateway.start(config.ingress(stack.bootstrapServers(), stack.registryUrl()));
      Poll.until(
          Duration.ofSeconds(90),
          "every device reconnected and sent what it held (" + heldWhileAway + ")",
          () ->
              g.connected.get() == run.gateway().relayCount()
                  && g.delivered() >= heldWhileAway + 50
                  && g.held() < 20);
    } finally {
      run.close();
    }
    assertEverythingDeliveredNothingRefusedOrLost(run);
    assertThat(g.connectionsLost.sum()).isGreaterThanOrEqualTo(run.gateway().relayCount());
    assertThat(g.resent.sum() + g.connectFailures.sum()).isPositive();
    // A reading Kafka took just before the gateway went away may be there twice (its window was
    // not stored yet); dedup removes the copy. None is missing.
    assertThat(new HashSet<>(inKafka(40))).isEqualTo(delivered);
  }
}
