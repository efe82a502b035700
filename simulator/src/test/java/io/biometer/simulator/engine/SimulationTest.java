package io.biometer.simulator.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.avro.BodyReading;
import io.biometer.avro.CommandGrant;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.MeterReading;
import io.biometer.avro.RelayKind;
import io.biometer.avro.SensorType;
import io.biometer.avro.SinkState;
import io.biometer.simulator.model.SinkBatteryConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SimulationTest {

  private static final long START = Instant.parse("2026-11-20T00:00:00Z").toEpochMilli();
  private static final long MIN = 60_000L;

  private static SimulationConfig config(
      int patients, Duration cadence, boolean redundant, int meters, SinkBatteryConfig battery) {
    return SimulationConfig.builder(7, START)
        .patients(patients)
        .cadence(cadence)
        .redundant(redundant)
        .meters(meters)
        .sinkBattery(battery)
        .build();
  }

  @Test
  void sensorsAtCadenceProduceTheExpectedRateOverASimulatedMinute() {
    int patients = 100;
    CollectingOutput out = new CollectingOutput();
    Simulation sim =
        new Simulation(
            config(patients, Duration.ofMillis(500), false, 0, SinkBatteryConfig.everlasting()),
            out,
            GroundTruth.NONE,
            3);
    sim.runUntil(START + MIN);
    double expected = patients * 10 * (MIN / 500.0);
    assertThat((double) out.body.size())
        .isCloseTo(expected, org.assertj.core.data.Percentage.withPercentage(5));
  }

  @Test
  void catalogueCadenceIsUsedPerSensorType() {
    CollectingOutput out = new CollectingOutput();
    Simulation sim =
        new Simulation(
            config(20, null, false, 0, SinkBatteryConfig.everlasting()), out, GroundTruth.NONE, 1);
    sim.runUntil(START + 10 * MIN);
    Map<SensorType, Long> perType =
        out.body.stream()
            .collect(Collectors.groupingBy(BodyReading::getSensorType, Collectors.counting()));
    // 20 sensors per type over 600 s: SpO2 at 1 s -> 12000, blood sugar at 300 s -> 40.
    assertThat(perType.get(SensorType.BLOOD_OXYGEN)).isBetween(11_900L, 12_000L);
    assertThat(perType.get(SensorType.BLOOD_SUGAR)).isBetween(20L, 40L);
  }

  @Test
  void sameSeedSameRecords() {
    CollectingOutput a = new CollectingOutput();
    CollectingOutput b = new CollectingOutput();
    // Long enough for meter uploads and sink state changes; fast sink drain makes them happen.
    SinkBatteryConfig fast = new SinkBatteryConfig(0.001, 20, 50, 10, 60, 1);
    long until = START + 30 * 60 * MIN;
    new Simulation(config(2, Duration.ofSeconds(5), true, 2, fast), a, GroundTruth.NONE, 2)
        .runUntil(until);
    new Simulation(config(2, Duration.ofSeconds(5), true, 2, fast), b, GroundTruth.NONE, 3)
        .runUntil(until);
    Comparator<BodyReading> order =
        Comparator.comparing(BodyReading::getDeviceId)
            .thenComparingLong(BodyReading::getSequence)
            .thenComparing(r -> r.getProvenance().getRelayId());
    assertThat(a.body.stream().sorted(order).toList())
        .isEqualTo(b.body.stream().sorted(order).toList());
    assertThat(a.meter).containsExactlyInAnyOrderElementsOf(b.meter);
    assertThat(a.sinkStatus).containsExactlyInAnyOrderElementsOf(b.sinkStatus);
    assertThat(a.body).isNotEmpty();
    assertThat(a.meter).isNotEmpty();
    assertThat(a.sinkStatus).isNotEmpty();
  }

  @Test
  void anotherSeedOtherRecords() {
    CollectingOutput a = new CollectingOutput();
    CollectingOutput b = new CollectingOutput();
    new Simulation(
            config(2, null, true, 0, SinkBatteryConfig.everlasting()), a, GroundTruth.NONE, 1)
        .runUntil(START + MIN);
    SimulationConfig other =
        SimulationConfig.builder(8, START)
            .patients(2)
            .sinkBattery(SinkBatteryConfig.everlasting())
            .build();
    new Simulation(other, b, GroundTruth.NONE, 1).runUntil(START + MIN);
    assertThat(a.body).isNotEqualTo(b.body);
  }

  @Test
  void redundantSinksRelayEveryReadingTwiceWithDifferentProvenance() {
    CollectingOutput out = new CollectingOutput();
    Simulation sim =
        new Simulation(
            config(2, null, true, 0, SinkBatteryConfig.everlasting()), out, GroundTruth.NONE, 1);
    sim.runUntil(START + MIN);
    Map<String, List<BodyReading>> copies =
        out.body.stream()
            .collect(Collectors.groupingBy(r -> r.getDeviceId() + "#" + r.getSequence()));
    assertThat(copies.values())
        .allSatisfy(
            c -> {
              assertThat(c).hasSize(2);
              assertThat(c.get(0).getProvenance().getRelayId())
                  .isNotEqualTo(c.get(1).getProvenance().getRelayId());
              assertThat(c.get(0).getValues()).isEqualTo(c.get(1).getValues());
              assertThat(c.get(0).getEventTime()).isEqualTo(c.get(1).getEventTime());
            });
    assertThat(sim.counters().duplicates.sum()).isEqualTo(copies.size());
  }

  @Test
  void failoverModeRelaysOnceThroughTheFirstAwakeSink() {
    CollectingOutput out = new CollectingOutput();
    new Simulation(
            config(2, null, false, 0, SinkBatteryConfig.everlasting()), out, GroundTruth.NONE, 1)
        .runUntil(START + MIN);
    assertThat(out.body)
        .allSatisfy(r -> assertThat(r.getProvenance().getRelayId()).endsWith("sink-a"));
    assertThat(
            out.body.stream().map(r -> r.getDeviceId() + "#" + r.getSequence()).distinct().count())
        .isEqualTo(out.body.size());
  }

  @Test
  void whenASinkSleepsTheOtherCarriesOn() {
    // Sink batteries run down within hours; the two charge at different times of day.
    SinkBatteryConfig fast = new SinkBatteryConfig(0.0, 20, 50, 10, 60, 0);
    CollectingOutput out = new CollectingOutput();
    Simulation sim =
        new Simulation(config(1, Duration.ofMinutes(1), false, 0, fast), out, GroundTruth.NONE, 1);
    sim.runUntil(START + 24 * 60 * MIN);
    assertThat(out.sinkStatus).anyMatch(s -> s.getState() == SinkState.SLEEPING);
    assertThat(out.sinkStatus)
        .anyMatch(s -> s.getPreviousState() == SinkState.SLEEPING && s.getState() == SinkState.UP);
    assertThat(out.body).anyMatch(r -> r.getProvenance().getRelayId().endsWith("sink-b"));
    // Every reading that was relayed went through exactly one sink, and only through an awake one.
    long readings = sim.counters().readings.sum();
    assertThat(out.body.size() + sim.counters().noSinkAwake.sum()).isEqualTo(readings);
  }

  @Test
  void meterBatchArrivesTheNextDayWithThePreviousDaysEventTimes() {
    CollectingOutput out = new CollectingOutput();
    Simulation sim =
        new Simulation(
            config(0, null, true, 3, SinkBatteryConfig.everlasting()), out, GroundTruth.NONE, 1);
    sim.runUntil(START + 86_400_000L - 1);
    assertThat(out.meter).as("nothing uploaded during the first day").isEmpty();
    sim.runUntil(START + 2 * 86_400_000L);
    assertThat(out.meter).isNotEmpty();
    Map<String, List<MeterReading>> byBatch =
        out.meter.stream().collect(Collectors.groupingBy(m -> m.getProvenance().getRelayId()));
    assertThat(byBatch).hasSize(3);
    byBatch
        .values()
        .forEach(
            batch -> {
              assertThat(batch)
                  .allSatisfy(
                      m -> {
                        assertThat(m.getProvenance().getRelayKind())
                            .isEqualTo(RelayKind.UPLOAD_BATCH);
                        assertThat(m.getEventTime())
                            .isBefore(Instant.ofEpochMilli(START + 86_400_000L));
                        assertThat(m.getProvenance().getRelayedAt())
                            .isAfter(Instant.ofEpochMilli(START + 86_400_000L));
                        assertThat(m.getValues())
                            .extracting(v -> v.getChannel())
                            .containsExactly("soil_temperature", "soil_humidity");
                      });
              // 96 samples at 15 minutes span the whole day.
              assertThat(batch).hasSize(96);
              assertThat(batch.get(0).getEventTime())
                  .isBefore(Instant.ofEpochMilli(START + 15 * MIN));
              assertThat(batch.get(95).getEventTime())
                  .isAfter(Instant.ofEpochMilli(START + 86_400_000L - 15 * MIN));
            });
    List<Instant> uploads =
        byBatch.values().stream()
            .map(b -> b.get(0).getProvenance().getRelayedAt())
            .distinct()
            .toList();
    assertThat(uploads).as("meters upload at different times").hasSize(3);
  }

  @Test
  void registryHasEverySensorSinkAndMeter() {
    CollectingOutput out = new CollectingOutput();
    Simulation sim =
        new Simulation(
            config(3, null, true, 2, SinkBatteryConfig.everlasting()), out, GroundTruth.NONE, 1);
    sim.registerDevices();
    assertThat(out.devices).hasSize(3 * 12 + 2);
    assertThat(sim.deviceCount()).isEqualTo(out.devices.size());
    assertThat(out.devices)
        .extracting(d -> d.getDeviceId())
        .doesNotHaveDuplicates()
        .contains("patient-000000.sink-a", "patient-000002.blood_oxygen", "meter-0001");
    io.biometer.avro.Device sink =
        out.devices.stream()
            .filter(d -> d.getDeviceId().equals("patient-000001.sink-b"))
            .findFirst()
            .orElseThrow();
    assertThat(sink.getVia())
        .as("a sink may relay for its own patient's sensors, and only those")
        .hasSize(10)
        .allMatch(id -> id.startsWith("patient-000001."))
        .contains("patient-000001.blood_pressure");
    assertThat(out.devices)
        .filteredOn(d -> d.getKind() != io.biometer.avro.DeviceKind.SINK)
        .allMatch(d -> d.getVia().isEmpty());
  }

  @Test
  void episodesAreInjectedAtTheConfiguredRateAndRecorded() {
    CollectingOutput out = new CollectingOutput();
    java.util.List<String> truth =
        java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    GroundTruth recording =
        new GroundTruth() {
          @Override
          public void episode(String deviceId, io.biometer.simulator.model.Episode episode) {
            truth.add(deviceId);
          }

          @Override
          public void duplicated(String deviceId, long sequence, int copies) {}

          @Override
          public void noSinkAwake(String deviceId, long sequence, long eventTime) {}

          @Override
          public void meterBatch(
              String deviceId, String batchId, int samples, long from, long to, long uploadedAt) {}
        };
    SimulationConfig c =
        SimulationConfig.builder(3, START)
            .patients(20)
            .sensorTypes(List.of(SensorType.BODY_TEMPERATURE))
            .cadence(Duration.ofSeconds(10))
            .episodesPerHour(2.0)
            .sinkBattery(SinkBatteryConfig.everlasting())
            .build();
    new Simulation(c, out, recording, 1).runUntil(START + 10 * 60 * MIN);
    // 20 sensors x 10 h x 2/h = 400 chances, minus the time spent inside episodes (~11 min each).
    assertThat(truth.size()).isBetween(150, 420);
    assertThat(out.body).anyMatch(r -> r.getValues().get(0).getValue() > 38.0);
  }

  private static SimulationConfig withActuators(int meterOffset, int meters) {
    return SimulationConfig.builder(3, START)
        .patients(2)
        .patientOffset(1)
        .sensorTypes(List.of(SensorType.BODY_TEMPERATURE))
        .meters(meters)
        .meterOffset(meterOffset)
        .actuators(true)
        .build();
  }

  @Test
  void aFanPerPatientAndAValvePerSiteAreRegisteredAsTheirOwnersWithTheRulesGrants() {
    CollectingOutput out = new CollectingOutput();
    out.connectsActuators = true;
    Simulation sim = new Simulation(withActuators(0, 4), out, GroundTruth.NONE, 1);
    sim.registerDevices();
    Map<String, Device> byId =
        out.devices.stream().collect(Collectors.toMap(Device::getDeviceId, d -> d));
    Device fan = byId.get("patient-000001.fan");
    assertThat(fan.getKind()).isEqualTo(DeviceKind.ACTUATOR);
    assertThat(fan.getSensorType()).isEqualTo(SensorType.FAN);
    assertThat(fan.getOwnerId()).as("the alert's owner: the patient").isEqualTo("patient-000001");
    assertThat(fan.getCadenceMillis()).isEqualTo(10_000L);
    assertThat(byId).containsKey("patient-000002.fan");
    // Meters 0 and 1 measure site-0000, meters 2 and 3 site-0001: a valve each.
    Device valve = byId.get("site-0000.valve");
    assertThat(valve.getSensorType()).isEqualTo(SensorType.VALVE);
    assertThat(valve.getOwnerId()).isEqualTo(byId.get("meter-0000").getOwnerId());
    assertThat(valve.getCadenceMillis()).isEqualTo(60_000L);
    assertThat(out.devices)
        .filteredOn(d -> d.getKind() == DeviceKind.ACTUATOR)
        .extracting(Device::getDeviceId)
        .containsExactly(
            "patient-000001.fan", "patient-000002.fan", "site-0000.valve", "site-0001.valve");
    assertThat(sim.deviceCount()).isEqualTo(out.devices.size());

    assertThat(out.grants).hasSize(2);
    CommandGrant fans = out.grants.get(0);
    assertThat(fans.getPrincipal()).isEqualTo("rule:fan");
    assertThat(fans.getDevices()).containsExactly("*.fan");
    assertThat(fans.getCommands()).containsExactly("set_power");
    assertThat(fans.getNote()).isEqualTo("granted by the simulator for its actuators");
    CommandGrant valves = out.grants.get(1);
    assertThat(valves.getPrincipal()).isEqualTo("rule:valve");
    assertThat(valves.getDevices()).containsExactly("*.valve");
    assertThat(valves.getCommands()).containsExactly("set_valve");
  }

  @Test
  void aSiteSplitAcrossShardsGetsItsValveFromTheShardWithItsFirstMeter() {
    CollectingOutput out = new CollectingOutput();
    out.connectsActuators = true;
    // meters 1..3: site-0000 (meter 1, its second), site-0001 (meters 2 and 3)
    new Simulation(withActuators(1, 3), out, GroundTruth.NONE, 1).registerDevices();
    assertThat(out.devices)
        .extracting(Device::getDeviceId)
        .contains("site-0001.valve")
        .doesNotContain("site-0000.valve");
  }

  @Test
  void anOutputThatCannotConnectActuatorsGetsNoneAndNoGrants() {
    CollectingOutput out = new CollectingOutput(); // as KafkaOutput: via kafka
    Simulation sim = new Simulation(withActuators(0, 2), out, GroundTruth.NONE, 1);
    sim.registerDevices();
    assertThat(out.devices).noneMatch(d -> d.getKind() == DeviceKind.ACTUATOR);
    assertThat(out.grants).isEmpty();
    assertThat(sim.actuators()).isEmpty();
  }

  @Test
  void actuatorsAndMetersAreNoBodySensorTypes() {
    for (SensorType t :
        List.of(SensorType.FAN, SensorType.VALVE, SensorType.SOIL_METER, SensorType.UNKNOWN)) {
      assertThatThrownBy(() -> SimulationConfig.builder(1, START).sensorTypes(List.of(t)).build())
          .as(t.name())
          .hasMessageContaining("BODY domain")
          .hasMessageContaining(t.name());
    }
  }
}
