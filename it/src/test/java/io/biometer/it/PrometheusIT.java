package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.biometer.devstack.*;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's {@code prometheus} package) scrapes a local run with the jobs of
 * prometheus/prometheus.yml, their targets replaced by the local run's addresses: the streams app's
 * /metrics and QuestDB's. Compose's Connect job needs the image's JMX exporter and is checked by
 * {@link ComposeStackIT}. Skipped, visibly, where the binary is not on the PATH ({@code .ci/run}
 * installs it).
 */
class PrometheusIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> JOBS = Set.of("streams-app", "questdb");

  @TempDir Path dir;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void prometheusScrapesTheStreamsAppAndQuestDbWithTheComposeJobs() throws Exception {
    Path binary = onPath("prometheus");
    Assumptions.assumeTrue(
        binary != null,
        "PrometheusIT skipped: no prometheus binary on the PATH"
            + " (apt-get install prometheus; .ci/run does)");

    Map<String, String> values = StackFixture.values(dir.resolve("stack"), true);
    values.put(DevStackConfig.STREAMS_ENABLED_CONFIG, "true");
    try (LocalStack stack = LocalStack.start(new DevStackConfig(values))) {
      Map<String, String> targets = new HashMap<>();
      targets.put("streams-app", "127.0.0.1:" + stack.streams().metricsPort());
      targets.put("questdb", "127.0.0.1:" + stack.config().questdbHttpMinPort());
      Path config = dir.resolve("prometheus.yml");
      Files.writeString(config, PrometheusConfigTest.withTargets(targets));
      int port = StackFixture.freePort();
      File log = dir.resolve("prometheus.log").toFile();
      Process prometheus =
          new ProcessBuilder(
                  binary.toString(),
                  "--config.file=" + config,
                  "--storage.tsdb.path=" + dir.resolve("tsdb"),
                  "--web.listen-address=127.0.0.1:" + port)
              .redirectErrorStream(true)
              .redirectOutput(log)
              .start();
      try {
        String api = "http://127.0.0.1:" + port + "/api/v1/";
        Poll.await(
            Duration.ofSeconds(90),
            Duration.ofMillis(250),
            "every job's targets up (Prometheus' log: " + log + ")",
            () -> {
              assertThat(prometheus.isAlive())
                  .as("prometheus running; its log: %s", Files.readString(log.toPath()))
                  .isTrue();
              return targetHealth(api);
            },
            PrometheusIT::allUp);
        for (String job : JOBS) {
          JsonNode samples = query(api, "scrape_samples_scraped{job=\"" + job + "\"}");
          assertThat(samples.size())
              .as("series of scrape_samples_scraped for %s", job)
              .isEqualTo(1);
          assertThat(samples.get(0).path("value").get(1).asDouble())
              .as("samples scraped from %s", job)
              .isPositive();
        }
      } finally {
        prometheus.destroy();
        if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
          prometheus.destroyForcibly();
        }
      }
    }
  }

  private static boolean allUp(Map<String, String> health) {
    return JOBS.stream().allMatch(j -> "up".equals(health.get(j)));
  }

  /** Job -> "up" if all its active targets are up, else the first other health seen. */
  private Map<String, String> targetHealth(String api) {
    Map<String, String> health = new TreeMap<>();
    try {
      JsonNode targets = get(api + "targets?state=active").path("data").path("activeTargets");
      for (JsonNode t : targets) {
        String job = t.path("labels").path("job").asText();
        String h = t.path("health").asText();
        health.merge(job, h, (a, b) -> a.equals("up") ? b : a);
      }
    } catch (IOException e) {
      // not listening yet
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return health;
  }

  private JsonNode query(String api, String promql) throws IOException, InterruptedException {
    JsonNode answer = get(api + "query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    assertThat(answer.path("status").asText())
        .as("query %s: %s", promql, answer)
        .isEqualTo("success");
    return answer.path("data").path("result");
  }

  private JsonNode get(String url) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  private static Path onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String d : path.split(File.pathSeparator)) {
      Path candidate = Path.of(d, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
