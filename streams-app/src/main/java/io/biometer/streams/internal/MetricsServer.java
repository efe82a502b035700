package io.biometer.streams.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * HTTP {@code /metrics} (Prometheus text format) and {@code /health} (200 and {@code RUNNING} while
 * the app runs, 503 and its state otherwise).
 */
public final class MetricsServer implements AutoCloseable {

  private final HttpServer server;

  public MetricsServer(String host, int port, Supplier<String> scrape, Supplier<String> state)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(host, port), 16);
    server.createContext(
        "/metrics",
        ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", scrape.get()));
    server.createContext(
        "/health",
        ex -> {
          String s = state.get();
          respond(ex, "RUNNING".equals(s) ? 200 : 503, "text/plain; charset=utf-8", s + "\n");
        });
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The address the server listens on. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  private static void respond(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
