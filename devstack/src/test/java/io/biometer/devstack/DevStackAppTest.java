package io.biometer.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run command's answers to a user's mistakes: one line, a non-zero exit, no stack trace. */
class DevStackAppTest {

  @TempDir Path tmp;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return DevStackApp.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void unknownKeyExitsTwoNamingTheKey() {
    assertThat(run("kafka.prot=9092")).isEqualTo(2);
    assertThat(err())
        .contains("unknown key 'kafka.prot'")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
  }

  @Test
  void unknownArgumentExitsTwo() {
    assertThat(run("--verbose")).isEqualTo(2);
    assertThat(err()).contains("unknown argument '--verbose'");
  }

  @Test
  void badValueExitsTwoNamingTheKey() {
    assertThat(run("topics.partitions=zero")).isEqualTo(2);
    assertThat(err()).contains("topics.partitions");
  }

  @Test
  void badCompatibilityLevelExitsTwoBeforeStartingAnything() {
    assertThat(run("registry.compatibility=SIDEWAYS", "data.dir=" + tmp.resolve("d"))).isEqualTo(2);
    assertThat(err())
        .contains(
            "registry.compatibility must be one of NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD,"
                + " FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE, got SIDEWAYS (from argument)")
        .doesNotContain("Exception");
    assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("starting");
  }

  @Test
  void missingConfigFileExitsTwo() {
    assertThat(run("--config", tmp.resolve("nope.properties").toString())).isEqualTo(2);
    assertThat(err()).contains("does not exist");
  }

  @Test
  void helpListsEveryKey() {
    assertThat(run("--help")).isZero();
    String help = out.toString(StandardCharsets.UTF_8);
    DevStackConfig.CONFIG_DEF.names().forEach(k -> assertThat(help).contains(k));
  }

  @Test
  void portInUseExitsOneNamingThePortAndTheKey() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Map<String, String> v = StackFixture.values(tmp, false);
      v.put(DevStackConfig.REGISTRY_PORT_CONFIG, Integer.toString(taken.getLocalPort()));
      List<String> args = new ArrayList<>();
      v.forEach((k, val) -> args.add(k + "=" + val));
      assertThat(run(args.toArray(String[]::new))).isEqualTo(1);
      assertThat(err())
          .contains("port " + taken.getLocalPort())
          .contains("registry.port")
          .contains("in use")
          .doesNotContain("\tat ");
    }
  }
}
