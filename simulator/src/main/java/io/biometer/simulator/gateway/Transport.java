package io.biometer.simulator.gateway;

import io.biometer.ingress.readings.DeviceReading;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.Consumer;

/**
 * One protocol's way into the gateway, shared by every simulated device of a run: {@link
 * HttpTransport}, {@link WebSocketTransport}, {@link MqttTransport}, {@link GrpcTransport} (UDP
 * batches, which answer a batch rather than a reading, are {@link UdpMeter}'s). A new protocol is
 * one class implementing this and one constant of {@link Via}; the store, the re-sending and the
 * reconnecting are {@link RelayDevice}'s and the same for all.
 *
 * <p>Every method is called on the device's {@link Loop}; the futures complete on it too.
 */
public interface Transport extends AutoCloseable {

  /**
   * Opens a connection as device {@code deviceId} with its password.
   *
   * @param onClosed called once when the connection ends, whoever ended it
   * @return the link; fails with {@link LoginRefused} if the gateway refused the credential, with
   *     any other exception if the gateway could not be reached
   */
  Future<Link> connect(String deviceId, String password, Consumer<Link> onClosed);

  /**
   * True if {@link #connect} proves the credential (an MQTT CONNECT, a WebSocket upgrade); false if
   * only the answer to the first message does (HTTP, which sends it with every request).
   */
  boolean loginOnConnect();

  /** The most messages one connection has unanswered at once. */
  int maxMessagesInFlight();

  /**
   * True if one message may carry readings of several devices (a sink's batch of its sensors');
   * false if a message is one device's (an MQTT topic names the device).
   */
  boolean mixedBatches();

  /** A short hint for a reading after which the gateway closed the connection again and again. */
  default String closedHint() {
    return "the gateway closed the connection each time this reading was in flight";
  }

  /** Closes the transport's shared clients. Links are closed by their devices first. */
  @Override
  void close();

  /** One device's connection. */
  interface Link {

    /**
     * Sends {@code readings} as one message.
     *
     * @return one answer per reading, in their order, once the gateway answered them all; fails if
     *     the connection broke first (then nothing is known, and the readings are sent again)
     */
    Future<List<Answer>> send(List<DeviceReading> readings);

    /** Closes the connection; the transport then calls the link's {@code onClosed}. */
    void close();
  }
}
