package io.biometer.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link ConnectWorker} whose REST API requires HTTP Basic, and a connector whose QuestDB
 * credentials come through the worker's file config provider: the sink's task checks its table in a
 * {@link EmbeddedQuestDb} that authenticates, so it runs only if the secret reached it. One broker,
 * one QuestDB, one worker for the class.
 */
class ConnectWorkerAuthIT {

  private static final String HOST = "127.0.0.1";
  private static final ConnectWorker.RestAuth REST =
      new ConnectWorker.RestAuth("connect-admin", "rest-Secret-1");
  private static final QuestDbAuth QUESTDB =
      new QuestDbAuth("ingest", "ilp-Secret-2", "pg-Secret-3", "ro-Secret-4");
  private static final String CLIENT_CONF_KEY = "questdb.client.conf";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dir;

  private static EmbeddedKafka kafka;
  private static EmbeddedQuestDb questdb;
  private static ConnectWorker worker;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), HOST, FreePorts.pick(), FreePorts.pick());
    questdb =
        EmbeddedQuestDb.start(
            dir.resolve("questdb"),
            HOST,
            FreePorts.pick(),
            FreePorts.pick(),
            FreePorts.pick(),
            FreePorts.pick(),
            QUESTDB);
    worker =
        ConnectWorker.start(
            dir.resolve("connect"),
            kafka.bootstrapServers(),
            HOST,
            FreePorts.pick(),
            LocalStack.defaultPluginPath(),
            Map.of(),
            null,
            0,
            new ConnectWorkerConfig(Map.of()).javaOpts(),
            REST,
            null);
  }

  @AfterAll
  static void stop() throws Exception {
    if (worker != null) {
      worker.close();
    }
    if (questdb != null) {
      questdb.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void restWithoutCredentialsIsUnauthorized() throws Exception {
    assertThat(get("/connectors", null).statusCode()).isEqualTo(401);
  }

  @Test
  void restWithAWrongPasswordOrUserIsUnauthorized() throws Exception {
    assertThat(get("/connectors", basic(REST.user(), "wrong")).statusCode()).isEqualTo(401);
    assertThat(get("/connectors", basic("nobody", REST.password())).statusCode()).isEqualTo(401);
  }

  @Test
  void theHealthEndpointNeedsTheCredentialsToo() throws Exception {
    // Only Connect's internal task-config and fencing requests skip the filter: probes log in.
    assertThat(get("/health", null).statusCode()).isEqualTo(401);
    assertThat(get("/health", worker.restAuthorization()).statusCode()).isEqualTo(200);
  }

  @Test
  void restWithTheCredentialsAnswers() throws Exception {
    assertThat(worker.restAuthorization()).isEqualTo(basic(REST.user(), REST.password()));
    HttpResponse<String> r = get("/connectors", worker.restAuthorization());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).isArray()).isTrue();
  }

  @Test
  void theLoginFilesAreTheOwnersOnlyAndTheWorkerPropertiesHoldNoPassword() throws Exception {
    Path connect = dir.resolve("connect");
    for (String file : List.of(ConnectWorker.JAAS_FILE, ConnectWorker.REST_CREDENTIALS_FILE)) {
      assertThat(
              PosixFilePermissions.toString(Files.getPosixFilePermissions(connect.resolve(file))))
          .as(file)
          .isEqualTo("rw-------");
    }
    Properties users = new Properties();
    try (var in = Files.newInputStream(connect.resolve(ConnectWorker.REST_CREDENTIALS_FILE))) {
      users.load(in);
    }
    assertThat(users).containsExactly(Map.entry(REST.user(), REST.password()));
    assertThat(Files.readString(connect.resolve("worker.properties")))
        .contains("rest.extension.classes=" + ConnectWorker.BASIC_AUTH_EXTENSION)
        .doesNotContain(REST.password());
  }

  @Test
  void aConnectorsSecretIsStoredAsItsPlaceholderAndResolvedForItsTask() throws Exception {
    Path secrets = dir.resolve("secrets").resolve("questdb-sink.properties");
    Map<String, String> placeholders =
        ConnectWorker.secretsFile(secrets, Map.of(CLIENT_CONF_KEY, questdb.ilpHttpConf()));
    String placeholder = placeholders.get(CLIENT_CONF_KEY);
    assertThat(placeholder)
        .isEqualTo("${file:" + secrets.toAbsolutePath() + ":" + CLIENT_CONF_KEY + "}");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets)))
        .isEqualTo("rw-------");

    worker.putConnector("secret-sink", sink("secret_readings", placeholder));
    // The task checks its table over QuestDB's REST API at start: RUNNING means QuestDB took the
    // credentials, which only the secrets file holds.
    worker.awaitRunning("secret-sink", Duration.ofSeconds(60));

    HttpResponse<String> config = get("/connectors/secret-sink/config", worker.restAuthorization());
    assertThat(config.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(config.body()).path("client.conf.string").asText())
        .isEqualTo(placeholder);
    HttpResponse<String> tasks = get("/connectors/secret-sink/tasks", worker.restAuthorization());
    assertThat(tasks.statusCode()).isEqualTo(200);
    assertThat(List.of(config.body(), tasks.body()))
        .allSatisfy(body -> assertThat(body).doesNotContain(QUESTDB.httpPassword()));
    assertThat(configTopic()).isNotEmpty().noneMatch(v -> v.contains(QUESTDB.httpPassword()));
    assertThat(Files.readString(worker.logFile()))
        .doesNotContain(QUESTDB.httpPassword())
        .doesNotContain(REST.password());

    worker.deleteConnector("secret-sink", Duration.ofSeconds(30));
    assertThat(worker.status("secret-sink")).isNull();
  }

  @Test
  void aWrongSecretFailsTheTaskWithQuestDbsRefusal() throws Exception {
    Path secrets = dir.resolve("secrets").resolve("wrong.properties");
    String wrong = questdb.ilpHttpConf().replace(QUESTDB.httpPassword(), "not-the-password");
    String placeholder =
        ConnectWorker.secretsFile(secrets, Map.of(CLIENT_CONF_KEY, wrong)).get(CLIENT_CONF_KEY);
    worker.putConnector("wrong-sink", sink("wrong_readings", placeholder));
    assertThatThrownBy(() -> worker.awaitRunning("wrong-sink", Duration.ofSeconds(60)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("task 0 of connector wrong-sink failed")
        .hasMessageContaining("cannot check table 'wrong_readings'")
        .hasMessageContaining("HTTP 401");
    worker.deleteConnector("wrong-sink", Duration.ofSeconds(30));
  }

  @Test
  void aPlaceholderOfAMissingKeyIsRefusedAtSubmission() throws Exception {
    Path secrets = dir.resolve("secrets").resolve("other.properties");
    ConnectWorker.secretsFile(secrets, Map.of("other.key", "x"));
    String missing = "${file:" + secrets.toAbsolutePath() + ":" + CLIENT_CONF_KEY + "}";
    assertThatThrownBy(() -> worker.putConnector("missing-sink", sink("missing_readings", missing)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Connect refused connector missing-sink (HTTP 400)")
        .hasMessageContaining("not a QuestDB client configuration");
  }

  // --- helpers -------------------------------------------------------------------------------

  private static Map<String, String> sink(String topic, String clientConf) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("connector.class", "io.biometer.connect.questdb.QuestDbSinkConnector");
    c.put("tasks.max", "1");
    c.put("topics", topic);
    c.put("dedup.keys", "device_id");
    c.put("client.conf.string", clientConf);
    return c;
  }

  /** Every value in the worker's config topic, from its start. */
  private static List<String> configTopic() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      var partitions =
          c.partitionsFor(ConnectWorker.GROUP + "-configs").stream()
              .map(i -> new org.apache.kafka.common.TopicPartition(i.topic(), i.partition()))
              .toList();
      c.assign(partitions);
      Map<org.apache.kafka.common.TopicPartition, Long> end = c.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp))
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
          if (r.value() != null) {
            values.add(r.value());
          }
        }
      }
    }
    return values;
  }

  private static HttpResponse<String> get(String path, String authorization) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(worker.url() + path))
            .timeout(Duration.ofSeconds(10))
            .GET();
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
