package io.biometer.bench;

import com.sun.management.OperatingSystemMXBean;
import io.biometer.ingress.Gateway;
import io.biometer.ingress.IngressConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The ingress bench's gateway, in a JVM of its own so that its heap and CPU are its own: {@link
 * Gateway#start} with the {@code key=value} arguments, then a line protocol on standard input,
 * answered on standard output with lines starting {@link #PREFIX}:
 *
 * <ul>
 *   <li>at start: {@code ready <http port> <mqtt port>};
 *   <li>{@code heap}: {@code heap <used bytes> <rss bytes>}, the heap used after three full
 *       collections (what the gateway holds, not its garbage) and the process's resident set;
 *   <li>{@code cpu}: {@code cpu <nanoseconds>}, the CPU time of the process so far;
 *   <li>{@code threads}: {@code threads <name>\t<nanoseconds>\t...}, the CPU time of each live
 *       thread so far, which shows where the gateway's CPU goes (its event loops, the producer);
 *   <li>{@code stop}, or the end of standard input (the bench is gone): the gateway closes and the
 *       JVM exits.
 * </ul>
 *
 * Everything else it prints (its log) is not the protocol. A gateway that cannot start prints
 * {@code failed <message>} and exits 1.
 */
public final class IngressGatewayMain {

  /** What the protocol's lines start with. */
  public static final String PREFIX = "biometer-bench-gateway: ";

  private IngressGatewayMain() {}

  /**
   * Starts the gateway with {@code key=value} arguments and serves the protocol until {@code stop}.
   */
  public static void main(String[] args) throws IOException {
    Map<String, String> values = new HashMap<>();
    for (String a : args) {
      values.put(Args.key(a), Args.value(a));
    }
    Gateway gateway;
    try {
      gateway = Gateway.start(IngressConfig.load(null, Map.of(), values));
    } catch (Exception e) {
      say("failed " + e.getMessage());
      System.exit(1);
      return;
    }
    say("ready " + gateway.httpPort() + " " + gateway.mqttPort());
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      switch (line.trim()) {
        case "heap" -> say("heap " + usedAfterGc() + " " + rss());
        case "cpu" -> say("cpu " + cpuNanos());
        case "threads" -> say("threads " + threadCpu());
        case "stop" -> {
          gateway.close();
          say("stopped");
          System.exit(0);
        }
        default -> say("unknown " + line);
      }
    }
    gateway.close();
    System.exit(0);
  }

  private static void say(String line) {
    System.out.println(PREFIX + line);
    System.out.flush();
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long cpuNanos() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static String threadCpu() {
    java.lang.management.ThreadMXBean t = ManagementFactory.getThreadMXBean();
    StringBuilder b = new StringBuilder();
    for (java.lang.management.ThreadInfo i : t.getThreadInfo(t.getAllThreadIds())) {
      if (i == null) {
        continue;
      }
      long ns = t.getThreadCpuTime(i.getThreadId());
      if (ns > 0) {
        b.append(b.isEmpty() ? "" : "\t").append(i.getThreadName().replace('\t', ' '));
        b.append('\t').append(ns);
      }
    }
    return b.toString();
  }

  /** The resident set size from /proc/self/status, or -1 where there is none. */
  private static long rss() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }
}
