package io.biometer.ingress.commands;

import io.biometer.Topics;
import io.biometer.avro.ConnectionEvent;
import io.biometer.avro.ConnectionState;
import io.biometer.ingress.IngressMetrics;
import io.biometer.ingress.kafka.RecordSender;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a {@code ConnectionEvent} to {@code telemetry.connections} when a device's connection
 * opens and when it closes, with how many it still holds on this gateway: the state the streams app
 * reads to tell a disconnected device from a quiet one.
 */
public final class ConnectionTracker {

  private static final Logger log = LoggerFactory.getLogger(ConnectionTracker.class);

  /** One open connection; {@link #close} it once, with the reason. */
  public final class Connection {
    private final String deviceId;
    private final String protocol;
    private final String remote;
    private boolean closed;

    private Connection(String deviceId, String protocol, String remote) {
      this.deviceId = deviceId;
      this.protocol = protocol;
      this.remote = remote;
    }

    /** Records the disconnection, once; later calls do nothing. */
    public void close(String reason) {
      ConnectionTracker.this.close(this, reason);
    }

    public String deviceId() {
      return deviceId;
    }
  }

  private final RecordSender sender;
  private final IngressMetrics metrics;
  private final String gatewayId;
  private final LongSupplier clock;
  private final Map<String, List<Connection>> open = new HashMap<>();
  private final java.util.Set<CompletableFuture<?>> inFlight =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  public ConnectionTracker(
      RecordSender sender, IngressMetrics metrics, String gatewayId, LongSupplier clock) {
    this.sender = sender;
    this.metrics = metrics;
    this.gatewayId = gatewayId;
    this.clock = clock;
  }

  /** Records that {@code deviceId} connected over {@code protocol} from {@code remote}. */
  public Connection opened(String deviceId, String protocol, String remote) {
    Connection c = new Connection(deviceId, protocol, remote);
    synchronized (this) {
      List<Connection> list = open.computeIfAbsent(deviceId, d -> new ArrayList<>(1));
      list.add(c);
      // Sent under the lock (it only queues): a device's events reach Kafka in the order counted.
      write(c, ConnectionState.CONNECTED, null, list.size());
    }
    return c;
  }

  private void close(Connection c, String reason) {
    synchronized (this) {
      if (c.closed) {
        return;
      }
      c.closed = true;
      List<Connection> list = open.get(c.deviceId);
      if (list != null) {
        list.remove(c);
        if (list.isEmpty()) {
          open.remove(c.deviceId);
        }
      }
      write(c, ConnectionState.DISCONNECTED, reason, list == null ? 0 : list.size());
    }
  }

  /**
   * Marks as disconnected the devices a previous run of this gateway (same {@code ingress.id}) left
   * connected: it stopped without saying so (killed, or its host went).
   *
   * @param latest the latest event of each device, read from {@code telemetry.connections}
   */
  public void restarted(Map<String, ConnectionEvent> latest) {
    int n = 0;
    for (ConnectionEvent e : latest.values()) {
      if (e.getState() == ConnectionState.CONNECTED
          && e.getOpenConnections() > 0
          && gatewayId.equals(e.getGateway().toString())) {
        write(
            new Connection(e.getDeviceId().toString(), e.getProtocol().toString(), null),
            ConnectionState.DISCONNECTED,
            "gateway restarted",
            0);
        n++;
      }
    }
    if (n > 0) {
      log.info("connections: {} devices left connected by the last run marked disconnected", n);
    }
  }

  /** Closes every open connection's record with {@code reason}, and waits until Kafka has them. */
  public void closeAll(String reason, Duration timeout) {
    List<Connection> all = new ArrayList<>();
    synchronized (this) {
      open.values().forEach(all::addAll);
    }
    all.forEach(c -> c.close(reason));
    CompletableFuture<?>[] pending = inFlight.toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(pending).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("connections: not every disconnection reached Kafka ({})", e.toString());
    }
  }

  /** Devices with at least one open connection. */
  public synchronized int connectedDevices() {
    return open.size();
  }

  /** Whether {@code deviceId} holds a connection now. */
  public synchronized boolean connected(String deviceId) {
    return open.containsKey(deviceId);
  }

  private void write(Connection c, ConnectionState state, String reason, int openNow) {
    metrics.connectionEvent(state.name());
    ConnectionEvent e =
        ConnectionEvent.newBuilder()
            .setDeviceId(c.deviceId)
            .setState(state)
            .setProtocol(c.protocol)
            .setReason(reason)
            .setOpenConnections(openNow)
            .setGateway(gatewayId)
            .setRemoteAddress(c.remote)
            .setAt(Instant.ofEpochMilli(clock.getAsLong()))
            .build();
    CompletableFuture<?> f = sender.send(Topics.CONNECTIONS, c.deviceId, e);
    inFlight.add(f);
    f.whenComplete(
        (md, x) -> {
          inFlight.remove(f);
          if (x != null) {
            log.warn("connections: {} {} not written ({})", c.deviceId, state, x.toString());
          }
        });
  }
}
