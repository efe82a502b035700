package io.biometer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./biometer bench ingress} end to end at a tiny size: a private stack, the gateway in a JVM
 * of its own, 200 MQTT devices, one round of each flat-out figure against its baseline, short
 * latency runs, HTTP batches, and the table. Its figures mean nothing; it checks the table's shape,
 * that every target row carries a verdict cell (here "no verdict": the targets are set for 10,000
 * connections), and that every acknowledged reading was found in Kafka.
 */
class IngressBenchIT {

  @TempDir Path out;

  @Test
  void theBenchRunsAndPrintsItsTable() throws Exception {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc =
        BenchApp.run(
            new String[] {
              "ingress",
              "--out=" + out,
              "--quick",
              "--connections=200",
              "--rounds=1",
              "--seconds=2",
              "--latency-seconds=2",
              "--rate=400",
              "--http-connections=4",
              "--batch=20"
            },
            new PrintStream(stdout, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String table = stdout.toString(StandardCharsets.UTF_8);
    String progress = err.toString(StandardCharsets.UTF_8);
    assertThat(rc).as(progress).isZero();
    assertThat(table)
        .contains(
            "| measure | biometer | baseline (same run, same stack) | ratio (median) | spread of"
                + " the ratio | target | verdict |")
        .containsPattern(
            "\\| ingress: MQTT connections set up per second, [^|]+ \\| [\\d,]+/s \\(200 in")
        .containsPattern(
            "\\| ingress: gateway heap per idle MQTT connection [^|]+ \\| -?[\\d,]+ B \\|[^|]+\\|"
                + " +\\| +\\| <= 20,480 B \\| no verdict \\|")
        .containsPattern(
            "\\| ingress: MQTT readings/s acknowledged at QoS 1, flat out, 200 connections [^|]+"
                + " \\| [\\d,]+ msg/s \\| the same records \\(\\d+ B Avro\\) straight to Kafka[^|]+"
                + " \\| [\\d.]+x \\| [^|]+, 1 pairs \\| >= 30,000 msg/s \\| no verdict \\|")
        .containsPattern(
            "\\| ingress: MQTT publish-to-PUBACK p50 / p99 / p99.9 at 400 msg/s [^|]+ \\|"
                + " [\\d.]+ / [\\d.]+ / [\\d.]+ ms \\| [^|]+send-to-ack[^|]+\\| +\\| +\\|"
                + " p99 <= 50 ms \\| no verdict \\|")
        .containsPattern(
            "\\| ingress: HTTP readings/s accepted, flat out, POST /v1/readings batches of 20, 4"
                + " keep-alive connections [^|]+ \\| [\\d,]+ readings/s \\|")
        .containsPattern("\\| ingress: HTTP batch-to-answer p50 / p99 / p99.9, batches of 20 ")
        .containsPattern(
            "\\| ingress: acknowledged readings missing from Kafka [^|]+ \\| 0 missing: [\\d,]+"
                + " acknowledged [^|]+ \\|[^|]+\\| +\\| +\\| none missing \\| meets \\|")
        .contains("- ingress: embedded KRaft broker")
        .contains("Machine: ")
        .doesNotContain("**Failed:**");
    assertThat(progress).contains("biometer bench ingress: connecting 200 MQTT devices");
    BenchReport back = BenchReport.parse(Files.readString(out.resolve("bench-ingress.json")));
    assertThat(back.markdown()).isEqualTo(Files.readString(out.resolve("bench-ingress.md")));
    assertThat(back.ownRun()).isEqualTo("ingress");
    assertThat(back.unknownTargets()).isEmpty();
  }
}
