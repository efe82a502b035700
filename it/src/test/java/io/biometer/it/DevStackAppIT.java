package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.devstack.*;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-command local run as a user runs it: a separate JVM, up and answering, then Ctrl-C
 * (SIGINT) stops it cleanly, leaving no process behind; a second start resumes.
 */
class DevStackAppIT {

  @TempDir Path data;

  @Test
  void startsAnswersAndStopsCleanlyOnCtrlC() throws Exception {
    Map<String, String> values = StackFixture.values(data, true);
    values.put(DevStackConfig.SIMULATOR_ENABLED_CONFIG, "true");
    values.put(DevStackConfig.SIMULATOR_PATIENTS_CONFIG, "1");
    values.put(DevStackConfig.STREAMS_ENABLED_CONFIG, "true");
    for (int round = 1; round <= 2; round++) {
      List<String> lines = new CopyOnWriteArrayList<>();
      Process p = launch(values, lines);
      try {
        String up = await(lines, "local stack up in", Duration.ofSeconds(90), p);
        System.out.println("round " + round + ": " + up);
        assertThat(
                httpStatus(
                    "http://127.0.0.1:"
                        + values.get(DevStackConfig.REGISTRY_PORT_CONFIG)
                        + "/subjects"))
            .isEqualTo(200);
        assertThat(
                httpStatus(
                    "http://127.0.0.1:"
                        + values.get(DevStackConfig.QUESTDB_HTTP_PORT_CONFIG)
                        + "/exec?query=select%201"))
            .isEqualTo(200);
        String registry = "http://127.0.0.1:" + values.get(DevStackConfig.REGISTRY_PORT_CONFIG);
        Poll.until(
            Duration.ofSeconds(30),
            "the simulator registers its schemas",
            () -> body(registry + "/subjects").contains("telemetry.body.readings-value"));
        assertThat(lines).anyMatch(l -> l.contains("simulator") && l.contains("1 patients"));
        String health =
            "http://127.0.0.1:"
                + values.get(DevStackConfig.STREAMS_METRICS_PORT_CONFIG)
                + "/health";
        Poll.until(
            Duration.ofSeconds(60),
            "the streams app is RUNNING",
            () -> body(health).startsWith("RUNNING"));
        Poll.until(
            Duration.ofSeconds(60),
            "clean readings come out of the streams app",
            () -> body(registry + "/subjects").contains("telemetry.readings.clean-value"));
        if (round == 2) {
          assertThat(lines)
              .anyMatch(
                  l ->
                      l.contains(
                          "0 created, "
                              + io.biometer.Topics.ALL.size()
                              + " found from an earlier start"));
        }
        List<ProcessHandle> children = p.descendants().toList();

        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start().waitFor();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s of Ctrl-C").isTrue();
        assertThat(lines).anyMatch(l -> l.contains("stopped cleanly"));
        assertThat(lines).noneMatch(l -> l.contains("Exception"));
        children.forEach(c -> assertThat(c.isAlive()).as("child " + c.pid()).isFalse());
      } finally {
        p.destroyForcibly();
      }
    }
  }

  private static Process launch(Map<String, String> values, List<String> lines) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(DevStackApp.class.getName());
    values.forEach((k, v) -> cmd.add(k + "=" + v));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  lines.add(line);
                }
              } catch (IOException ignored) {
                // the process ended
              }
            },
            "devstack-output");
    reader.setDaemon(true);
    reader.start();
    return p;
  }

  private static String await(List<String> lines, String text, Duration timeout, Process p) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      for (String l : lines) {
        if (l.contains(text)) {
          return l;
        }
      }
      if (!p.isAlive()) {
        throw new AssertionError(
            "the local stack exited with " + p.exitValue() + ":\n" + String.join("\n", lines));
      }
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
    throw new AssertionError(
        "no '" + text + "' within " + timeout + ":\n" + String.join("\n", lines));
  }

  private static String body(String url) {
    try {
      HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
      try (var in = c.getInputStream()) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      return "";
    }
  }

  private static int httpStatus(String url) throws IOException {
    HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
    c.setConnectTimeout(5000);
    c.setReadTimeout(10000);
    return c.getResponseCode();
  }
}
