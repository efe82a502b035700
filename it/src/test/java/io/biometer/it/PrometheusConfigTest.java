package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.biometer.devstack.*;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * prometheus/prometheus.yml, which Prometheus reads in docker-compose.yml: it scrapes every JVM
 * that serves metrics (every replica of the scaled services, found by DNS), QuestDB, and the ports
 * those services expose. {@link PrometheusIT} scrapes a local run with the same jobs.
 */
class PrometheusConfigTest {

  static final Path CONFIG = ComposeFileTest.ROOT.resolve("prometheus/prometheus.yml");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** The jobs and the compose service each one scrapes. */
  private static final Map<String, String> JOBS =
      Map.of(
          "streams-app",
          "streams-app",
          "connect",
          "connect",
          "ingress",
          "ingress",
          "questdb",
          "questdb");

  static JsonNode config() {
    try {
      return YAML.readTree(CONFIG.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Job name -> its scrape config. */
  static Map<String, JsonNode> jobs(JsonNode config) {
    Map<String, JsonNode> jobs = new LinkedHashMap<>();
    config.get("scrape_configs").forEach(j -> jobs.put(j.get("job_name").asText(), j));
    return jobs;
  }

  /**
   * The config with only the jobs in {@code targets}, each scraping the one given address instead
   * of the compose services (everything else in the job stays as it is).
   */
  static String withTargets(Map<String, String> targets) {
    ObjectNode config = (ObjectNode) config().deepCopy();
    ArrayNode kept = YAML.createArrayNode();
    for (JsonNode job : config.get("scrape_configs")) {
      String target = targets.get(job.get("job_name").asText());
      if (target == null) {
        continue;
      }
      ObjectNode local = (ObjectNode) job.deepCopy();
      local.remove("dns_sd_configs");
      local.remove("static_configs");
      local.putArray("static_configs").addObject().putArray("targets").add(target);
      kept.add(local);
    }
    config.set("scrape_configs", kept);
    try {
      return YAML.writeValueAsString(config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void scrapesEveryJvmThatServesMetricsAndQuestDb() {
    JsonNode config = config();
    assertThat(config.path("global").path("scrape_interval").asText()).matches("\\d+s");
    assertThat(jobs(config).keySet()).containsAll(JOBS.keySet());
    jobs(config)
        .values()
        .forEach(j -> assertThat(j.path("metrics_path").asText("/metrics")).isEqualTo("/metrics"));
  }

  @Test
  void scaledServicesAreFoundByDnsSoEveryReplicaIsScraped() {
    Map<String, JsonNode> jobs = jobs(config());
    Map<String, JsonNode> services = ComposeFileTest.services();
    for (String scaled : ComposeFileTest.SCALED) {
      String job = jobName(scaled);
      JsonNode sd = jobs.get(job).path("dns_sd_configs");
      assertThat(sd.size()).as("dns_sd_configs of job %s", job).isEqualTo(1);
      assertThat(sd.get(0).path("type").asText()).isEqualTo("A");
      assertThat(sd.get(0).path("names").get(0).asText()).isEqualTo(scaled);
      assertThat(exposed(services.get(scaled)))
          .as("ports %s exposes", scaled)
          .contains(sd.get(0).path("port").asText());
      assertThat(jobs.get(job).has("static_configs")).isFalse();
    }
  }

  @Test
  void everyStaticTargetIsAComposeServiceOnAPortItServes() {
    Map<String, JsonNode> services = ComposeFileTest.services();
    jobs(config())
        .forEach(
            (job, j) ->
                j.path("static_configs")
                    .forEach(
                        sc ->
                            sc.path("targets")
                                .forEach(
                                    t -> {
                                      String host = t.asText().split(":")[0];
                                      assertThat(
                                              host.equals("localhost")
                                                  || services.containsKey(host))
                                          .as("target %s of job %s is a compose service", t, job)
                                          .isTrue();
                                    })));
    JsonNode questdb = jobs(config()).get("questdb");
    assertThat(questdb.path("static_configs").get(0).path("targets").get(0).asText())
        .isEqualTo("questdb:9003");
    assertThat(services.get("questdb").path("environment").path("QDB_METRICS_ENABLED").asText())
        .isEqualTo("true");
  }

  @Test
  void composeMountsThisFileWherePrometheusReadsIt() {
    JsonNode prometheus = ComposeFileTest.services().get("prometheus");
    List<String> mounts = new ArrayList<>();
    prometheus.path("volumes").forEach(v -> mounts.add(v.asText()));
    assertThat(mounts).contains("./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro");
    List<String> args = new ArrayList<>();
    prometheus.path("command").forEach(a -> args.add(a.asText()));
    assertThat(args).contains("--config.file=/etc/prometheus/prometheus.yml");
  }

  @Test
  void aLocalCopyKeepsTheJobsButScrapesTheGivenAddresses() throws Exception {
    JsonNode local =
        YAML.readTree(
            withTargets(Map.of("streams-app", "127.0.0.1:18090", "questdb", "127.0.0.1:19003")));
    Map<String, JsonNode> jobs = jobs(local);
    assertThat(jobs.keySet()).containsExactlyInAnyOrder("streams-app", "questdb");
    assertThat(jobs.get("streams-app").has("dns_sd_configs")).isFalse();
    assertThat(
            jobs.get("streams-app").path("static_configs").get(0).path("targets").get(0).asText())
        .isEqualTo("127.0.0.1:18090");
    assertThat(jobs.get("streams-app").path("metrics_path").asText()).isEqualTo("/metrics");
    assertThat(local.path("global")).isEqualTo(config().path("global"));
  }

  private static String jobName(String service) {
    return JOBS.entrySet().stream()
        .filter(e -> e.getValue().equals(service))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no job scrapes " + service));
  }

  private static List<String> exposed(JsonNode service) {
    List<String> ports = new ArrayList<>();
    service.path("expose").forEach(p -> ports.add(p.asText()));
    return ports;
  }
}
