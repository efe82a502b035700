package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.avro.Alert;
import io.biometer.avro.AlertKind;
import io.biometer.avro.AlertState;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.SensorType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SilentDeviceTopologyTest {

  // A temperature sensor registered with a 10 s cadence: silent after 30 s without a reading.
  private final Driver d =
      new Driver()
          .register(
              "temp-1", SensorType.BODY_TEMPERATURE, DeviceKind.BODY_SENSOR, "patient-1", 10_000L);

  @AfterEach
  void close() {
    d.close();
  }

  @Test
  void aDeviceWithoutReadingsForThreeCadencesIsSilentOnceAndTheNextReadingClearsIt() {
    d.send(
        Driver.reading(
            "temp-1", SensorType.BODY_TEMPERATURE, 0, Driver.WALL.minusSeconds(1), "s", 36.8));
    d.advanceWallClock(Duration.ofSeconds(25));
    assertThat(d.alerts.isEmpty()).isTrue();
    d.advanceWallClock(Duration.ofSeconds(10));
    d.advanceWallClock(Duration.ofSeconds(60));
    List<Alert> raised = d.alerts.readValuesToList();
    assertThat(raised).hasSize(1);
    assertThat(raised.get(0).getKind()).isEqualTo(AlertKind.DEVICE_SILENT);
    assertThat(raised.get(0).getState()).isEqualTo(AlertState.RAISED);
    assertThat(raised.get(0).getThreshold()).isEqualTo(30_000.0);

    d.send(
        Driver.reading(
            "temp-1", SensorType.BODY_TEMPERATURE, 1, Driver.WALL.plusSeconds(95), "s", 36.9));
    List<Alert> cleared = d.alerts.readValuesToList();
    assertThat(cleared)
        .extracting(Alert::getKind, Alert::getState)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(AlertKind.DEVICE_SILENT, AlertState.CLEARED));
  }

  @Test
  void aDeviceThatKeepsSendingIsNeverSilent() {
    for (int i = 0; i < 10; i++) {
      d.send(
          Driver.reading(
              "temp-1",
              SensorType.BODY_TEMPERATURE,
              i,
              Driver.WALL.plusSeconds(i * 10L),
              "s",
              36.8));
      d.advanceWallClock(Duration.ofSeconds(10));
    }
    assertThat(d.alerts.isEmpty()).isTrue();
  }

  @Test
  void aReturningDevicesSilentClearedComesBeforeThatReadingsThresholdAlerts() {
    d.send(
        Driver.reading(
            "temp-1", SensorType.BODY_TEMPERATURE, 0, Driver.WALL.minusSeconds(1), "s", 36.8));
    d.advanceWallClock(Duration.ofSeconds(35));
    d.advanceWallClock(Duration.ofSeconds(60));
    assertThat(d.alerts.readValuesToList())
        .extracting(Alert::getKind, Alert::getState)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(AlertKind.DEVICE_SILENT, AlertState.RAISED));

    // It comes back with a fever: the reading clears the silence and raises VALUE_HIGH, in that
    // order on the alerts topic (TelemetryTopology wires SilentDevices before ThresholdAlerts).
    d.send(
        Driver.reading(
            "temp-1", SensorType.BODY_TEMPERATURE, 1, Driver.WALL.plusSeconds(95), "s", 39.0));
    assertThat(d.alerts.readValuesToList())
        .extracting(Alert::getKind, Alert::getState)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(AlertKind.DEVICE_SILENT, AlertState.CLEARED),
            org.assertj.core.groups.Tuple.tuple(AlertKind.VALUE_HIGH, AlertState.RAISED));
  }
}
