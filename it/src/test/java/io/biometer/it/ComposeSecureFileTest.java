package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.secure.yml, the secure override of docker-compose.yml, read as YAML and merged
 * onto the base file as compose merges maps (no Docker engine here; {@link ComposeSecureStackIT}
 * runs it where one exists): Kafka secured as the local run's secure mode, every Kafka client on
 * SASL_SSL reading only its own principal's folder, no secret in the YAML, the one-shots and the
 * order they impose.
 */
class ComposeSecureFileTest {

  static final Path SECURE_FILE = ComposeFileTest.ROOT.resolve("docker-compose.secure.yml");
  private static final String MOUNT = "/run/biometer/security";
  private static final String FROM_VOLUME = "set from the security volume at start";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** The secure file's one-shots, beside the base file's. */
  static final Set<String> ONE_SHOTS = Set.of("security-init", "security-apply", "schema-deploy");

  /** Per service, the one folder of the security volume it may name (its principal's). */
  private static final Map<String, String> FOLDER =
      Map.ofEntries(
          Map.entry("kafka", "kafka"),
          Map.entry("topics", "admin"),
          Map.entry("schema-registry", "schema-registry"),
          Map.entry("connect", "connect"),
          Map.entry("questdb", "questdb"),
          Map.entry("streams-app", "streams"),
          Map.entry("ingress", "ingress"),
          Map.entry("simulator", "simulator"),
          Map.entry("prometheus", "prometheus"),
          Map.entry("grafana", "grafana"));

  static JsonNode secure() throws Exception {
    return YAML.readTree(SECURE_FILE.toFile());
  }

  /** The base file's services with the secure file's merged in (maps merged, the rest replaced). */
  static Map<String, JsonNode> merged() throws Exception {
    Map<String, JsonNode> services = new LinkedHashMap<>(ComposeFileTest.services());
    secure()
        .get("services")
        .fields()
        .forEachRemaining(
            e -> services.merge(e.getKey(), e.getValue(), (a, b) -> merge(a.deepCopy(), b)));
    return services;
  }

  private static JsonNode merge(JsonNode base, JsonNode over) {
    if (!(base instanceof ObjectNode b) || !over.isObject()) {
      return over;
    }
    over.fields()
        .forEachRemaining(
            e ->
                b.set(
                    e.getKey(),
                    b.has(e.getKey()) ? merge(b.get(e.getKey()), e.getValue()) : e.getValue()));
    return b;
  }

  private static String env(JsonNode service, String key) {
    // As compose reads it: $$ is a literal $.
    String value = service.path("environment").path(key).asText(null);
    return value == null ? null : value.replace("$$", "$");
  }

  @Test
  void theOverrideParsesAndAddsOnlyKnownKeys() throws Exception {
    JsonNode secure = secure();
    assertThat(ComposeFileTest.names(secure)).isSubsetOf("services", "volumes", "x-security-mount");
    assertThat(ComposeFileTest.names(secure.get("volumes"))).containsExactly("security");
    Set<String> base = ComposeFileTest.services().keySet();
    secure
        .get("services")
        .fields()
        .forEachRemaining(
            e -> {
              if (!base.contains(e.getKey())) {
                assertThat(e.getValue().has("build") || e.getValue().has("image"))
                    .as("new service %s has a build or an image", e.getKey())
                    .isTrue();
              }
            });
    assertThat(secure.get("services").size()).isEqualTo(14);
  }

