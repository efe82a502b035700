package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.avro.Alert;
import io.biometer.avro.AlertState;
import io.biometer.avro.ConnectionState;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.SensorType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A DEVICE_SILENT alert tells a device connected to the gateway but quiet from a disconnected one,
 * from telemetry.connections: its own latest event, or that of a sink that relays for it.
 */
class SilentConnectionTopologyTest {

  private static final Instant EARLIER = Driver.WALL.minusSeconds(600);

  // Temperature sensors with a 10 s cadence: silent after 30 s without a reading.
  private final Driver d = new Driver();

  @AfterEach
  void close() {
    d.close();
  }

  private void sensor(String id) {
    d.register(id, SensorType.BODY_TEMPERATURE, DeviceKind.BODY_SENSOR, "patient-1", 10_000L);
    d.send(
        Driver.reading(id, SensorType.BODY_TEMPERATURE, 0, Driver.WALL.minusSeconds(1), "s", 36.8));
  }

  /** The DEVICE_SILENT alerts raised once every sensor has been quiet for 35 s, by device. */
  private Map<String, Alert> silent() {
    d.advanceWallClock(Duration.ofSeconds(35));
    List<Alert> alerts = d.alerts.readValuesToList();
    assertThat(alerts).allMatch(a -> a.getState() == AlertState.RAISED);
    return alerts.stream().collect(Collectors.toMap(Alert::getDeviceId, Function.identity()));
  }

  @Test
  void aDeviceHoldingAConnectionIsConnectedButQuiet() {
    sensor("temp-1");
    sensor("temp-2");
    d.connection("temp-1", ConnectionState.CONNECTED, 1, null, EARLIER);
    Map<String, Alert> silent = silent();
    assertThat(silent.get("temp-1").getConnection()).isEqualTo("connected");
    assertThat(silent.get("temp-1").getMessage())
        .startsWith("no reading from temp-1 for ")
        .endsWith("; connected over mqtt but quiet");
    assertThat(silent.get("temp-2").getConnection())
        .as("never seen by the gateway: it writes to Kafka directly")
        .isNull();
    assertThat(silent.get("temp-2").getMessage()).doesNotContain("connected");
  }

  @Test
  void aDeviceWhoseLastConnectionClosedIsDisconnectedSinceThen() {
    sensor("temp-1");
    d.connection("temp-1", ConnectionState.CONNECTED, 1, null, EARLIER);
    d.connection(
        "temp-1", ConnectionState.DISCONNECTED, 0, "keep-alive timeout", EARLIER.plusSeconds(5));
    Alert a = silent().get("temp-1");
    assertThat(a.getConnection()).isEqualTo("disconnected");
    assertThat(a.getMessage())
        .endsWith("; disconnected since " + EARLIER.plusSeconds(5) + " (keep-alive timeout)");
  }

  @Test
  void oneOfTwoConnectionsClosedLeavesTheDeviceConnected() {
    sensor("temp-1");
    d.connection("temp-1", ConnectionState.DISCONNECTED, 1, "client disconnected", EARLIER);
    assertThat(silent().get("temp-1").getConnection()).isEqualTo("connected");
  }

  @Test
  void aSensorWhoseSinkIsConnectedIsConnectedThroughItsSink() {
    sensor("temp-1");
    d.register(
        Device.newBuilder()
            .setDeviceId("patient-1.sink-a")
            .setKind(DeviceKind.SINK)
            .setOwnerId("patient-1")
            .setVia(List.of("temp-1"))
            .setRegisteredAt(EARLIER)
            .build());
    d.connection("patient-1.sink-a", ConnectionState.CONNECTED, 1, null, EARLIER);
    Alert a = silent().get("temp-1");
    assertThat(a.getConnection()).isEqualTo("connected");
    assertThat(a.getMessage())
        .endsWith("; connected over mqtt through sink patient-1.sink-a but quiet");
  }

  @Test
  void aConnectedDeviceThatIsNotASinkRelaysForNobody() {
    sensor("temp-1");
    // A fan lists temp-1 in via (wrongly): only a sink relays.
    d.register(
        Device.newBuilder()
            .setDeviceId("patient-1.fan")
            .setKind(DeviceKind.ACTUATOR)
            .setSensorType(SensorType.FAN)
            .setOwnerId("patient-1")
            .setVia(List.of("temp-1"))
            .setRegisteredAt(EARLIER)
            .build());
    d.connection("patient-1.fan", ConnectionState.CONNECTED, 1, null, EARLIER);
    d.connection("temp-1", ConnectionState.DISCONNECTED, 0, "ping timeout", EARLIER);
    assertThat(silent().get("temp-1").getConnection()).isEqualTo("disconnected");
  }

  @Test
  void theClearedAlertCarriesNoConnection() {
    sensor("temp-1");
    d.connection("temp-1", ConnectionState.CONNECTED, 1, null, EARLIER);
    assertThat(silent().get("temp-1").getConnection()).isEqualTo("connected");
    d.send(
        Driver.reading(
            "temp-1", SensorType.BODY_TEMPERATURE, 1, Driver.WALL.plusSeconds(36), "s", 36.8));
    Alert cleared = d.alerts.readValue();
    assertThat(cleared.getState()).isEqualTo(AlertState.CLEARED);
    assertThat(cleared.getConnection()).isNull();
  }
}
