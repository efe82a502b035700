package io.biometer.ingress.commands;

/**
 * What the front ends need for long-lived device connections: where commands come from and where
 * connection events go.
 *
 * @param router delivers commands; null when {@code commands.enabled} is false (subscriptions are
 *     then refused)
 * @param tracker records connections in {@code telemetry.connections}; null in tests without Kafka
 * @param heartbeatMillis how often WebSockets and gRPC commands streams are pinged
 */
public record Sessions(CommandRouter router, ConnectionTracker tracker, long heartbeatMillis) {

  /** No commands, no connection events: the front ends' tests of readings. */
  public static Sessions none() {
    return new Sessions(null, null, 20_000);
  }

  /** Records a connection, or returns a handle that records nothing. */
  public Handle opened(String deviceId, String protocol, String remote) {
    if (tracker == null) {
      return reason -> {};
    }
    ConnectionTracker.Connection c = tracker.opened(deviceId, protocol, remote);
    return c::close;
  }

  /** An open connection's record: closed once, with the reason. */
  @FunctionalInterface
  public interface Handle {
    void close(String reason);
  }
}
