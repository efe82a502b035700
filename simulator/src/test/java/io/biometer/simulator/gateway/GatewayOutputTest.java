package io.biometer.simulator.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.avro.CredentialType;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceCredential;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.SensorType;
import io.biometer.ingress.auth.PasswordHash;
import io.biometer.ingress.readings.DeviceReading;
import io.biometer.simulator.engine.CollectingOutput;
import io.biometer.simulator.engine.GroundTruth;
import io.biometer.simulator.engine.Simulation;
import io.biometer.simulator.engine.SimulationConfig;
import io.biometer.simulator.model.SinkBatteryConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A simulation whose devices talk to a gateway in the test's hands: who gets a credential, that
 * each logs in with the password its credential hashes, and which connection carries what.
 */
class GatewayOutputTest {

  private static final long START = Instant.parse("2026-11-20T00:00:00Z").toEpochMilli();

  private final ManualLoop loop = new ManualLoop();
  private final FakeTransport gateway = new FakeTransport();
  private final FakeTransport actuatorGateway = new FakeTransport();
  private final CollectingOutput kafka = new CollectingOutput();
  private final GatewayOutput out =
      new GatewayOutput(
          new GatewaySettings(
              Via.MQTT, "127.0.0.1", 8480, 1883, 8490, 8491, null, null, 8, 16, 100_000),
          kafka,
          GroundTruth.NONE,
          gateway,
          commands -> actuatorGateway,
          null,
          () -> loop,
          null);

  GatewayOutputTest() {
    gateway.mixedBatches = false; // as MQTT: a message is one device's
  }

  private Simulation simulation() {
    return simulation(SinkBatteryConfig.everlasting());
  }

  private Simulation simulation(SinkBatteryConfig battery) {
    return simulation(out, battery);
  }

  private Simulation simulation(GatewayOutput out, SinkBatteryConfig battery) {
    SimulationConfig c =
        SimulationConfig.builder(3, START)
            .patients(2)
            .sensorTypes(List.of(SensorType.ECG, SensorType.BLOOD_PRESSURE))
            .cadence(Duration.ofMinutes(1))
            .meters(1)
            .sinkBattery(battery)
            .build();
    Simulation sim = new Simulation(c, out, GroundTruth.NONE, 1);
    sim.registerDevices();
    out.start();
    loop.run();
    return sim;
  }

  @Test
  void theRulesGrantsForTheActuatorsGoToKafkaLikeTheRegistry() {
    SimulationConfig c =
        SimulationConfig.builder(3, START)
            .patients(1)
            .sensorTypes(List.of(SensorType.ECG))
            .cadence(Duration.ofMinutes(1))
            .meters(2)
            .actuators(true)
            .build();
    new Simulation(c, out, GroundTruth.NONE, 1).registerDevices();
    assertThat(kafka.grants)
        .extracting(g -> g.getPrincipal().toString())
        .contains("rule:fan", "rule:valve");
  }

  @Test
  void sinksAndMetersGetACredentialAndLogInWithThePasswordItHashesSensorsGetNone() {
    simulation();
    assertThat(kafka.devices).as("every device registered, as via kafka").hasSize(2 * 4 + 1);
    Map<String, DeviceCredential> credentials =
        kafka.credentials.stream()
            .collect(Collectors.toMap(DeviceCredential::getAuthId, Function.identity()));
    assertThat(credentials)
        .containsOnlyKeys(
            "patient-000000.sink-a",
            "patient-000000.sink-b",
            "patient-000001.sink-a",
            "patient-000001.sink-b",
            "meter-0000");
    assertThat(kafka.flushes).as("the credentials are in Kafka before anyone logs in").isPositive();
    assertThat(gateway.connects).hasSize(5);
    for (FakeTransport.Connect c : gateway.connects) {
      DeviceCredential cred = credentials.get(c.deviceId());
      assertThat(cred.getType()).isEqualTo(CredentialType.HASHED_PASSWORD);
      assertThat(cred.getDeviceId()).isEqualTo(c.deviceId());
      assertThat(cred.getEnabled()).isTrue();
      PasswordHash hash = PasswordHash.parse(cred.getSecrets().get(0).getPwdHash());
      assertThat(hash.iterations()).isEqualTo(GatewayOutput.PBKDF2_ITERATIONS);
      assertThat(hash.matches(c.password().toCharArray())).as(c.deviceId()).isTrue();
      assertThat(c.password()).as("144 random bits, base64url").hasSize(24);
    }
    assertThat(gateway.connects.stream().map(FakeTransport.Connect::password).distinct())
        .hasSize(5);
    Device sink =
        kafka.devices.stream()
            .filter(d -> d.getDeviceId().equals("patient-000000.sink-a"))
            .findFirst()
            .orElseThrow();
    assertThat(sink.getKind()).isEqualTo(DeviceKind.SINK);
    assertThat(sink.getVia())
        .containsExactlyInAnyOrder("patient-000000.ecg", "patient-000000.blood_pressure");
  }

