package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.devstack.DevStackConfig;
import io.biometer.devstack.LocalStack;
import io.biometer.devstack.StackFixture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every listener of the running local stack binds where config says ({@code bind.host}, here
 * 127.0.0.2: a loopback address that is not the default, so a part that ignores the key and binds
 * 127.0.0.1 or every interface shows), judged by the addresses the sockets actually bound, as the
 * operating system reports them, never by config strings: the kernel's table of listening TCP
 * sockets ({@code /proc/net/tcp}, {@code /proc/net/tcp6}, what {@code ss -ltn} prints), matched to
 * the sockets this JVM and its child processes (the Connect worker) hold open.
 *
 * <p>This is the test that would have caught the streams app's {@code /metrics} on {@code 0.0.0.0}
 * while {@code metrics.host} said otherwise. Linux only; it skips visibly elsewhere.
 */
class ListenersIT {

  private static final Path TCP4 = Path.of("/proc/net/tcp");
  private static final Path TCP6 = Path.of("/proc/net/tcp6");

  @TempDir Path data;

  @Test
  void everySocketOfTheLocalRunListensOnTheBindHostOnly() throws Exception {
    Assumptions.assumeTrue(
        Files.isReadable(TCP4), "no /proc/net/tcp: cannot read bound addresses from the OS here");
    String bindHost = "127.0.0.2";
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(bindHost, 0));
    } catch (IOException e) {
      Assumptions.abort("cannot bind " + bindHost + " here: " + e.getMessage());
    }
    Map<String, String> values = StackFixture.pipelineValues(data, 1, 60, 20261202L);
    values.put(DevStackConfig.BIND_HOST_CONFIG, bindHost);
    values.put(DevStackConfig.INGRESS_ENABLED_CONFIG, "true");
    DevStackConfig config = new DevStackConfig(values);
    try (LocalStack stack = LocalStack.start(config)) {
      Map<String, Integer> parts = new LinkedHashMap<>();
      parts.put("kafka", config.kafkaPort());
      parts.put("kafka controller", config.kafkaControllerPort());
      parts.put("schema registry", config.registryPort());
      parts.put("questdb http", config.questdbHttpPort());
      parts.put("questdb min http", config.questdbHttpMinPort());
      parts.put("questdb pg", config.questdbPgPort());
      parts.put("questdb ilp", config.questdbIlpPort());
      parts.put("connect rest", config.connectPort());
      parts.put("connect metrics", config.connectMetricsPort());
      parts.put("streams app metrics", stack.streams().metricsPort());
      parts.put("ingress http", stack.ingress().httpPort());
      parts.put("ingress mqtt", stack.ingress().mqttPort());
      parts.put("ingress grpc", stack.ingress().grpcPort());

      Set<Long> ours = socketInodes();
      List<Listener> listening = new ArrayList<>();
      for (Listener l : listeners()) {
        if (ours.contains(l.inode())) {
          listening.add(l);
        }
      }
      Map<Integer, List<String>> byPort = new TreeMap<>();
      listening.forEach(
          l -> byPort.computeIfAbsent(l.port(), p -> new ArrayList<>()).add(l.address()));

      // Every part listens, as the OS sees it, on bind.host alone.
      for (var part : parts.entrySet()) {
        assertThat(byPort)
            .as(
                "%s (port %d) listens: the OS's listening sockets of this run are %s",
                part.getKey(), part.getValue(), byPort)
            .containsKey(part.getValue());
        assertThat(byPort.get(part.getValue()))
            .as("addresses %s (port %d) bound", part.getKey(), part.getValue())
            .allMatch(a -> isAddress(a, bindHost));
      }
      // And so does every other socket the run holds open for listening (none expected).
      assertThat(listening)
          .as("listening sockets of this JVM and its children not on %s", bindHost)
          .allMatch(l -> isAddress(l.address(), bindHost));
      // The gateway's UDP socket (the kernel's udp table; state 07, unconnected).
      int udp = stack.ingress().udpPort();
      List<String> udpBound =
          bound(List.of(Path.of("/proc/net/udp"), Path.of("/proc/net/udp6")), "07").stream()
              .filter(l -> ours.contains(l.inode()) && l.port() == udp)
              .map(Listener::address)
              .toList();
      assertThat(udpBound).as("ingress udp (port %d) bound", udp).isNotEmpty();
      assertThat(udpBound).allMatch(a -> isAddress(a, bindHost));
      // No other UDP socket of the run is bound to another address (a DNS resolver's on 0.0.0.0).
      assertThat(bound(List.of(Path.of("/proc/net/udp"), Path.of("/proc/net/udp6")), "07"))
          .filteredOn(l -> ours.contains(l.inode()))
          .as("UDP sockets of this JVM and its children not on %s", bindHost)
          .allMatch(l -> isAddress(l.address(), bindHost));
    }
  }

  /** A listening TCP socket as the kernel lists it. */
  record Listener(String address, int port, long inode) {}

  /** Every socket in state LISTEN, from {@code /proc/net/tcp} and {@code tcp6}. */
  static List<Listener> listeners() throws IOException {
    return bound(List.of(TCP4, TCP6), "0A"); // TCP_LISTEN
  }

  /** Every socket of the kernel's {@code tables} in {@code state} (hex, as the tables write it). */
  static List<Listener> bound(List<Path> tables, String state) throws IOException {
    List<Listener> out = new ArrayList<>();
    for (Path table : tables) {
      if (!Files.isReadable(table)) {
        continue;
      }
      List<String> lines = Files.readAllLines(table);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        if (!f[3].equals(state)) {
          continue;
        }
        String[] local = f[1].split(":");
        out.add(
            new Listener(address(local[0]), Integer.parseInt(local[1], 16), Long.parseLong(f[9])));
      }
    }
    return out;
  }

  /** The kernel's hex address (little-endian words) as text: 127.0.0.1, 0.0.0.0, ::1, ::. */
  static String address(String hex) {
    if (hex.length() == 8) {
      long v = Long.parseLong(hex, 16);
      return (v & 0xff) + "." + ((v >> 8) & 0xff) + "." + ((v >> 16) & 0xff) + "." + (v >> 24);
    }
    StringBuilder words = new StringBuilder();
    for (int w = 0; w < 4; w++) {
      String word = hex.substring(w * 8, w * 8 + 8);
      for (int b = 3; b >= 0; b--) {
        words.append(word, b * 2, b * 2 + 2);
      }
    }
    String s = words.toString().toLowerCase(java.util.Locale.ROOT);
    if (s.equals("00000000000000000000000000000001")) {
      return "::1";
    }
    if (s.equals("00000000000000000000000000000000")) {
      return "::";
    }
    if (s.startsWith("00000000000000000000ffff")) {
      return "::ffff:" + address(hex.substring(24));
    }
    return s;
  }

  /** {@code address} as the kernel lists it is {@code ipv4}, plain or IPv4-mapped. */
  static boolean isAddress(String address, String ipv4) {
    return address.equals(ipv4) || address.equals("::ffff:" + ipv4);
  }

  /** The inodes of the sockets this JVM and its descendants hold open. */
  static Set<Long> socketInodes() {
    Set<Long> inodes = new HashSet<>();
    List<ProcessHandle> procs = new ArrayList<>();
    procs.add(ProcessHandle.current());
    ProcessHandle.current().descendants().forEach(procs::add);
    for (ProcessHandle p : procs) {
      try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(p.pid()), "fd"))) {
        fds.forEach(
            fd -> {
              try {
                String target = Files.readSymbolicLink(fd).toString();
                if (target.startsWith("socket:[")) {
                  inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                }
              } catch (IOException | UnsupportedOperationException gone) {
                // closed meanwhile
              }
            });
      } catch (IOException gone) {
        // the process ended meanwhile
      }
    }
    return inodes;
  }
}
