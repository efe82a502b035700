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
 * {@code ./biometer bench commands} end to end at a tiny size: a private stack, the gateway in a
 * JVM of its own, 50 MQTT fans subscribed to their commands, a few seconds of commands and of the
 * baseline, and the table. Its figures mean nothing; it checks the table's shape, that the latency
 * row carries its target cell (here "no verdict": the target is set for 10,000 devices), and that
 * every command reached its device once and was answered.
 */
class CommandsBenchIT {

  @TempDir Path out;

  @Test
  void theBenchRunsAndPrintsItsTable() throws Exception {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc =
        BenchApp.run(
            new String[] {
              "commands", "--out=" + out, "--devices=50", "--rate=200", "--seconds=3", "--warm-up=1"
            },
            new PrintStream(stdout, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String table = stdout.toString(StandardCharsets.UTF_8);
    String progress = err.toString(StandardCharsets.UTF_8);
    assertThat(rc).as(progress + table).isZero();
    assertThat(table)
        .containsPattern(
            "\\| commands: command-to-device p50 / p99 / p99.9 / max at 200 commands/s, 50"
                + " connected MQTT devices [^|]+; 600 of 600 measured commands delivered \\|"
                + " [\\d.]+ / [\\d.]+ / [\\d.]+ / [\\d.]+ ms \\| the same records [^|]+"
                + " produce-to-consume [^|]+: [\\d.]+ / [\\d.]+ / [\\d.]+ / [\\d.]+ ms \\(600 of 600"
                + " consumed\\) \\| +\\| +\\| p99 <= baseline p99 \\+ 50 ms = [\\d,]+ ms \\| no"
                + " verdict \\|")
        .containsPattern(
            "\\| commands: command round trip p50 / p99 / p99.9 / max[^|]+; 600 of 600 measured"
                + " commands answered \\| [\\d.]+ / [\\d.]+ / [\\d.]+ / [\\d.]+ ms \\|")
        .containsPattern(
            "\\| commands: commands sent and not delivered [^|]+ \\| 0 lost, 0 twice: 800 sent,"
                + " 800 delivered \\| baseline: 800 of 800 records consumed \\| +\\| +\\| none"
                + " lost, none twice \\| meets \\|")
        .contains("- commands: embedded KRaft broker")
        .doesNotContain("**Failed:**");
    assertThat(progress)
        .contains("biometer bench commands: connecting 50 MQTT devices")
        .contains("biometer bench commands: measuring for 3 s");
    BenchReport back = BenchReport.parse(Files.readString(out.resolve("bench-commands.json")));
    assertThat(back.markdown()).isEqualTo(Files.readString(out.resolve("bench-commands.md")));
    assertThat(back.ownRun()).isEqualTo("commands");
    assertThat(back.unknownTargets()).isEmpty();
  }
}
