package io.biometer.simulator.gateway;

import java.nio.file.Path;

/**
 * Where and how the simulated devices reach the gateway.
 *
 * @param via the protocol, or {@link Via#KAFKA} to bypass the gateway
 * @param host the gateway's host
 * @param httpPort its HTTP(S) and WebSocket port
 * @param mqttPort its MQTT port (also the sinks' via {@code udp})
 * @param grpcPort its gRPC port (HTTP/2)
 * @param udpPort its UDP port of meters' batches
 * @param truststore a PKCS#12 store of the certificates to trust; null for plain text
 * @param truststorePassword the store's password, or null
 * @param connecting the most devices logging in at once
 * @param window the most readings one device has unanswered at once, 1 to 64
 * @param storeMax the most readings all devices hold at once (unsent or unanswered)
 */
public record GatewaySettings(
    Via via,
    String host,
    int httpPort,
    int mqttPort,
    int grpcPort,
    int udpPort,
    Path truststore,
    String truststorePassword,
    int connecting,
    int window,
    long storeMax) {

  /** The most readings a device may have unanswered: the gateway's replay window. */
  public static final int MAX_WINDOW = 64;

  /** Checks the values; the message names what to fix. */
  public GatewaySettings {
    if (via == null) {
      throw new IllegalArgumentException("via is required");
    }
    if (window < 1 || window > MAX_WINDOW) {
      throw new IllegalArgumentException("window must be 1 to " + MAX_WINDOW + ", got " + window);
    }
    if (connecting < 1) {
      throw new IllegalArgumentException("connecting must be >= 1, got " + connecting);
    }
  }

  /** Straight to Kafka: no gateway. */
  public static GatewaySettings kafka() {
    return new GatewaySettings(
        Via.KAFKA, "127.0.0.1", 8480, 1883, 8490, 8491, null, null, 64, 32, 1_000_000);
  }

  /** True if TLS is on: a trust store is set. */
  public boolean tls() {
    return truststore != null;
  }

  /**
   * {@code host:port} of the front end {@link #via} uses; via {@code udp}, the meters' UDP address
   * and the sinks' MQTT one: {@code host:udp (udp) and host:mqtt (mqtt)}.
   */
  public String address() {
    return switch (via) {
      case MQTT -> host + ":" + mqttPort;
      case GRPC -> host + ":" + grpcPort;
      case UDP -> host + ":" + udpPort + " (udp) and " + host + ":" + mqttPort + " (mqtt)";
      default -> host + ":" + httpPort;
    };
  }

  /**
   * The TCP port the devices connect to, to check that the gateway is up: the sinks' MQTT port via
   * {@code udp} (UDP itself cannot be checked without sending).
   */
  public int tcpPort() {
    return switch (via) {
      case MQTT, UDP -> mqttPort;
      case GRPC -> grpcPort;
      default -> httpPort;
    };
  }
}