  @Test
  void kafkaIsSecuredAsTheLocalRunsSecureMode() throws Exception {
    JsonNode kafka = merged().get("kafka");
    assertThat(env(kafka, "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"))
        .isEqualTo("INTERNAL:SASL_SSL,EXTERNAL:SASL_SSL,CONTROLLER:SASL_SSL");
    assertThat(env(kafka, "KAFKA_SASL_ENABLED_MECHANISMS")).isEqualTo("SCRAM-SHA-512");
    assertThat(env(kafka, "KAFKA_SASL_MECHANISM_CONTROLLER_PROTOCOL")).isEqualTo("SCRAM-SHA-512");
    assertThat(env(kafka, "KAFKA_AUTHORIZER_CLASS_NAME"))
        .isEqualTo("org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    assertThat(env(kafka, "KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND")).isEqualTo("false");
    assertThat(env(kafka, "KAFKA_SUPER_USERS")).isEqualTo("User:admin");
    assertThat(kafka.get("entrypoint").toString()).contains("/opt/biometer/secure-start.sh");
    String start = Files.readString(ComposeFileTest.ROOT.resolve("docker/kafka/secure-start.sh"));
    assertThat(start)
        .contains("--add-scram \"SCRAM-SHA-512=[name=admin,password=$admin]\"")
        .contains("listener.name.$listener.scram-sha-512.sasl.jaas.config")
        .contains("for listener in internal external controller");
    assertThat(kafka.get("healthcheck").get("test").toString())
        .contains("--command-config " + MOUNT + "/kafka/admin.properties");
  }

  @Test
  void everyKafkaClientUsesSaslSslAndOnlyItsOwnPrincipalsFolder() throws Exception {
    Map<String, JsonNode> services = merged();
    for (String app : List.of("streams-app", "ingress", "simulator")) {
      assertThat(services.get(app).get("command").toString())
          .as("%s reads its principal's settings", app)
          .contains("--config")
          .contains(MOUNT + "/" + FOLDER.get(app) + "/" + FOLDER.get(app) + ".properties");
    }
    JsonNode registry = services.get("schema-registry");
    assertThat(env(registry, "SCHEMA_REGISTRY_KAFKASTORE_SECURITY_PROTOCOL")).isEqualTo("SASL_SSL");
    assertThat(env(registry, "SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS"))
        .startsWith("SASL_SSL://");
    JsonNode connect = services.get("connect");
    for (String prefix : List.of("", "PRODUCER_", "CONSUMER_", "ADMIN_")) {
      assertThat(env(connect, "CONNECT_" + prefix + "SECURITY_PROTOCOL")).isEqualTo("SASL_SSL");
      assertThat(env(connect, "CONNECT_" + prefix + "SASL_JAAS_CONFIG"))
          .isEqualTo("${file:" + MOUNT + "/connect/connect.properties:sasl.jaas.config}");
    }
    assertThat(env(services.get("topics"), "ADMIN_PROPERTIES"))
        .isEqualTo(MOUNT + "/admin/admin.properties");
    // Least privilege: a service names no other service's folder.
    Pattern folder = Pattern.compile(Pattern.quote(MOUNT) + "/([a-z-]+)/");
    FOLDER.forEach(
        (service, own) -> {
          Set<String> named = new TreeSet<>();
          String config = services.get(service).toString();
          if (service.equals("prometheus")) {
            config += read(ComposeFileTest.ROOT.resolve("prometheus/prometheus.secure.yml"));
          }
          Matcher m = folder.matcher(config);
          while (m.find()) {
            named.add(m.group(1));
          }
          assertThat(named).as("folders %s names", service).containsOnly(own);
        });
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void noSecretIsWrittenInTheYaml() throws Exception {
    // Outside comments, no "password: x" or "password=x" but the placeholder of a value that the
    // container's entrypoint sets from the volume.
    String text =
        Files.readString(SECURE_FILE)
            .replaceAll("(?m)^\\s*#.*$", "")
            .replace("\"" + FROM_VOLUME + "\"", "");
    assertThat(text.toLowerCase()).doesNotContainPattern("password *[=:] *[\"']?[a-z0-9]");
    List<String> literal = new ArrayList<>();
    merged()
        .forEach(
            (name, s) ->
                s.path("environment")
                    .fields()
                    .forEachRemaining(
                        e -> {
                          String key = e.getKey();
                          String value = e.getValue().asText().replace("$$", "$");
                          boolean secretKey =
                              key.matches(".*(PASSWORD|JAAS_CONFIG|USER_INFO|SECRET).*")
                                  && !key.endsWith("_FILE");
                          boolean fromFile =
                              value.startsWith("${file:" + MOUNT + "/")
                                  || value.equals(FROM_VOLUME)
                                  // Grafana's own admin login: not part of issue 16's principals.
                                  || key.equals("GF_SECURITY_ADMIN_PASSWORD");
                          if (secretKey && !fromFile) {
                            literal.add(name + ": " + key + "=" + value);
                          }
                        }));
    assertThat(literal).as("secrets given as values").isEmpty();
  }

  @Test
  void theAclsAreTheDevstackFileAppliedByAdmin() throws Exception {
    Map<String, JsonNode> services = merged();
    assertThat(
            ComposeFileTest.ROOT.resolve(
                "devstack/src/main/resources/io/biometer/devstack/security/acls.txt"))
        .isRegularFile();
    assertThat(services.get("security-apply").get("command").toString())
        .contains("\"apply\"", "\"--bootstrap\"", "\"kafka:19092\"", "\"--dir\"", MOUNT);
    assertThat(Files.readString(ComposeFileTest.ROOT.resolve("docker/security.Dockerfile")))
        .contains("-pl devstack -am package")
        .contains("io.biometer.devstack.security.SecurityApp");
    // No second source of ACLs.
    assertThat(Files.readString(SECURE_FILE)).doesNotContain("kafka-acls");
  }

  @Test
  void theOneShotsRunOnceAndEverythingWaitsForThem() throws Exception {
    Map<String, JsonNode> services = merged();
    Set<String> oneShots = new TreeSet<>(ComposeFileTest.ONE_SHOTS);
    oneShots.addAll(ONE_SHOTS);
    for (String oneShot : ONE_SHOTS) {
      JsonNode s = services.get(oneShot);
      assertThat(s.path("restart").asText()).as("restart of %s", oneShot).isEqualTo("no");
      assertThat(s.has("ports") || s.has("healthcheck")).as(oneShot).isFalse();
    }
    assertThat(services.get("security-init").get("command").toString())
        .contains("\"init\"", "\"--per-service\"", "ingress=ingress", "kafka=kafka");
    services.forEach(
        (name, s) ->
            s.path("depends_on")
                .fields()
                .forEachRemaining(
                    d ->
                        assertThat(d.getValue().path("condition").asText())
                            .as("condition of %s on %s", name, d.getKey())
                            .isEqualTo(
                                oneShots.contains(d.getKey())
                                    ? "service_completed_successfully"
                                    : "service_healthy")));
    assertThat(ComposeFileTest.names(services.get("kafka").get("depends_on")))
        .contains("security-init");
    assertThat(ComposeFileTest.names(services.get("security-apply").get("depends_on")))
        .contains("kafka");
    assertThat(ComposeFileTest.names(services.get("schema-deploy").get("depends_on")))
        .contains("schema-registry");
    for (String app : List.of("streams-app", "ingress", "simulator", "connect")) {
      assertThat(ComposeFileTest.names(services.get(app).get("depends_on")))
          .as("%s waits for the principals and the schemas", app)
          .contains("security-apply", "schema-deploy");
    }
  }

  @Test
  void onlySecurityInitWritesTheSecurityVolume() throws Exception {
    merged()
        .forEach(
            (name, s) ->
                s.path("volumes")
                    .forEach(
                        v -> {
                          boolean security =
                              v.isTextual()
                                  ? v.asText().startsWith("security:")
                                  : "security".equals(v.path("source").asText());
                          if (security && !name.equals("security-init")) {
                            assertThat(v.path("read_only").asBoolean(false))
                                .as("%s mounts the security volume read-only", name)
                                .isTrue();
                          }
                        }));
  }

  @Test
  void authenticatedHealthChecksSendCredentials() throws Exception {
    Map<String, JsonNode> services = merged();
    assertThat(services.get("questdb").get("healthcheck").toString())
        .contains("-K " + MOUNT + "/questdb/curl.conf");
    assertThat(services.get("ingress").get("healthcheck").toString())
        .contains("https://localhost:8480/health", "--cacert");
    assertThat(env(services.get("connect"), "CONNECT_REST_AUTHORIZATION_FILE"))
        .isEqualTo(MOUNT + "/connect/rest.authorization");
    assertThat(Files.readString(ComposeFileTest.ROOT.resolve("docker/connect/healthcheck.sh")))
        .contains("CONNECT_REST_AUTHORIZATION_FILE", "Authorization: ");
    JsonNode setup = services.get("connector-setup");
    assertThat(env(setup, "CURL_CONFIG")).isEqualTo(MOUNT + "/connector-setup/curl.conf");
    assertThat(env(setup, "CONNECTOR_SECRETS_FILE"))
        .isEqualTo(MOUNT + "/connect/connect-secrets.properties");
  }
}
