package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.avro.Alert;
import io.biometer.avro.AlertKind;
import io.biometer.avro.AlertState;
import io.biometer.avro.BodyReading;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.SensorType;
import io.biometer.avro.Severity;
import io.biometer.avro.SinkState;
import io.biometer.avro.ThresholdOverride;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AlertTopologyTest {

  private final Driver d = new Driver().register("spo2-1", SensorType.BLOOD_OXYGEN);
  private final Instant t0 = Driver.WALL.minusSeconds(120);

  @AfterEach
  void close() {
    d.close();
  }

  private void spo2(long seq, double value) {
    d.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, seq, t0.plusSeconds(seq), "s", value));
  }

  @Test
  void aValueHoveringAtTheThresholdRaisesOnceAndClearsOnce() {
    // SpO2 normal from 95 %, hysteresis 1: below 95 raises, above 96 clears.
    double[] values = {97, 94.8, 95.2, 94.9, 95.5, 94.7, 95.9, 96.4, 95.8, 96.2};
    for (int i = 0; i < values.length; i++) {
      spo2(i, values[i]);
    }
    List<Alert> alerts = d.alerts.readValuesToList();
    assertThat(alerts)
        .extracting(Alert::getState)
        .containsExactly(AlertState.RAISED, AlertState.CLEARED);
    Alert raised = alerts.get(0);
    assertThat(raised)
        .isEqualTo(
            Alert.newBuilder()
                .setDeviceId("spo2-1")
                .setOwnerId("patient-1")
                .setSensorType(SensorType.BLOOD_OXYGEN)
                .setKind(AlertKind.VALUE_LOW)
                .setState(AlertState.RAISED)
                .setSeverity(Severity.HIGH)
                .setRule("BLOOD_OXYGEN.spo2.low")
                .setChannel("spo2")
                .setValue(94.8)
                .setThreshold(95.0)
                .setEventTime(t0.plusSeconds(1))
                .setDetectedAt(Driver.WALL)
                .setLate(false)
                .setMessage("BLOOD_OXYGEN spo2 94.80 % below 95.00 %")
                .build());
    Alert cleared = alerts.get(1);
    assertThat(cleared.getValue()).isEqualTo(96.4);
    assertThat(cleared.getThreshold()).isEqualTo(96.0);
    assertThat(cleared.getEventTime()).isEqualTo(t0.plusSeconds(7));
  }

  @Test
  void minimumDurationMustPassInEventTimeBeforeRaised() {
    try (Driver slow = new Driver(Map.of("alerts.BLOOD_OXYGEN.min.duration.ms", "10000"))) {
      slow.register("spo2-1", SensorType.BLOOD_OXYGEN);
      // A 5 s dip: never raised.
      for (int s = 0; s <= 5; s++) {
        slow.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, s, t0.plusSeconds(s), "x", 90));
      }
      slow.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, 6, t0.plusSeconds(6), "x", 98));
      assertThat(slow.alerts.isEmpty()).isTrue();
      // A 12 s dip: raised when it has held 10 s.
      for (int s = 20; s <= 32; s++) {
        slow.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, s, t0.plusSeconds(s), "x", 90));
      }
      List<Alert> alerts = slow.alerts.readValuesToList();
      assertThat(alerts).hasSize(1);
      assertThat(alerts.get(0).getEventTime()).isEqualTo(t0.plusSeconds(30));
    }
  }

  @Test
  void batteryLowRaisesAndClearsWithHysteresis() {
    double[] battery = {30, 19, 18, 22, 26};
    for (int i = 0; i < battery.length; i++) {
      BodyReading r =
          Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, i, t0.plusSeconds(i), "s", 98);
      r.setBatteryPercent((float) battery[i]);
      d.send(r);
    }
    List<Alert> alerts = d.alerts.readValuesToList();
    assertThat(alerts).extracting(Alert::getKind).containsOnly(AlertKind.BATTERY_LOW);
    assertThat(alerts)
        .extracting(Alert::getState)
        .containsExactly(AlertState.RAISED, AlertState.CLEARED);
    assertThat(alerts.get(0).getSeverity()).isEqualTo(Severity.LOW);
    assertThat(alerts.get(1).getEventTime()).isEqualTo(t0.plusSeconds(4));
  }

  @Test
  void sinkAsleepIsSinkDownUntilItIsUpAgain() {
    d.send("patient-1.sink-a", SinkState.UP, t0);
    d.send("patient-1.sink-a", SinkState.SLEEPING, t0.plusSeconds(10));
    d.send("patient-1.sink-a", SinkState.SLEEPING, t0.plusSeconds(11));
    d.send("patient-1.sink-a", SinkState.CHARGING, t0.plusSeconds(60));
    d.send("patient-1.sink-a", SinkState.UP, t0.plusSeconds(70));
    List<Alert> alerts = d.alerts.readValuesToList();
    assertThat(alerts).extracting(Alert::getKind).containsOnly(AlertKind.SINK_DOWN);
    assertThat(alerts)
        .extracting(Alert::getState)
        .containsExactly(AlertState.RAISED, AlertState.CLEARED);
    assertThat(alerts.get(0).getDeviceId()).isEqualTo("patient-1.sink-a");
    assertThat(alerts.get(0).getEventTime()).isEqualTo(t0.plusSeconds(10));
    assertThat(alerts.get(1).getEventTime()).isEqualTo(t0.plusSeconds(60));
  }

  @Test
  void aConditionFoundInALateBatchIsMarkedLateWithItsEventTime() {
    d.register("meter-1", SensorType.SOIL_METER, DeviceKind.SOIL_METER, "site-1", 900_000L);
    Instant yesterday = Driver.WALL.minus(Duration.ofHours(20));
    d.send(
        io.biometer.avro.MeterReading.newBuilder()
            .setDeviceId("meter-1")
            .setSiteId("site-1")
            .setSequence(1)
            .setEventTime(yesterday)
            .setValues(
                List.of(
                    new io.biometer.avro.ChannelValue("soil_temperature", 2.0),
                    new io.biometer.avro.ChannelValue("soil_humidity", 30.0)))
            .setBatteryPercent(80f)
            .setProvenance(
                new io.biometer.avro.Provenance(
                    io.biometer.avro.RelayKind.UPLOAD_BATCH,
                    "meter-1/2026-11-19",
                    Driver.WALL,
                    false))
            .build());
    List<Alert> alerts = d.alerts.readValuesToList();
    assertThat(alerts).hasSize(1);
    assertThat(alerts.get(0).getLate()).isTrue();
    assertThat(alerts.get(0).getEventTime()).isEqualTo(yesterday);
    assertThat(alerts.get(0).getDetectedAt()).isEqualTo(Driver.WALL);
    assertThat(alerts.get(0).getKind()).isEqualTo(AlertKind.VALUE_LOW);
  }

  @Test
  void aFreshConditionIsNotLate() {
    spo2(0, 90);
    assertThat(d.alerts.readValue().getLate()).isFalse();
  }

  @Test
  void perDeviceThresholdsFromTheRegistryReplaceTheCatalogues() {
    d.register(
        Device.newBuilder()
            .setDeviceId("spo2-1")
            .setKind(DeviceKind.BODY_SENSOR)
            .setSensorType(SensorType.BLOOD_OXYGEN)
            .setOwnerId("patient-1")
            .setRegisteredAt(t0)
            .setThresholds(List.of(new ThresholdOverride("spo2", 88.0, null, 2.0)))
            .build());
    spo2(0, 90);
    assertThat(d.alerts.isEmpty()).as("90 % is fine for this patient").isTrue();
    spo2(1, 87);
    spo2(2, 89.5);
    spo2(3, 90.5);
    List<Alert> alerts = d.alerts.readValuesToList();
    assertThat(alerts)
        .extracting(Alert::getState)
        .containsExactly(AlertState.RAISED, AlertState.CLEARED);
    assertThat(alerts.get(0).getThreshold()).isEqualTo(88.0);
    assertThat(alerts.get(1).getThreshold()).isEqualTo(90.0);
  }

  @Test
  void configuredThresholdsAndSeverityReplaceTheCatalogues() {
    try (Driver c =
        new Driver(
            Map.of(
                "alerts.BODY_TEMPERATURE.body_temperature.high",
                "37.5",
                "alerts.BODY_TEMPERATURE.severity",
                "HIGH"))) {
      c.register("temp-1", SensorType.BODY_TEMPERATURE);
      c.send(Driver.reading("temp-1", SensorType.BODY_TEMPERATURE, 0, t0, "s", 37.7));
      Alert a = c.alerts.readValue();
      assertThat(a.getKind()).isEqualTo(AlertKind.VALUE_HIGH);
      assertThat(a.getThreshold()).isEqualTo(37.5);
      assertThat(a.getSeverity()).isEqualTo(Severity.HIGH);
    }
  }

  @Test
  void alertStateSurvivesAsStoreStateNotOnePerReading() {
    for (int i = 0; i < 20; i++) {
      spo2(i, 90);
    }
    assertThat(d.alerts.readValuesToList()).hasSize(1);
    assertThat(
            d.metrics.count(
                "biometer.alerts", "kind", "VALUE_LOW", "state", "RAISED", "late", "false"))
        .isEqualTo(1);
  }
}
