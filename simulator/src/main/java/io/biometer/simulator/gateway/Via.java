package io.biometer.simulator.gateway;

import io.vertx.core.Vertx;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How the simulated devices' readings reach Kafka: straight ({@link #KAFKA}, the simulator as its
 * own producer) or through the ingress gateway as devices send them. Each protocol is one {@link
 * Transport} (via {@code udp}, the meters' batches are {@link UdpMeter}s on one {@link UdpSocket});
 * adding one is a class and a constant here.
 */
public enum Via {
  /** The simulator produces to the topics itself. */
  KAFKA(null),
  /** {@code POST /v1/readings}, one request at a time per device, a batch of what it holds. */
  HTTP(HttpTransport::new),
  /** WebSocket {@code /v1/stream}, each reading answered by its id. */
  WS(WebSocketTransport::new),
  /** MQTT 3.1.1, QoS 1 to {@code biometer/<device>/readings}, acknowledged once Kafka has it. */
  MQTT(MqttTransport::new),
  /** gRPC {@code Readings/Send}, one call per connection, an Ack per reading. */
  GRPC(GrpcTransport::new),
  /**
   * Meters upload their days as HMAC-signed UDP batches ({@link UdpMeter}), answered ACK or NACK;
   * UDP is the meters' protocol, so the sinks send over MQTT, the transport made here.
   */
  UDP(MqttTransport::new);

  /** Makes a protocol's transport. */
  @FunctionalInterface
  interface Factory {
    Transport create(Vertx vertx, GatewaySettings settings);
  }

  private final Factory factory;

  Via(Factory factory) {
    this.factory = factory;
  }

  /** The name in config: lower case. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The labels of every value, for validation and docs. */
  public static List<String> labels() {
    return Arrays.stream(values()).map(Via::label).toList();
  }

  /**
   * The value of {@code label}.
   *
   * @throws IllegalArgumentException naming the allowed values
   */
  public static Via of(String label) {
    for (Via v : values()) {
      if (v.label().equalsIgnoreCase(label)) {
        return v;
      }
    }
    throw new IllegalArgumentException("via must be one of " + labels() + ", got " + label);
  }

  /** True if meters upload over UDP with a pre-shared key rather than through the transport. */
  public boolean metersOverUdp() {
    return this == UDP;
  }

  /** True for the protocols that go through the gateway. */
  public boolean throughGateway() {
    return factory != null;
  }

  /** The transport of the devices that connect: every sink and meter, or via udp the sinks. */
  Transport transport(Vertx vertx, GatewaySettings settings) {
    if (factory == null) {
      throw new IllegalStateException(label() + " needs no transport");
    }
    return factory.create(vertx, settings);
  }
}
