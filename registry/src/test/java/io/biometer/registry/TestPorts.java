package io.biometer.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Ports for tests. */
public final class TestPorts {

  private TestPorts() {}

  /** A loopback port nothing listens on (it was free a moment ago). */
  public static int closedPort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
