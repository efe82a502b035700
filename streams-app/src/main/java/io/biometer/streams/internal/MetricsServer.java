package io.biometer.streams.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.biometer.config.http.EndpointSecurity;
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
  private final EndpointSecurity security;

  public MetricsServer(String host, int port, Supplier<String> scrape, Supplier<String> state)
      throws IOException {
    this(host, port, scrape, state, EndpointSecurity.NONE);
  }

  /** As the other, with TLS and Basic auth as {@code security} says. */
  public MetricsServer(
      String host,
      int port,
      Supplier<String> scrape,
      Supplier<String> state,
      EndpointSecurity security)
      throws IOException {
    this.security = security;
    server = security.server(new InetSocketAddress(host, port), 16);
    security.protect(
        server.createContext(
            "/metrics",
            ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", scrape.get())),
        "biometer-streams");
    security.protect(
        server.createContext(
            "/health",
            ex -> {
              String s = state.get();
              respond(ex, "RUNNING".equals(s) ? 200 : 503, "text/plain; charset=utf-8", s + "\n");
            }),
        "biometer-streams");
    server.start();
  }

  /** {@code https} or {@code http}. */
  public String scheme() {
    return security.scheme();
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
