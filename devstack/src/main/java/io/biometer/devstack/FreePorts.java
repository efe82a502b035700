package io.biometer.devstack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free ports for stacks on random ports (tests, benchmarks). They are taken below Linux's ephemeral
 * range (32768 and up): a port from that range, free when picked, may be the local port of one of
 * the stack's own client connections by the time a part binds it, which fails the start with
 * "address in use" (seen with QuestDB's listeners). No port is handed out twice per JVM.
 */
public final class FreePorts {

  private static final int LOW = 20_000;
  private static final int HIGH = 32_000;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private FreePorts() {}

  /** A port nobody listens on now, on loopback, not handed out before in this JVM. */
  public static int pick() {
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
      if (HANDED_OUT.contains(port)) {
        continue;
      }
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        if (HANDED_OUT.add(port)) {
          return port;
        }
      } catch (IOException inUse) {
        // try another
      }
    }
    throw new IllegalStateException("no free port between " + LOW + " and " + HIGH);
  }
}
