package io.biometer.streams.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.avro.ConnectionEvent;
import io.biometer.avro.ConnectionState;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The connection state of a silent device, from its own and its sinks' latest events. */
class SilentConnectionTest {

  private static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

  private static ConnectionEvent event(String device, int open, String reason, Instant at) {
    return ConnectionEvent.newBuilder()
        .setDeviceId(device)
        .setState(open > 0 ? ConnectionState.CONNECTED : ConnectionState.DISCONNECTED)
        .setProtocol("websocket")
        .setReason(reason)
        .setOpenConnections(open)
        .setGateway("gw-1")
        .setAt(at)
        .build();
  }

  @Test
  void noEventsAtAllSaysNothing() {
    assertThat(SilentConnection.of(null, Map.of())).isEqualTo(new SilentConnection(null, null));
  }

  @Test
  void itsOwnOpenConnectionWinsOverItsSinks() {
    assertThat(
            SilentConnection.of(
                event("t", 2, null, T), Map.of("sink-a", event("sink-a", 0, "gateway stopped", T))))
        .isEqualTo(new SilentConnection("connected", "connected over websocket but quiet"));
  }

  @Test
  void aConnectedSinkMakesADisconnectedSensorConnected() {
    assertThat(
            SilentConnection.of(
                event("t", 0, "client disconnected", T),
                Map.of("sink-a", event("sink-a", 1, null, T))))
        .extracting(SilentConnection::connection)
        .isEqualTo("connected");
  }

  @Test
  void aSensorOnlyItsDisconnectedSinksSpeakForIsDisconnectedSinceTheLatestClosed() {
    assertThat(
            SilentConnection.of(
                null,
                Map.of(
                    "sink-a", event("sink-a", 0, "ping timeout", T),
                    "sink-b", event("sink-b", 0, "gateway stopped", T.plusSeconds(60)))))
        .isEqualTo(
            new SilentConnection(
                "disconnected",
                "disconnected since 2026-12-01T10:01:00Z (sink sink-b: gateway stopped)"));
  }
}
