package io.biometer.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** The command line's answers to a user's mistakes: one line, a non-zero exit, no stack trace. */
class SimulatorAppTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return SimulatorApp.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void unknownOptionExitsTwoWithOneLine() {
    assertThat(run("run", "--patinets", "3")).isEqualTo(2);
    assertThat(err.toString()).contains("--patinets").doesNotContain("\tat ");
  }

  @Test
  void negativeCountExitsTwoNamingTheOption() {
    assertThat(run("run", "--patients", "-3")).isEqualTo(2);
    assertThat(err.toString()).contains("--patients must be >= 0, got -3").doesNotContain("\tat ");
  }

  @Test
  void tooManySensorsPerPatientExitsTwo() {
    assertThat(run("run", "--sensors-per-patient", "11")).isEqualTo(2);
    assertThat(err.toString()).contains("--sensors-per-patient must be 1 to 10");
  }

  @Test
  void cadenceAndRateTogetherExitTwo() {
    assertThat(run("run", "--cadence", "PT1S", "--rate", "100")).isEqualTo(2);
    assertThat(err.toString()).contains("not both");
  }

  @Test
  void badSinkThresholdsExitTwo() {
    assertThat(run("run", "--sink-sleep-below", "70", "--sink-wake-at", "60")).isEqualTo(2);
    assertThat(err.toString()).contains("sleep threshold < wake threshold");
  }

  @Test
  void badDurationExitsTwo() {
    assertThat(run("run", "--duration", "ten seconds")).isEqualTo(2);
    assertThat(err.toString()).contains("--duration");
  }

  @Test
  void missingCommandExitsTwo() {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString()).contains("missing command");
  }

  @Test
  void unreachableBrokerExitsOneSayingWhatToDo() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertThat(
            run(
                "run",
                "--bootstrap-servers",
                "127.0.0.1:" + port,
                "--duration",
                "PT1S",
                "--connect-timeout",
                "PT1S"))
        .isEqualTo(1);
    assertThat(err.toString())
        .contains("cannot reach Kafka at 127.0.0.1:" + port)
        .contains("./biometer up")
        .doesNotContain("\tat ");
  }

  @Test
  void helpListsTheLoadTestOptions() {
    assertThat(run("run", "--help")).isZero();
    assertThat(out.toString())
        .contains(
            "--patients",
            "--rate",
            "--redundancy",
            "--episode-rate",
            "--seed",
            "--speed",
            "--duration");
  }
}
