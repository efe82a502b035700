package io.biometer.bench;

import io.biometer.Topics;
import io.biometer.ingress.IngressConfig;
import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;

/**
 * {@code ./biometer bench ingress}: the device gateway under load, on a private broker and
 * registry, the gateway in a JVM of its own ({@link IngressGatewayMain}) so that its heap and CPU
 * are its own, the devices in this JVM as event-loop clients. In order:
 *
 * <ol>
 *   <li>registers the devices (10,000 by default, and 100 for the warm-up) and starts the gateway;
 *   <li>warms the gateway up with the 100, then measures its heap after full collections, connects
 *       every device over MQTT (the set-up rate) and measures the heap again: the heap per idle
 *       connection;
 *   <li>MQTT flat out, QoS 1, in paired rounds against the baseline ({@link DirectProducer}: the
 *       same records straight to Kafka);
 *   <li>MQTT paced at 10,000 messages/s: publish-to-PUBACK latency, beside the baseline's
 *       send-to-ack latency at the same rate;
 *   <li>the devices disconnect; HTTP batches ({@code POST /v1/readings}) flat out in paired rounds
 *       against the baseline, and paced at the same readings/s;
 *   <li>every acknowledged reading must be in Kafka, and the gateway must have refused none.
 * </ol>
 *
 * Not part of {@code ./biometer bench}: it needs 10,000 sockets a side and a JVM of its own.
 */
public final class IngressBench {

  /** Warm-up devices, connected and sending before the heap is first measured. */
  static final int WARM_UP_DEVICES = 100;

  /** Open files a JVM needs beside the connections (the broker's, jars, sockets to Kafka). */
  static final int OTHER_FILES = 2_000;

  private IngressBench() {}

  /** {@code ./biometer bench ingress}: a stack of its own, the table, the files in {@code out}. */
  static int run(String[] args, Path outDir, PrintStream out, PrintStream err) {
    return BenchRun.cli(
        "ingress",
        args,
        outDir,
        out,
        err,
        IngressOptions::parse,
        (o, report) -> {
          String problem = limitsProblem(o.connections(), maxOpenFiles(), ephemeralPorts());
          if (problem != null) {
            err.println("biometer bench ingress: " + problem);
            report.failure("ingress: " + problem);
            return;
          }
          measure(o, new IngressRows(report), err);
        });
  }

  /**
   * The gateway's config: its free ports, no gRPC or UDP, a per-device rate limit so high that it
   * refuses nothing (its check still runs for every reading, at the same cost), then {@code
   * overrides}, then the stack's broker and registry.
   */
  static Map<String, String> gatewayConfig(
      Map<String, String> overrides, String bootstrap, String registry) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put(IngressConfig.HTTP_PORT_CONFIG, "0");
    c.put(IngressConfig.MQTT_PORT_CONFIG, "0");
    c.put(IngressConfig.GRPC_PORT_CONFIG, "-1");
    c.put(IngressConfig.UDP_PORT_CONFIG, "-1");
    c.put(IngressConfig.DEVICE_RATE_CONFIG, "1000000");
    c.put(IngressConfig.DEVICE_BURST_CONFIG, "1000000");
    c.putAll(overrides);
    c.put(IngressConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(IngressConfig.SCHEMA_REGISTRY_URL_CONFIG, registry);
    return c;
  }

  /**
   * Why this process cannot hold {@code connections}, or null if it can: each side (this JVM, the
   * gateway's) needs a file per connection, and the connections need an ephemeral port each.
   *
   * @param maxFiles this process's open-file limit (-1 if unknown)
   * @param ports ephemeral ports of the machine (-1 if unknown)
   */
  static String limitsProblem(int connections, long maxFiles, long ports) {
    return limitsProblem(connections, maxFiles, ports, "--connections");
  }

