package io.biometer.bench;

import io.biometer.ingress.IngressConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * What {@code ./biometer bench ingress} asked for.
 *
 * @param quick shorter rounds and latency runs
 * @param connections MQTT connections held open (the targets are judged at {@link #CONNECTIONS})
 * @param rounds paired rounds of each flat-out figure and its baseline
 * @param round how long a flat-out round measures, after {@link #ramp()}
 * @param ramp the start of a flat-out round, not counted
 * @param latencyRate readings/s of the paced latency runs (MQTT, HTTP and the baseline)
 * @param latencyRun how long a latency run measures, after {@link #latencyWarmUp()}
 * @param latencyWarmUp the start of a latency run at the same rate, not counted
 * @param inFlight QoS 1 messages each MQTT device keeps unacknowledged when flat out
 * @param batch readings per HTTP POST
 * @param httpConnections keep-alive HTTP connections of the flat-out HTTP rounds
 * @param gateway gateway config over the bench's ({@code key=value}, {@link IngressConfig} keys)
 */
record IngressOptions(
    boolean quick,
    int connections,
    int rounds,
    Duration round,
    Duration ramp,
    int latencyRate,
    Duration latencyRun,
    Duration latencyWarmUp,
    int inFlight,
    int batch,
    int httpConnections,
    Map<String, String> gateway) {

  /** The connections of the targets: with fewer, the targets get no verdict. */
  static final int CONNECTIONS = 10_000;

  /** The rate of the latency target, readings/s. */
  static final int LATENCY_RATE = 10_000;

  /**
   * Parses {@code --quick}, {@code --connections=N}, {@code --rounds=N}, {@code --seconds=N}
   * (flat-out round), {@code --rate=N} (latency runs), {@code --latency-seconds=N}, {@code
   * --in-flight=N}, {@code --batch=N}, {@code --http-connections=N} and {@code key=value} (gateway
   * config, checked now so a wrong key fails before minutes of runs).
   *
   * @throws IllegalArgumentException naming the argument that is wrong
   */
  static IngressOptions parse(String[] args) {
    boolean quick = false;
    int connections = CONNECTIONS;
    int rounds = PairedRounds.MIN_PAIRS;
    Integer seconds = null;
    Integer latencySeconds = null;
    int rate = LATENCY_RATE;
    int inFlight = 1;
    int batch = 100;
    int http = 64;
    Map<String, String> gateway = new LinkedHashMap<>();
    for (String a : args) {
      if (a.equals("--quick")) {
        quick = true;
      } else if (a.startsWith("--connections=")) {
        connections = Args.positive(a);
      } else if (a.startsWith("--rounds=")) {
        rounds = Args.positive(a);
      } else if (a.startsWith("--seconds=")) {
        seconds = Args.positive(a);
      } else if (a.startsWith("--latency-seconds=")) {
        latencySeconds = Args.positive(a);
      } else if (a.startsWith("--rate=")) {
        rate = Args.positive(a);
      } else if (a.startsWith("--in-flight=")) {
        inFlight = Args.positive(a);
      } else if (a.startsWith("--batch=")) {
        batch = Args.positive(a);
      } else if (a.startsWith("--http-connections=")) {
        http = Args.positive(a);
      } else if (Args.isSetting(a)) {
        gateway.put(Args.key(a), Args.value(a));
      } else {
        throw Args.unknown(a);
      }
    }
    if (inFlight > 100) {
      throw new IllegalArgumentException(
          "--in-flight=" + inFlight + ": at most 100 unacknowledged messages per device");
    }
    if (http > connections) {
      throw new IllegalArgumentException(
          "--http-connections="
              + http
              + ": at most as many as --connections ("
              + connections
              + "), since each HTTP connection sends for devices of its own");
    }
    try {
      IngressConfig.load(
          null, Map.of(), IngressBench.gatewayConfig(gateway, "127.0.0.1:9092", "http://x"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("gateway config: " + e.getMessage(), e);
    }
    int round = seconds != null ? seconds : quick ? 4 : 10;
    int latency = latencySeconds != null ? latencySeconds : quick ? 8 : 20;
    return new IngressOptions(
        quick,
        connections,
        rounds,
        Duration.ofSeconds(round),
        Duration.ofSeconds(quick ? 1 : 2),
        rate,
        Duration.ofSeconds(latency),
        Duration.ofSeconds(quick ? 2 : 5),
        inFlight,
        batch,
        http,
        Map.copyOf(gateway));
  }

  /** True if the run holds as many connections as the targets are set for. */
  boolean atTargetConnections() {
    return connections >= CONNECTIONS;
  }

  /** True if the latency runs go at the rate of the latency target, with its connections. */
  boolean atTargetRate() {
    return atTargetConnections() && latencyRate == LATENCY_RATE;
  }
}
