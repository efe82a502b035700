package io.biometer.simulator.gateway;

import io.biometer.ingress.udp.UdpCodec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Vert.x datagram socket for every simulated meter of a run: the meters' batches go out through
 * it to the gateway's UDP port, and the gateway's ACKs and NACKs come back to it, each handed to
 * the meter whose batch it names. No thread and no socket per meter.
 */
final class UdpSocket implements Datagrams, AutoCloseable {

  /**
   * Socket buffers: a meter's day is a few dozen datagrams, and many meters may upload at once; a
   * datagram the kernel drops costs a re-send.
   */
  static final int BUFFER_BYTES = 4 * 1024 * 1024;

  private static final Logger log = LoggerFactory.getLogger(UdpSocket.class);

  private final DatagramSocket socket;
  private final String host;
  private final int port;
  private final Map<String, Consumer<UdpCodec.Answer>> listeners = new ConcurrentHashMap<>();

  private UdpSocket(DatagramSocket socket, String host, int port) {
    this.socket = socket;
    this.host = host;
    this.port = port;
  }

  /**
   * A socket on an ephemeral port of every local address, sending to {@code host}:{@code port}.
   *
   * @throws IllegalStateException if it cannot be bound, naming why
   */
  static UdpSocket open(Vertx vertx, String host, int port) {
    boolean ipv6 = host.contains(":");
    DatagramSocket s =
        vertx.createDatagramSocket(
            new DatagramSocketOptions()
                .setIpV6(ipv6)
                .setReceiveBufferSize(BUFFER_BYTES)
                .setSendBufferSize(BUFFER_BYTES));
    UdpSocket u = new UdpSocket(s, host, port);
    s.handler(u::received);
    s.exceptionHandler(e -> log.debug("simulator UDP socket: {}", e.toString()));
    try {
      s.listen(0, ipv6 ? "::" : "0.0.0.0")
          .toCompletionStage()
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      s.close();
      throw new IllegalStateException(
          "the simulator cannot open a UDP socket for its meters: " + e.getMessage(), e);
    }
    return u;
  }

  @Override
  public void send(List<byte[]> datagrams) {
    for (byte[] d : datagrams) {
      socket
          .send(Buffer.buffer(d), port, host)
          .onFailure(
              e ->
                  log.debug(
                      "a datagram to the gateway at {}:{} was not sent: {}",
                      host,
                      port,
                      e.toString()));
    }
  }

  @Override
  public void listen(String batchId, Consumer<UdpCodec.Answer> handler) {
    listeners.put(batchId, handler);
  }

  @Override
  public void forget(String batchId) {
    listeners.remove(batchId);
  }

  private void received(DatagramPacket p) {
    byte[] bytes = p.data().getBytes();
    UdpCodec.Answer a;
    try {
      a = UdpCodec.decodeAnswer(bytes, bytes.length);
    } catch (UdpCodec.BadDatagram e) {
      log.debug("not an answer of the gateway from {}: {}", p.sender(), e.getMessage());
      return;
    }
    Consumer<UdpCodec.Answer> h = listeners.get(a.batchId());
    if (h != null) {
      h.accept(a);
    }
  }

  @Override
  public void close() {
    Future<Void> f = socket.close();
    try {
      f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("the simulator's UDP socket did not close in 5 s: {}", e.toString());
    }
  }
}
