package io.biometer.check;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on a loopback port that can be closed like a gate: while closed, every connection
 * through it is cut and new ones are closed at once (the client sees them drop, as on a lost
 * route). The truth check puts the simulator's Kafka connections through one, so that Kafka is
 * unreachable from the simulator (and only from it) for a while, as when a sink loses its uplink.
 */
final class TcpGate implements AutoCloseable {

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean passing = true;
  private volatile boolean closed;

  TcpGate(String host, int port, InetSocketAddress target) throws IOException {
    this.target = target;
    this.server = new ServerSocket(port, 50, InetAddress.getByName(host));
    Thread t = new Thread(this::accept, "biometer-check-gate-" + port);
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Cuts every connection and closes new ones at once until {@link #open()}. */
  synchronized void shut() {
    passing = false;
    for (Socket s : open) {
      closeQuietly(s);
    }
  }

  /** Lets connections through again. */
  synchronized void open() {
    passing = true;
  }

  private void accept() {
    while (!closed) {
      Socket in;
      try {
        in = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      try {
        Socket out = new Socket(target.getAddress(), target.getPort());
        // Registered and checked under the gate's lock: a shut either sees these sockets or
        // happened before, and then they are closed here.
        synchronized (this) {
          if (!passing) {
            closeQuietly(in);
            closeQuietly(out);
            continue;
          }
          open.add(in);
          open.add(out);
        }
        pump(in, out);
        pump(out, in);
      } catch (IOException e) {
        closeQuietly(in);
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[64 * 1024];
              try (InputStream i = from.getInputStream();
                  OutputStream o = to.getOutputStream()) {
                int n;
                while ((n = i.read(buf)) >= 0) {
                  o.write(buf, 0, n);
                }
              } catch (IOException e) {
                // cut: close both ends below
              } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
              }
            },
            "biometer-check-gate-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() {
    closed = true;
    shut();
    try {
      server.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
