package io.biometer.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The ingress bench's rows and notes. A target gets a verdict only when the run holds the issue's
 * conditions: {@link IngressOptions#CONNECTIONS} connections (and for the latency target {@link
 * IngressOptions#LATENCY_RATE} messages/s), and for a flat-out figure enough paired rounds; else
 * the row says "no verdict". Latency histograms are in microseconds.
 */
final class IngressRows {

  private static final String SECTION = "ingress";

  private final BenchReport.Builder report;
  private Histogram floor;
  private double floorRate = Double.NaN;

  IngressRows(BenchReport.Builder report) {
    this.report = report;
  }

  /** The note on how the gateway ran. */
  void gateway(String javaOpts, Map<String, String> overrides) {
    report.note(
        String.format(
            Locale.ROOT,
            "ingress: embedded KRaft broker and registry in the bench JVM with the devices"
                + " (Vert.x event-loop clients, MQTT 3.1.1, one connection each, no thread per"
                + " connection); the gateway in a JVM of its own (%s; Vert.x defaults, one"
                + " idempotent acks=all producer, which after each reading writes the device's"
                + " replay window: two records per reading), gRPC and UDP off, device.rate set"
                + " so high that the rate limiter refuses nothing (its check still runs)%s;"
                + " devices are ECG sensors whose hashed-password credentials use %,d PBKDF2"
                + " iterations (the minimum; the production default is 600,000), one reading per"
                + " MQTT message.",
            javaOpts,
            overrides.isEmpty() ? "" : "; gateway config " + overrides,
            IngressDevices.ITERATIONS));
  }

  /** The MQTT connection set-up rate. */
  void connections(MqttFleet.Connected c) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("connections", c.connections());
    v.put("failed", c.failed());
    v.put("seconds", c.seconds());
    v.put("perSecond", c.rate());
    report.row(
        SECTION,
        String.format(
            Locale.ROOT,
            "MQTT connections set up per second, CONNECT to CONNACK, %d at a time, each login a"
                + " PBKDF2 of %,d iterations",
            MqttFleet.CONNECTING_AT_ONCE,
            IngressDevices.ITERATIONS),
        String.format(
            Locale.ROOT, "%s/s (%,d in %.1f s)", Fmt.num(c.rate()), c.connections(), c.seconds()),
        "-",
        "",
        "",
        "",
        Verdict.NONE,
        v);
  }

  /**
   * The heap per idle connection, from the gateway's heap after full collections before and after
   * the connections ({used, resident set} in bytes each).
   */
  void heap(long[] before, long[] after, int connections, boolean atTarget) {
    double perConnection = (after[0] - before[0]) / (double) connections;
    double rssPer = before[1] < 0 ? Double.NaN : (after[1] - before[1]) / (double) connections;
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("connections", connections);
    v.put("heapBefore", before[0]);
    v.put("heapAfter", after[0]);
    v.put("rssBefore", before[1]);
    v.put("rssAfter", after[1]);
    v.put("bytesPerConnection", Math.round(perConnection));
    report.row(
        String.format(
            Locale.ROOT,
            "gateway heap per idle MQTT connection (heap used after full collections, before and"
                + " after %,d connections)",
            connections),
        String.format(Locale.ROOT, "%,.0f B", perConnection),
        String.format(
            Locale.ROOT,
            "gateway heap %.1f MiB before, %.1f MiB after; resident set %s B per connection"
                + " (heap, direct buffers, stacks)",
            before[0] / 1048576.0,
            after[0] / 1048576.0,
            Fmt.num(rssPer)),
        "",
        "",
        Target.INGRESS_HEAP.judge(atTarget ? perConnection : Double.NaN),
        v);
  }

  /** MQTT flat out against the baseline. */
  void mqttThroughput(
      PairedRounds rounds,
      long records,
      int recordBytes,
      Histogram latency,
      IngressBench.Cpu cpu,
      IngressOptions o) {
    PairedRounds.Summary s = rounds.summary();
    Map<String, Object> v = Fmt.rounds(rounds);
    v.put("recordBytes", recordBytes);
    v.put("baselineRecords", records);
    v.put("publishToPubackUs", latencyValues(latency));
    v.put("gatewayCores", cpu.gatewayCores());
    v.put("benchJvmCores", cpu.benchCores());
    report.row(
        String.format(
            Locale.ROOT,
            "MQTT readings/s acknowledged at QoS 1, flat out, %,d connections (%d unacknowledged"
                + " message each, one reading a message)",
            o.connections(),
            o.inFlight()),
        Fmt.num(s.figure()) + " msg/s",
        String.format(
            Locale.ROOT,
            "the same records (%d B Avro) straight to Kafka, one idempotent acks=all producer"
                + " with the gateway's settings: %s records/s",
            recordBytes,
            Fmt.num(s.baseline())),
        Fmt.ratio(s.median()),
        s.spread(),
        Target.INGRESS_MQTT_THROUGHPUT.judge(
            o.atTargetConnections() && s.enough() ? s.figure() : Double.NaN),
        v);
    report.note(
        String.format(
            Locale.ROOT,
            "ingress: MQTT flat out: every device sends its next message on each PUBACK; %d paired"
                + " rounds of %d s (after a %d s ramp, not counted), the first of each pair"
                + " alternating, after a warm-up of each; the baseline sends %,d records a round"
                + " (the gateway's warm-up rate times the round) from one thread; readings"
                + " written so far are deleted after each run. While measured, the gateway used"
                + " %.2f cores (its busiest threads: %s) and the bench JVM (broker, registry,"
                + " devices) %.2f; publish-to-PUBACK flat out: %s.",
            s.pairs(),
            o.round().toSeconds(),
            o.ramp().toSeconds(),
            records,
            cpu.gatewayCores(),
            cpu.busiestThreads(4),
            cpu.benchCores(),
            ms(latency)));
  }

  /** MQTT paced: publish-to-PUBACK beside the baseline's send-to-ack at the same rate. */
  void mqttLatency(
      Histogram latency,
      double offered,
      double acknowledged,
      long unacknowledged,
      Histogram baseline,
      IngressOptions o) {
    floor = baseline;
    floorRate = o.latencyRate();
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("publishToPubackUs", latencyValues(latency));
    v.put("offeredPerSecond", offered);
    v.put("acknowledgedPerSecond", acknowledged);
    v.put("unacknowledged", unacknowledged);
    v.put("baselineSendToAckUs", latencyValues(baseline));
    report.row(
        String.format(
            Locale.ROOT,
            "MQTT publish-to-PUBACK p50 / p99 / p99.9 at %s msg/s (%,d connections, each on a"
                + " timer of its own; %s msg/s acknowledged)",
            Fmt.num(offered),
            o.connections(),
            Fmt.num(acknowledged)),
        ms(latency),
        baselineLatency(baseline, o.latencyRate()),
        "",
        "",
        Target.INGRESS_MQTT_LATENCY.judge(
            o.atTargetRate() ? p99Ms(latency) : Double.NaN, unacknowledged == 0),
        v);
    report.note(
        String.format(
            Locale.ROOT,
            "ingress: latency runs: %d s measured after %d s at the same rate (not counted);"
                + " MQTT from the publish call to the PUBACK, HTTP from when the batch was due to"
                + " its answer, the baseline from when the record was due to Kafka's"
                + " acknowledgement (a late send counts its delay), all measured in the bench JVM,"
                + " which shares the 2 cores with the gateway.",
            o.latencyRun().toSeconds(),
            o.latencyWarmUp().toSeconds()));
  }

  /** HTTP batches flat out against the baseline. */
  void httpThroughput(PairedRounds rounds, long records, IngressOptions o) {
    PairedRounds.Summary s = rounds.summary();
    Map<String, Object> v = Fmt.rounds(rounds);
    v.put("baselineRecords", records);
    report.row(
        SECTION,
        String.format(
            Locale.ROOT,
            "HTTP readings/s accepted, flat out, POST /v1/readings batches of %d, %d keep-alive"
                + " connections (each sends its next batch on the answer)",
            o.batch(),
            o.httpConnections()),
        Fmt.num(s.figure()) + " readings/s",
        String.format(
            Locale.ROOT,
            "the same records straight to Kafka, as above: %s records/s",
            Fmt.num(s.baseline())),
        Fmt.ratio(s.median()),
        s.spread(),
        "",
        Verdict.NONE,
        v);
  }

  /** HTTP paced: batch latency beside the baseline's. */
  void httpLatency(
      Histogram latency, double offered, double accepted, long unanswered, IngressOptions o) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("dueToAnswerUs", latencyValues(latency));
    v.put("offeredPerSecond", offered);
    v.put("acceptedPerSecond", accepted);
    v.put("unanswered", unanswered);
    report.row(
        SECTION,
        String.format(
            Locale.ROOT,
            "HTTP batch-to-answer p50 / p99 / p99.9, batches of %d at %s readings/s (%s"
                + " readings/s accepted)",
            o.batch(),
            Fmt.num(offered),
            Fmt.num(accepted)),
        ms(latency),
        floor == null ? "-" : baselineLatency(floor, floorRate),
        "",
        "",
        "",
        Verdict.NONE,
        v);
  }

  /** Refusals are failures: the bench's devices send nothing a gateway should refuse. */
  void refusals(String protocol, Map<String, Double> byReason) {
    double n = byReason.values().stream().mapToDouble(Double::doubleValue).sum();
    if (n > 0) {
      report.failure(
          String.format(
              Locale.ROOT,
              "ingress: the gateway refused %,.0f %s readings or logins: %s",
              n,
              protocol,
              byReason));
    }
  }

  /** Every acknowledged reading must be in Kafka. */
  void loss(long mqtt, long http, long inKafka, double gatewayMqtt, double gatewayHttp) {
    long acknowledged = mqtt + http;
    long missing = Math.max(0, acknowledged - inKafka);
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("mqttAcknowledged", mqtt);
    v.put("httpAccepted", http);
    v.put("inKafka", inKafka);
    v.put("gatewayAcceptedMqtt", gatewayMqtt);
    v.put("gatewayAcceptedHttp", gatewayHttp);
    v.put("missing", missing);
    report.row(
        "acknowledged readings missing from Kafka (every PUBACK and every 200 of the run, against"
            + " what telemetry.body.readings grew by)",
        String.format(
            Locale.ROOT,
            "%,d missing: %,d acknowledged (MQTT %,d, HTTP %,d); Kafka has %,d",
            missing,
            acknowledged,
            mqtt,
            http,
            inKafka),
        String.format(
            Locale.ROOT,
            "the gateway's own count (biometer_ingress_accepted_total): MQTT %,.0f, HTTP %,.0f",
            gatewayMqtt,
            gatewayHttp),
        "",
        "",
        Target.INGRESS_LOSS.judge(missing),
        v);
  }

  /** A failure with no row of its own. */
  void failure(String failure) {
    report.failure("ingress: " + failure);
  }

  private static String baselineLatency(Histogram h, double rate) {
    return String.format(
        Locale.ROOT,
        "the same records straight to Kafka at %s records/s, send-to-ack p50 / p99 / p99.9: %s",
        Fmt.num(rate),
        ms(h));
  }

  /** {@code p50 / p99 / p99.9} of a histogram of microseconds, in ms, or {@code -}. */
  static String ms(Histogram h) {
    return h.getTotalCount() == 0
        ? "-"
        : String.format(
            Locale.ROOT,
            "%.1f / %.1f / %.1f ms",
            h.getValueAtPercentile(50) / 1000.0,
            h.getValueAtPercentile(99) / 1000.0,
            h.getValueAtPercentile(99.9) / 1000.0);
  }

  /** The p99 of a histogram of microseconds in ms, or NaN if it is empty. */
  static double p99Ms(Histogram h) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99) / 1000.0;
  }

  /** p50, p99, p99.9 and max of a histogram, for the JSON report; the count alone if empty. */
  static Map<String, Object> latencyValues(Histogram h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", h.getTotalCount());
    if (h.getTotalCount() > 0) {
      for (double p : List.of(50.0, 99.0, 99.9)) {
        m.put("p" + (p == 99.9 ? "999" : String.valueOf((int) p)), h.getValueAtPercentile(p));
      }
      m.put("max", h.getMaxValue());
    }
    return m;
  }
}
