package io.biometer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The ingress bench's rows: verdicts only at the conditions (10,000 connections, 10,000
 * msg/s, five pairs), a missing acknowledged reading fails the run, refusals fail it; its options
 * and its check of the machine's limits.
 */
class IngressRowsTest {

  private static final Machine MACHINE =
      new Machine("CPU", 2, 8, "JDK", "", 1024, "Linux", 0, 0, 0, 0);

  private static IngressOptions options(String... args) {
    return IngressOptions.parse(args);
  }

  private static Histogram latencyMs(long p50, long p99) {
    Histogram h = new Histogram(3);
    for (int i = 0; i < 98; i++) {
      h.recordValue(p50 * 1000);
    }
    h.recordValue(p99 * 1000);
    h.recordValue(p99 * 1000);
    return h;
  }

  private static PairedRounds rounds(int pairs, double figure, double baseline) {
    PairedRounds r = new PairedRounds();
    for (int i = 0; i < pairs; i++) {
      r.add(figure, baseline);
    }
    return r;
  }

  private static BenchReport.Row row(BenchReport.Builder b, String measureStart) {
    return b.build("c", "t", 1, MACHINE).rows().stream()
        .filter(r -> r.measure().startsWith(measureStart))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void atTenThousandConnectionsTheFiguresAreJudged() {
    BenchReport.Builder b = new BenchReport.Builder();
    IngressRows rows = new IngressRows(b);
    IngressOptions o = options();
    rows.heap(new long[] {100_000_000, -1}, new long[] {250_000_000, -1}, 10_000, true);
    rows.mqttThroughput(
        rounds(5, 31_000, 60_000), 300_000, 120, latencyMs(5, 20), new IngressBench.Cpu(), o);
    rows.mqttLatency(latencyMs(4, 60), 10_000, 10_000, 0, latencyMs(2, 8), o);

    BenchReport.Row heap = row(b, "gateway heap per idle MQTT connection");
    assertThat(heap.figure()).isEqualTo("15,000 B");
    assertThat(heap.target()).isEqualTo("<= 20,480 B");
    assertThat(heap.verdict()).isEqualTo(Verdict.MEETS);
    BenchReport.Row mqtt = row(b, "MQTT readings/s acknowledged");
    assertThat(mqtt.figure()).isEqualTo("31,000 msg/s");
    assertThat(mqtt.ratio()).isEqualTo("0.517x");
    assertThat(mqtt.verdict()).isEqualTo(Verdict.MEETS);
    BenchReport.Row latency = row(b, "MQTT publish-to-PUBACK");
    assertThat(latency.figure()).isEqualTo("4.0 / 60.0 / 60.0 ms");
    assertThat(latency.baseline()).contains("send-to-ack p50 / p99 / p99.9: 2.0 / 8.0 / 8.0 ms");
    assertThat(latency.verdict()).isEqualTo(Verdict.MISSES);
    assertThat(b.build("c", "t", 1, MACHINE).missed()).hasSize(1);
  }

  @Test
  void fewerConnectionsOrPairsOrAnotherRateGiveNoVerdict() {
    BenchReport.Builder b = new BenchReport.Builder();
    IngressRows rows = new IngressRows(b);
    IngressOptions small = options("--connections=200", "--rate=400");
    rows.heap(new long[] {100, 1}, new long[] {200, 2}, 200, small.atTargetConnections());
    rows.mqttThroughput(
        rounds(5, 31_000, 60_000), 300_000, 120, latencyMs(5, 20), new IngressBench.Cpu(), small);
    rows.mqttLatency(latencyMs(4, 6), 400, 400, 0, latencyMs(2, 8), small);
    for (BenchReport.Row r : b.build("c", "t", 1, MACHINE).rows()) {
      assertThat(r.verdict()).as(r.measure()).isEqualTo(Verdict.NO_VERDICT);
    }

    BenchReport.Builder fourPairs = new BenchReport.Builder();
    new IngressRows(fourPairs)
        .mqttThroughput(
            rounds(4, 31_000, 60_000), 1, 1, latencyMs(1, 1), new IngressBench.Cpu(), options());
    assertThat(row(fourPairs, "MQTT readings/s").verdict()).isEqualTo(Verdict.NO_VERDICT);
  }

  @Test
  void aMessageNeverAcknowledgedMissesTheLatencyTarget() {
    BenchReport.Builder b = new BenchReport.Builder();
    new IngressRows(b).mqttLatency(latencyMs(4, 6), 10_000, 9_990, 3, latencyMs(2, 8), options());
    assertThat(row(b, "MQTT publish-to-PUBACK").verdict()).isEqualTo(Verdict.MISSES);
  }

  @Test
  void anAcknowledgedReadingMissingFromKafkaFailsTheRun() {
    BenchReport.Builder ok = new BenchReport.Builder();
    new IngressRows(ok).loss(1_000, 500, 1_500, 1_000, 500);
    BenchReport r = ok.build("c", "t", 1, MACHINE);
    assertThat(r.succeeded()).isTrue();
    assertThat(r.rows().get(0).figure())
        .isEqualTo("0 missing: 1,500 acknowledged (MQTT 1,000, HTTP 500); Kafka has 1,500");
    assertThat(r.rows().get(0).verdict()).isEqualTo(Verdict.MEETS);

    BenchReport.Builder lost = new BenchReport.Builder();
    new IngressRows(lost).loss(1_000, 500, 1_499, 1_000, 500);
    assertThat(lost.build("c", "t", 1, MACHINE).succeeded()).isFalse();
  }

  @Test
  void aRefusalFailsTheRun() {
    BenchReport.Builder b = new BenchReport.Builder();
    new IngressRows(b).refusals("mqtt", Map.of());
    assertThat(b.build("c", "t", 1, MACHINE).succeeded()).isTrue();
    new IngressRows(b).refusals("mqtt", Map.of("replay", 2.0));
    assertThat(b.build("c", "t", 1, MACHINE).failures())
        .containsExactly("ingress: the gateway refused 2 mqtt readings or logins: {replay=2.0}");
  }

  @Test
  void theGatewaysCountsAreReadFromItsPrometheusText() {
    String text =
        """
        # HELP biometer_ingress_accepted_total Readings Kafka acknowledged
        biometer_ingress_accepted_total{protocol="mqtt"} 1234.0
        biometer_ingress_accepted_total{protocol="http"} 50.0
        biometer_ingress_refused_total{protocol="mqtt",reason="replay"} 2.0
        biometer_ingress_refused_total{protocol="mqtt",reason="malformed"} 1.0
        """;
    assertThat(IngressGatewayProcess.samples(text, "biometer_ingress_accepted_total", "mqtt", null))
        .containsExactly(Map.entry("", 1234.0));
    assertThat(
            IngressGatewayProcess.samples(text, "biometer_ingress_refused_total", "mqtt", "reason"))
        .containsExactly(Map.entry("replay", 2.0), Map.entry("malformed", 1.0));
    assertThat(IngressGatewayProcess.samples(text, "biometer_ingress_refused_total", "http", null))
        .isEmpty();
  }

  @Test
  void tooFewOpenFilesOrPortsAreSaidPlainly() {
    assertThat(IngressBench.limitsProblem(10_000, 65_536, 28_232)).isNull();
    assertThat(IngressBench.limitsProblem(10_000, -1, -1)).isNull();
    assertThat(IngressBench.limitsProblem(10_000, 4_096, 28_232))
        .contains("10,000 connections need about 12,000 open files")
        .contains("the limit is 4,096")
        .contains("ulimit -n 65536")
        .contains("--connections=2096");
    assertThat(IngressBench.limitsProblem(10_000, 65_536, 5_000))
        .contains("need about 11,000 ephemeral ports")
        .contains("net.ipv4.ip_local_port_range");
  }

  @Test
  void theOptionsAreCheckedBeforeAnythingStarts() {
    IngressOptions d = options();
    assertThat(d.connections()).isEqualTo(10_000);
    assertThat(d.rounds()).isEqualTo(5);
    assertThat(d.latencyRate()).isEqualTo(10_000);
    assertThat(d.atTargetRate()).isTrue();
    IngressOptions q = options("--quick", "--connections=1_000", "kafka.linger.ms=5");
    assertThat(q.round().toSeconds()).isEqualTo(4);
    assertThat(q.gateway()).containsEntry("kafka.linger.ms", "5");
    assertThat(q.atTargetConnections()).isFalse();
    assertThatThrownBy(() -> options("--conections=5"))
        .hasMessageContaining("unknown argument '--conections=5'");
    assertThatThrownBy(() -> options("mqtt.prot=5"))
        .hasMessageContaining("gateway config")
        .hasMessageContaining("mqtt.prot");
    assertThatThrownBy(() -> options("--connections=10", "--http-connections=64"))
        .hasMessageContaining("--http-connections=64");
    assertThat(
            IngressBench.gatewayConfig(
                Map.of("mqtt.port", "1", "bootstrap.servers", "x"), "b:1", "http://r"))
        .containsEntry("mqtt.port", "1")
        .containsEntry("bootstrap.servers", "b:1")
        .containsEntry("grpc.port", "-1");
    assertThat(List.of(BenchApp.HELP.split("\n"))).anyMatch(l -> l.startsWith("  ingress "));
  }
}
