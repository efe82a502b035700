package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.biometer.avro.Device;
import io.biometer.devstack.*;
import io.biometer.registry.HttpSchemaRegistryClient;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * docker-compose.yml on real images, our own three built from the sources: Confluent's registry
 * accepts our contract and our client, readings flow from the simulator through the streams app and
 * Connect into QuestDB, Grafana is up and answers a dashboard query on QuestDB through its
 * provisioned datasource, and Prometheus scrapes every job. Needs a Docker engine with the compose
 * plugin and is skipped, visibly, without one; what it checks is checked against the embedded parts
 * on every build (LocalStackIT, LandingIT, PrometheusIT, ComposeFileTest).
 */
@Testcontainers(disabledWithoutDocker = true)
class ComposeStackIT {

  /** The first build downloads Maven's dependencies inside Docker: minutes. */
  private static final Duration START = Duration.ofMinutes(20);

  private static final String GRAFANA_USER = "admin";
  private static final String GRAFANA_PASSWORD = "compose-stack-it";

  @Container
  static final ComposeContainer COMPOSE =
      new ComposeContainer(new File("../docker-compose.yml"))
          .withLocalCompose(true)
          .withBuild(true)
          .withEnv("GRAFANA_ADMIN_PASSWORD", GRAFANA_PASSWORD)
          .withExposedService(
              "schema-registry", 8081, Wait.forHttp("/subjects").withStartupTimeout(START))
          .withExposedService(
              "questdb", 9000, Wait.forHttp("/exec?query=select%201").withStartupTimeout(START))
          .withExposedService(
              "grafana", 3000, Wait.forHttp("/api/health").withStartupTimeout(START))
          .withExposedService(
              "prometheus", 9090, Wait.forHttp("/-/ready").withStartupTimeout(START));

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static String url(String service, int port) {
    return "http://"
        + COMPOSE.getServiceHost(service, port)
        + ":"
        + COMPOSE.getServicePort(service, port);
  }

  @Test
  void confluentsRegistryTakesOurContractThroughOurClient() {
    HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(url("schema-registry", 8081));
    int id = client.register("telemetry.devices-value", Device.getClassSchema());
    assertThat(client.schemaById(id)).isEqualTo(Device.getClassSchema());
    assertThat(client.lookup("telemetry.devices-value", Device.getClassSchema()).id())
        .isEqualTo(id);
  }

  @Test
  void readingsArriveInQuestDb() throws Exception {
    String query = URLEncoder.encode("SELECT count() FROM readings", StandardCharsets.UTF_8);
    long rows =
        await(
            Duration.ofMinutes(5),
            "rows in QuestDB's readings table",
            () -> {
              JsonNode answer = get(url("questdb", 9000) + "/exec?query=" + query);
              return positive(answer.path("dataset").path(0).path(0).asLong(0), answer);
            });
    assertThat(rows).isPositive();
  }

  @Test
  void grafanaAnswersItsHealthCheck() throws Exception {
    JsonNode health = get(url("grafana", 3000) + "/api/health");
    assertThat(health.path("database").asText()).isEqualTo("ok");
  }

  @Test
  void aDashboardQueryThroughGrafanasQuestDbDatasourceReturnsData() throws Exception {
    String body =
        JSON.writeValueAsString(
            Map.of(
                "from",
                "now-24h",
                "to",
                "now",
                "queries",
                new Object[] {
                  Map.of(
                      "refId", "A",
                      "datasource", Map.of("uid", "questdb"),
                      "rawSql", "SELECT count() FROM readings",
                      "rawQuery", true,
                      "editorMode", "code",
                      "format", "table")
                }));
    long count =
        await(
            Duration.ofMinutes(5),
            "a count of readings through Grafana's datasource uid questdb",
            () -> {
              JsonNode answer = post(url("grafana", 3000) + "/api/ds/query", body);
              JsonNode data = answer.path("results").path("A").path("frames").path(0).path("data");
              return positive(data.path("values").path(0).path(0).asLong(0), answer);
            });
    assertThat(count).isPositive();
  }

  @Test
  void prometheusScrapesEveryJob() throws Exception {
    Map<String, String> health = new TreeMap<>();
    await(
        Duration.ofMinutes(3),
        "streams-app, connect and questdb targets up in Prometheus",
        () -> {
          health.clear();
          JsonNode targets =
              get(url("prometheus", 9090) + "/api/v1/targets?state=active")
                  .path("data")
                  .path("activeTargets");
          for (JsonNode t : targets) {
            health.merge(
                t.path("labels").path("job").asText(),
                t.path("health").asText(),
                (a, b) -> a.equals("up") ? b : a);
          }
          boolean up =
              health.keySet().containsAll(List.of("streams-app", "connect", "questdb"))
                  && health.values().stream().allMatch("up"::equals);
          return positive(up ? 1 : 0, health);
        });
    assertThat(health).containsEntry("connect", "up");
  }

  private interface Probe {
    long value() throws IOException, InterruptedException;
  }

  /** {@code value} if positive; else an IOException that says what was seen instead. */
  private static long positive(long value, Object seen) throws IOException {
    if (value > 0) {
      return value;
    }
    throw new IOException("not yet: " + seen);
  }

  /**
   * Polls {@code probe} until it answers without an IOException; fails with {@code what} and the
   * last answer at the deadline.
   */
  private static long await(Duration deadline, String what, Probe probe) throws Exception {
    return Poll.await(deadline, Duration.ofSeconds(1), what, probe::value, v -> true);
  }

  private JsonNode get(String url) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build());
  }

  private JsonNode post(String url, String json) throws IOException, InterruptedException {
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (GRAFANA_USER + ":" + GRAFANA_PASSWORD).getBytes(StandardCharsets.UTF_8));
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Basic " + basic)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(request.uri() + " answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }
}