  @Test
  void eachSinkRelaysItsPatientsReadingsOnItsOwnConnectionAndAMeterUploadsItsDay() {
    Simulation sim = simulation();
    sim.runUntil(START + Duration.ofDays(1).plusHours(7).toMillis());
    loop.run();
    while (!gateway.unanswered().isEmpty()) {
      gateway.answerAll(Answer.ACCEPTED);
      loop.run();
    }
    Map<String, String> owner =
        kafka.devices.stream().collect(Collectors.toMap(Device::getDeviceId, Device::getOwnerId));
    long meterReadings = 0;
    for (FakeTransport.Sent s : gateway.sent) {
      assertThat(s.readings).isNotEmpty().hasSizeLessThanOrEqualTo(16);
      String topicDevice = s.readings.get(0).deviceId();
      assertThat(s.readings).allMatch(r -> r.deviceId().equals(topicDevice));
      if (s.link.deviceId.startsWith("meter-")) {
        assertThat(topicDevice).isEqualTo(s.link.deviceId);
        meterReadings += s.readings.size();
      } else {
        assertThat(owner.get(topicDevice))
            .as("%s relayed by %s", topicDevice, s.link.deviceId)
            .isEqualTo(s.link.deviceId.substring(0, s.link.deviceId.indexOf('.')));
      }
      for (DeviceReading r : s.readings) {
        assertThat(r.sentAt()).as("sentAt is the wall clock").isEqualTo(loop.wallMillis());
        assertThat(r.eventTime()).isBetween(START, START + Duration.ofDays(2).toMillis());
      }
    }
    assertThat(meterReadings).as("one day of 15-minute samples").isEqualTo(96);
    GatewayStats stats = out.stats();
    assertThat(stats.offered.sum())
        .isEqualTo(sim.counters().copies.sum() + sim.counters().meterSamplesUploaded.sum());
    assertThat(stats.accepted()).isEqualTo(stats.offered.sum());
    assertThat(stats.meterAccepted.sum()).isEqualTo(96);
    assertThat(stats.held()).isZero();
  }

  @Test
  void viaUdpAMeterGetsAPskAndUploadsItsDaySignedAsOneBatchWhileSinksStillConnect() {
    CollectingOutput kafka = new CollectingOutput();
    FakeDatagrams udp = new FakeDatagrams();
    GatewayOutput out =
        new GatewayOutput(
            new GatewaySettings(
                Via.UDP, "127.0.0.1", 8480, 1883, 8490, 8491, null, null, 8, 16, 100_000),
            kafka,
            GroundTruth.NONE,
            gateway,
            commands -> actuatorGateway,
            udp,
            () -> loop,
            null);
    List<String> relays = new java.util.ArrayList<>();
    out.listener((relay, device, sequence, replay) -> relays.add(relay + " " + device));
    Simulation sim = simulation(out, SinkBatteryConfig.everlasting());
    assertThat(out.relayCount()).as("the sinks").isEqualTo(4);
    assertThat(out.udpMeterCount()).isEqualTo(1);
    DeviceCredential psk =
        kafka.credentials.stream()
            .filter(c -> c.getAuthId().equals("meter-0000"))
            .findFirst()
            .orElseThrow();
    assertThat(psk.getType()).isEqualTo(CredentialType.PSK);
    assertThat(psk.getDeviceId()).isEqualTo("meter-0000");
    byte[] key = new byte[32];
    psk.getSecrets().get(0).getKey().duplicate().get(key);
    assertThat(kafka.credentials)
        .filteredOn(c -> c.getType() == CredentialType.HASHED_PASSWORD)
        .extracting(DeviceCredential::getAuthId)
        .allMatch(id -> id.contains(".sink-"))
        .hasSize(4);
    assertThat(gateway.connects).extracting(FakeTransport.Connect::deviceId).hasSize(4);

    sim.runUntil(START + Duration.ofDays(1).plusHours(7).toMillis());
    loop.run();
    assertThat(udp.sends).singleElement();
    FakeDatagrams.Send day = udp.last();
    assertThat(day.batchId()).isEqualTo("meter-0000/2026-11-20");
    assertThat(day.header().authId()).isEqualTo("meter-0000");
    assertThat(day.fragments()).allMatch(f -> f.verify(key));
    assertThat(day.header().lastSequence() - day.header().firstSequence()).isEqualTo(95);
    assertThat(gateway.sent).noneMatch(s -> s.link.deviceId.startsWith("meter-"));
    udp.ack(key, day, 96, 0);
    while (!gateway.unanswered().isEmpty()) {
      gateway.answerAll(Answer.ACCEPTED);
      loop.run();
    }
    loop.run();
    assertThat(out.stats().meterAccepted.sum()).isEqualTo(96);
    assertThat(out.stats().held()).isZero();
    assertThat(relays)
        .filteredOn(r -> r.endsWith(" meter-0000"))
        .as("the gateway names the batch as the relay")
        .hasSize(96)
        .allMatch(r -> r.startsWith("meter-0000/2026-11-20 "));
  }

  @Test
  void sinkStatusesGoStraightToKafka() {
    Simulation sim = simulation(SinkBatteryConfig.defaults());
    sim.runUntil(START + Duration.ofDays(1).toMillis());
    assertThat(kafka.body).isEmpty();
    assertThat(kafka.meter).isEmpty();
    assertThat(kafka.sinkStatus).isNotEmpty();
  }
}