  /**
   * As {@link #limitsProblem(int, long, long)}, for a bench whose option for fewer connections is
   * {@code option} ({@code --devices}).
   */
  static String limitsProblem(int connections, long maxFiles, long ports, String option) {
    long files = (long) connections + OTHER_FILES;
    if (maxFiles >= 0 && maxFiles < files) {
      return String.format(
          Locale.ROOT,
          "%,d connections need about %,d open files in this JVM and as many in the gateway's,"
              + " but the limit is %,d: raise it in the shell that runs the bench (ulimit -n 65536;"
              + " above the hard limit, as root or in /etc/security/limits.conf), or ask for"
              + " fewer: %s=%d",
          connections,
          files,
          maxFiles,
          option,
          Math.max(1, maxFiles - OTHER_FILES));
    }
    long needPorts = (long) connections + 1_000;
    if (ports >= 0 && ports < needPorts) {
      return String.format(
          Locale.ROOT,
          "%,d connections to one address need about %,d ephemeral ports, but the machine has"
              + " %,d: widen net.ipv4.ip_local_port_range, or ask for fewer: %s=%d",
          connections,
          needPorts,
          ports,
          option,
          Math.max(1, ports - 1_000));
    }
    return null;
  }

  /** This JVM's open-file limit (the JVM raises its soft limit to the hard one), or -1. */
  static long maxOpenFiles() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.UnixOperatingSystemMXBean u
        ? u.getMaxFileDescriptorCount()
        : -1;
  }

  /** The machine's ephemeral ports (Linux), or -1. */
  static long ephemeralPorts() {
    try {
      String[] r =
          Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
      return Long.parseLong(r[1]) - Long.parseLong(r[0]) + 1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static void measure(IngressOptions o, IngressRows rows, PrintStream err)
      throws Exception {
    try (BenchStack bench = new BenchStack("ingress")) {
      say(
          err,
          "registering %,d devices (+%d for the warm-up), PBKDF2 %,d iterations ...",
          o.connections(),
          WARM_UP_DEVICES,
          IngressDevices.ITERATIONS);
      List<IngressDevices.Device> devices =
          IngressDevices.register(bench.stack, "bench-", o.connections());
      List<IngressDevices.Device> warmUp =
          IngressDevices.register(bench.stack, "bench-warm-", WARM_UP_DEVICES);
      Map<String, String> config =
          gatewayConfig(o.gateway(), bench.stack.bootstrapServers(), bench.stack.registryUrl());
      say(err, "starting the gateway JVM ...");
      try (IngressGatewayProcess gateway =
              new IngressGatewayProcess(config, bench.dir.resolve("gateway.log"));
          DirectProducer direct = new DirectProducer(bench, devices)) {
        rows.gateway(gateway.javaOpts, o.gateway());
        Vertx vertx = Vertx.vertx();
        try {
          List<Context> loops = eventLoops(vertx);
          new Run(o, bench, gateway, direct, vertx, loops, devices, warmUp, rows, err).all();
        } finally {
          vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
      }
    }
  }

  /**
   * A context on each of the event loops of {@code vertx} (2 per core by default): a context made
   * from a thread outside Vert.x sticks to one event loop for that thread, which would put every
   * device on one.
   */
  static List<Context> eventLoops(Vertx vertx) throws Exception {
    int n = new VertxOptions().getEventLoopPoolSize();
    List<Context> loops = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int i = 0; i < n; i++) {
      vertx
          .deployVerticle(
              (Deployable)
                  context -> {
                    loops.add(context);
                    return Future.succeededFuture();
                  })
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    }
    return List.copyOf(loops);
  }

  /** One run's steps on one stack, gateway and Vert.x instance. */
  private record Run(
      IngressOptions o,
      BenchStack bench,
      IngressGatewayProcess gateway,
      DirectProducer direct,
      Vertx vertx,
      List<Context> loops,
      List<IngressDevices.Device> devices,
      List<IngressDevices.Device> warmUp,
      IngressRows rows,
      PrintStream err) {

    void all() throws Exception {
      long kafkaBefore = bodyReadings();
      long mqttAcked;
      long mqttUnexpected;
      try (MqttFleet warm = new MqttFleet(vertx, loops, gateway.mqttPort)) {
        say(err, "warming the gateway up: %d devices flat out ...", WARM_UP_DEVICES);
        connected(warm.connect(warmUp, Duration.ofMinutes(2)), warmUp.size(), warm);
        warm.startFlatOut(1);
        park(o.ramp().plus(o.round()));
        missing(warm.stop(Duration.ofSeconds(60)), "MQTT warm-up");
        mqttAcked = warm.acked();
        mqttUnexpected = warm.unexpectedCloses();
      }
      say(err, "gateway heap after full collections, before the connections ...");
      long[] before = gateway.heap();
      MqttFleet fleet = new MqttFleet(vertx, loops, gateway.mqttPort);
      try {
        say(
            err,
            "connecting %,d MQTT devices, %d at a time ...",
            devices.size(),
            MqttFleet.CONNECTING_AT_ONCE);
        MqttFleet.Connected c = fleet.connect(devices, Duration.ofMinutes(10));
        say(
            err,
            "%,d connected in %.1f s (%,.0f/s), %d failed",
            c.connections(),
            c.seconds(),
            c.rate(),
            c.failed());
        rows.connections(c);
        connected(c, devices.size(), fleet);
        long[] after = gateway.heap();
        rows.heap(before, after, c.connections(), o.atTargetConnections());
        say(
            err,
            "heap per idle connection: %,.0f B",
            (after[0] - before[0]) / (double) c.connections());
        mqttThroughput(fleet);
        mqttLatency(fleet);
        mqttAcked += fleet.acked();
        mqttUnexpected += fleet.unexpectedCloses();
        if (!fleet.errors().isEmpty()) {
          say(err, "MQTT client errors (first %d): %s", fleet.errors().size(), fleet.errors());
        }
      } finally {
        say(err, "disconnecting the MQTT devices ...");
        fleet.close();
      }
      String metrics = gateway.scrape();
      rows.refusals(
          "mqtt",
          IngressGatewayProcess.samples(
              metrics, "biometer_ingress_refused_total", "mqtt", "reason"));
      if (mqttUnexpected > 0) {
        rows.failure(
            String.format(
                Locale.ROOT,
                "the gateway closed %,d MQTT connections during the run (a refused message closes an"
                    + " MQTT 3.1.1 connection); its log: %s",
                mqttUnexpected,
                gateway.log()));
      }
      long httpAccepted;
      try (HttpBatches http =
          new HttpBatches(
              vertx, loops, gateway.httpPort, devices, o.httpConnections(), o.batch())) {
        httpThroughput(http);
        httpLatency(http);
        httpAccepted = http.accepted();
        if (http.failed() > 0) {
          rows.failure(
              String.format(
                  Locale.ROOT,
                  "%,d HTTP batches were not accepted whole; first: %s",
                  http.failed(),
                  http.errors()));
        }
      }
      metrics = gateway.scrape();
      rows.refusals(
          "http",
          IngressGatewayProcess.samples(
              metrics, "biometer_ingress_refused_total", "http", "reason"));
      double gatewayMqtt =
          sum(
              IngressGatewayProcess.samples(
                  metrics, "biometer_ingress_accepted_total", "mqtt", null));
      double gatewayHttp =
          sum(
              IngressGatewayProcess.samples(
                  metrics, "biometer_ingress_accepted_total", "http", null));
      long inKafka = bodyReadings() - kafkaBefore;
      rows.loss(mqttAcked, httpAccepted, inKafka, gatewayMqtt, gatewayHttp);
    }

    private void connected(MqttFleet.Connected c, int wanted, MqttFleet fleet) {
      if (c.failed() > 0 || c.connections() < wanted) {
        throw new IllegalStateException(
            String.format(
                Locale.ROOT,
                "%,d of %,d MQTT devices could not connect; first: %s (the gateway's log: %s)",
                wanted - c.connections(),
                wanted,
                c.firstError(),
                gateway.log()));
      }
    }

    private void missing(long unacknowledged, String what) {
      if (unacknowledged > 0) {
        throw new IllegalStateException(
            String.format(
                Locale.ROOT,
                "%s: %,d messages still unacknowledged 60 s after sending stopped (the gateway's log:"
                    + " %s)",
                what,
                unacknowledged,
                gateway.log()));
      }
    }

    /** One baseline round of the paired rounds: {@code records} straight to Kafka, flat out. */
    private PairedRounds.Side baselineRound(long records) {
      return r -> {
        say(
            err,
            "round %d of %d: baseline, %,d records straight to Kafka ...",
            r + 1,
            o.rounds(),
            records);
        double rate = direct.flatOut(records);
        empty();
        return rate;
      };
    }

    private void mqttThroughput(MqttFleet fleet) throws Exception {
      say(err, "MQTT warm-up flat out, %d s (not counted) ...", o.round().toSeconds());
      double warmRate = mqttRound(fleet, new Cpu(), new Histogram(3));
      long records = Math.max(20_000, Math.round(warmRate * o.round().toSeconds()));
      say(err, "%,.0f msg/s; baseline warm-up, %,d records (not counted) ...", warmRate, records);
      direct.flatOut(records);
      empty();
      Cpu cpu = new Cpu();
      Histogram latency = new Histogram(3);
      PairedRounds rounds =
          PairedRounds.interleave(
              o.rounds(),
              r -> {
                say(
                    err,
                    "round %d of %d: MQTT flat out for %d s ...",
                    r + 1,
                    o.rounds(),
                    o.round().toSeconds());
                double rate = mqttRound(fleet, cpu, latency);
                empty();
                return rate;
              },
              baselineRound(records),
              (r, f, b) ->
                  say(
                      err,
                      "round %d: %,.0f msg/s against %,.0f records/s, %.2fx",
                      r + 1,
                      f,
                      b,
                      f / b));
      rows.mqttThroughput(rounds, records, direct.recordBytes(), latency, cpu, o);
    }

    /** One flat-out round: msg/s acknowledged over the round, after the ramp. */
    private double mqttRound(MqttFleet fleet, Cpu cpu, Histogram latency) {
      fleet.startFlatOut(o.inFlight());
      park(o.ramp());
      fleet.measureFromNow();
      Cpu.Mark m = cpu.mark(gateway);
      long a0 = fleet.acked();
      long t0 = System.nanoTime();
      park(o.round());
      long a1 = fleet.acked();
      long t1 = System.nanoTime();
      cpu.add(m, gateway);
      fleet.measureUntilNow();
      missing(fleet.stop(Duration.ofSeconds(60)), "MQTT flat out");
      latency.add(fleet.latencies());
      return (a1 - a0) / ((t1 - t0) / 1e9);
    }

    private void mqttLatency(MqttFleet fleet) throws Exception {
      say(
          err,
          "MQTT paced at %,d msg/s: %d s warm-up, %d s measured ...",
          o.latencyRate(),
          o.latencyWarmUp().toSeconds(),
          o.latencyRun().toSeconds());
      double offered = fleet.startPaced(o.latencyRate());
      park(o.latencyWarmUp());
      fleet.measureFromNow();
      long a0 = fleet.acked();
      long t0 = System.nanoTime();
      park(o.latencyRun());
      long a1 = fleet.acked();
      long t1 = System.nanoTime();
      fleet.measureUntilNow();
      long unacked = fleet.stop(Duration.ofSeconds(60));
      Histogram h = fleet.latencies();
      say(err, "baseline paced at %,d records/s ...", o.latencyRate());
      Histogram floor = direct.paced(o.latencyRate(), o.latencyWarmUp(), o.latencyRun());
      empty();
      rows.mqttLatency(h, offered, (a1 - a0) / ((t1 - t0) / 1e9), unacked, floor, o);
      missing(unacked, "MQTT paced");
    }

    private void httpThroughput(HttpBatches http) throws Exception {
      say(
          err,
          "HTTP warm-up flat out, %d s, batches of %d, %d connections (not counted) ...",
          o.round().toSeconds(),
          o.batch(),
          o.httpConnections());
      double warmRate = httpRound(http);
      long records = Math.max(20_000, Math.round(warmRate * o.round().toSeconds()));
      empty();
      PairedRounds rounds =
          PairedRounds.interleave(
              o.rounds(),
              r -> {
                say(
                    err,
                    "round %d of %d: HTTP flat out for %d s ...",
                    r + 1,
                    o.rounds(),
                    o.round().toSeconds());
                double rate = httpRound(http);
                empty();
                return rate;
              },
              baselineRound(records),
              (r, f, b) ->
                  say(
                      err,
                      "round %d: %,.0f readings/s against %,.0f records/s, %.2fx",
                      r + 1,
                      f,
                      b,
                      f / b));
      rows.httpThroughput(rounds, records, o);
    }

    private double httpRound(HttpBatches http) {
      http.startFlatOut();
      park(o.ramp());
      long a0 = http.accepted();
      long t0 = System.nanoTime();
      park(o.round());
      long a1 = http.accepted();
      long t1 = System.nanoTime();
      missing(http.stop(Duration.ofSeconds(60)), "HTTP flat out");
      return (a1 - a0) / ((t1 - t0) / 1e9);
    }

    private void httpLatency(HttpBatches http) {
      say(
          err,
          "HTTP paced at %,d readings/s (%,d batches/s): %d s warm-up, %d s measured ...",
          o.latencyRate(),
          Math.max(1, o.latencyRate() / o.batch()),
          o.latencyWarmUp().toSeconds(),
          o.latencyRun().toSeconds());
      double offered = http.startPaced(o.latencyRate());
      park(o.latencyWarmUp());
      http.measureFromNow();
      long a0 = http.accepted();
      long t0 = System.nanoTime();
      park(o.latencyRun());
      long a1 = http.accepted();
      long t1 = System.nanoTime();
      http.measureUntilNow();
      long unanswered = http.stop(Duration.ofSeconds(60));
      rows.httpLatency(http.latencies(), offered, (a1 - a0) / ((t1 - t0) / 1e9), unanswered, o);
      missing(unanswered, "HTTP paced");
    }

    /** Frees the disk: the readings written so far (their offsets go on). */
    private void empty() throws Exception {
      bench.emptyTopics(List.of(Topics.BODY_READINGS, DirectProducer.TOPIC));
    }

    /** Records ever written to telemetry.body.readings (the sum of its end offsets). */
    private long bodyReadings() throws Exception {
      try (Admin admin = bench.admin()) {
        return BenchStack.endOffsets(admin, List.of(Topics.BODY_READINGS)).values().stream()
            .mapToLong(Long::longValue)
            .sum();
      }
    }
  }

  /**
   * CPU used by the gateway (in all and by thread) and by this JVM over the measured part of the
   * flat-out rounds.
   */
  static final class Cpu {
    private long gatewayNanos;
    private long benchNanos;
    private long wallNanos;
    private final Map<String, Long> threadNanos = new java.util.HashMap<>();

    /** Where a round's measurement started. */
    record Mark(long gateway, long bench, long wall, Map<String, Long> threads) {}

    Mark mark(IngressGatewayProcess gateway) {
      return new Mark(
          gateway.cpuNanos(), benchCpuNanos(), System.nanoTime(), gateway.threadCpuNanos());
    }

    void add(Mark m, IngressGatewayProcess gateway) {
      long wall = System.nanoTime();
      gatewayNanos += gateway.cpuNanos() - m.gateway();
      benchNanos += benchCpuNanos() - m.bench();
      wallNanos += wall - m.wall();
      gateway
          .threadCpuNanos()
          .forEach(
              (name, ns) ->
                  threadNanos.merge(
                      group(name), ns - m.threads().getOrDefault(name, 0L), Long::sum));
    }

    /** Threads of a pool count together, but each event loop on its own. */
    private static String group(String thread) {
      return thread.contains("eventloop") ? thread : thread.replaceAll("\\d+$", "*");
    }

    /**
     * The gateway's busiest threads and the cores each used on average: {@code
     * vert.x-eventloop-thread-0 0.92, kafka-producer-network-thread | biometer-ingress 0.31}.
     */
    String busiestThreads(int n) {
      if (wallNanos == 0) {
        return "-";
      }
      return threadNanos.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .limit(n)
          .map(
              e ->
                  String.format(
                      Locale.ROOT, "%s %.2f", e.getKey(), e.getValue() / (double) wallNanos))
          .collect(java.util.stream.Collectors.joining(", "));
    }

    /** Cores the gateway used on average. */
    double gatewayCores() {
      return wallNanos == 0 ? Double.NaN : gatewayNanos / (double) wallNanos;
    }

    /** Cores this JVM (broker, registry, clients) used on average. */
    double benchCores() {
      return wallNanos == 0 ? Double.NaN : benchNanos / (double) wallNanos;
    }

    private static long benchCpuNanos() {
      return ((com.sun.management.OperatingSystemMXBean)
              ManagementFactory.getOperatingSystemMXBean())
          .getProcessCpuTime();
    }
  }

  private static double sum(Map<String, Double> samples) {
    return samples.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  private static void say(PrintStream err, String format, Object... args) {
    err.println("biometer bench ingress: " + String.format(Locale.ROOT, format, args));
  }

  private static void park(Duration d) {
    long end = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < end) {
      LockSupport.parkNanos(end - System.nanoTime());
    }
  }
}
