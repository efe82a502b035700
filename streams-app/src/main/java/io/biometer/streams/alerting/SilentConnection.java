package io.biometer.streams.alerting;

import io.biometer.avro.ConnectionEvent;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;

/**
 * What a silent device's connections to the ingress gateway say about its silence: {@code
 * connected} (it, or a sink that relays for it, holds a connection, so it is connected but quiet),
 * {@code disconnected} (its latest connection event, or that of every sink relaying for it, says it
 * holds none), or nothing (the gateway never saw it: a device that writes to Kafka directly). The
 * value of {@code Alert.connection} and the tail of the alert's message. Pure logic: the
 * silent-device step looks the events up.
 *
 * <p>A device counts as connected while its latest event has {@code openConnections > 0}, whatever
 * the state: a DISCONNECTED of one of two connections leaves it connected. The events are the
 * latest per device of any gateway instance (the topic is keyed by device), which is exact while
 * one gateway instance holds a device's connections.
 *
 * @param connection {@value #CONNECTED}, {@value #DISCONNECTED} or null
 * @param description a phrase for the alert's message, or null with a null {@code connection}
 */
public record SilentConnection(String connection, String description) {

  public static final String CONNECTED = "connected";
  public static final String DISCONNECTED = "disconnected";

  private static final SilentConnection UNKNOWN = new SilentConnection(null, null);

  /**
   * The connection state of a silent device.
   *
   * @param own the device's latest connection event, or null if it has none
   * @param relays the latest connection events of the sinks whose {@code via} lists the device, by
   *     sink id (the sinks without one left out)
   */
  public static SilentConnection of(ConnectionEvent own, Map<String, ConnectionEvent> relays) {
    if (own != null && own.getOpenConnections() > 0) {
      return new SilentConnection(CONNECTED, "connected over " + own.getProtocol() + " but quiet");
    }
    Optional<Map.Entry<String, ConnectionEvent>> relay =
        relays.entrySet().stream()
            .filter(e -> e.getValue().getOpenConnections() > 0)
            .min(Map.Entry.comparingByKey());
    if (relay.isPresent()) {
      return new SilentConnection(
          CONNECTED,
          "connected over "
              + relay.get().getValue().getProtocol()
              + " through sink "
              + relay.get().getKey()
              + " but quiet");
    }
    if (own != null) {
      return new SilentConnection(DISCONNECTED, disconnected(own, null));
    }
    // No event of its own, but its relays were seen: it is as disconnected as they are, since
    // the latest of them closed.
    return relays.entrySet().stream()
        .max(Comparator.comparing(e -> e.getValue().getAt()))
        .map(e -> new SilentConnection(DISCONNECTED, disconnected(e.getValue(), e.getKey())))
        .orElse(UNKNOWN);
  }

  private static String disconnected(ConnectionEvent event, String sink) {
    String reason = event.getReason();
    String why =
        sink == null
            ? (reason == null ? "" : " (" + reason + ")")
            : " (sink " + sink + (reason == null ? "" : ": " + reason) + ")";
    return "disconnected since " + event.getAt() + why;
  }
}
