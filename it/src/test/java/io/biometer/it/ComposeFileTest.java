package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.biometer.devstack.*;
import io.biometer.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.NodeList;

/**
 * docker-compose.yml and the Dockerfiles it builds: the Compose Specification's structure and the
 * stack's rules (every path it uses exists, pinned tags, health checks, loopback ports, scalable
 * services, images built from the sources by the Maven wrapper). No Docker engine runs here, and
 * Debian's docker-compose 1.29 is too old to read the file (it rejects the top-level {@code
 * name:}), so this reads it as YAML. {@link ComposeStackIT} runs it where Docker exists.
 */
class ComposeFileTest {

  static final Path ROOT = Path.of("..");
  static final Path COMPOSE_FILE = ROOT.resolve("docker-compose.yml");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** The top-level keys allowed here: the Specification's, less version, include and models. */
  private static final Set<String> TOP_LEVEL =
      Set.of("name", "services", "volumes", "networks", "configs", "secrets");

  /** A service's keys in the Compose Specification (compose-spec.json, definitions.service). */
  private static final Set<String> SERVICE_KEYS =
      words(
          """
          annotations attach blkio_config build cap_add cap_drop cgroup cgroup_parent command
          configs container_name cpu_count cpu_percent cpu_period cpu_quota cpu_rt_period
          cpu_rt_runtime cpu_shares cpus cpuset credential_spec depends_on deploy develop
          device_cgroup_rules devices dns dns_opt dns_search domainname entrypoint env_file
          environment expose extends external_links extra_hosts gpus group_add healthcheck hostname
          image init ipc isolation label_file labels links logging mac_address mem_limit
          mem_reservation mem_swappiness memswap_limit models network_mode networks
          oom_kill_disable oom_score_adj pid pids_limit platform ports post_start pre_stop
          privileged profiles provider pull_policy pull_refresh_after read_only restart runtime
          scale secrets security_opt shm_size stdin_open stop_grace_period stop_signal storage_opt
          sysctls tmpfs tty ulimits use_api_socket user userns_mode uts volumes volumes_from
          working_dir
          """);

  private static final Set<String> BUILD_KEYS =
      words(
          """
          context dockerfile dockerfile_inline args ssh labels cache_from cache_to no_cache
          additional_contexts network pull target shm_size extra_hosts isolation privileged secrets
          tags ulimits platforms entitlements provenance sbom
          """);

  private static final Set<String> HEALTHCHECK_KEYS =
      Set.of("test", "interval", "timeout", "retries", "start_period", "start_interval", "disable");

  private static final Set<String> DEPENDS_ON_KEYS = Set.of("condition", "restart", "required");

  /** Every part of the pipeline that the README promises on one {@code docker compose up}. */
  private static final Set<String> PIPELINE =
      words(
          """
          kafka topics schema-registry questdb connect connector-setup streams-app ingress
          simulator prometheus grafana
          """);

  /** Run with --scale in the README: several replicas, so no fixed name and no host port. */
  static final Set<String> SCALED = Set.of("streams-app", "connect");

  /**
   * Services that do their work and exit 0. Their readiness is their exit code, which {@code
   * depends_on} reads with {@code service_completed_successfully}; a health check would only report
   * on a container that is meant to stop, so they have none. Every other service has one.
   */
  static final Set<String> ONE_SHOTS = Set.of("topics", "connector-setup");

  /** A release tag: at least major.minor.patch, so it cannot float like {@code 17-jre} does. */
  private static final Pattern RELEASE_TAG = Pattern.compile(".*\\d+\\.\\d+\\.\\d+.*");

  static JsonNode compose() {
    try {
      return YAML.readTree(COMPOSE_FILE.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Map<String, JsonNode> services() {
    Map<String, JsonNode> services = new LinkedHashMap<>();
    compose()
        .get("services")
        .fields()
        .forEachRemaining(e -> services.put(e.getKey(), e.getValue()));
    return services;
  }

  @Test
  void topLevelKeysAreTheSpecifications() {
    JsonNode compose = compose();
    assertThat(names(compose)).isSubsetOf(TOP_LEVEL).contains("name", "services");
    compose
        .get("volumes")
        .fields()
        .forEachRemaining(
            v ->
                assertThat(v.getValue().isNull() || v.getValue().isObject())
                    .as("volume %s", v.getKey())
                    .isTrue());
  }

  @Test
  void everyServiceHasAnImageOrABuildAndOnlyKeysOfTheSpecification() {
    services()
        .forEach(
            (name, s) -> {
              assertThat(names(s)).as("keys of service %s", name).isSubsetOf(SERVICE_KEYS);
              assertThat(s.has("image") || s.has("build"))
                  .as("service %s has an image or a build", name)
                  .isTrue();
              if (s.has("build")) {
                assertThat(names(s.get("build"))).as("build of %s", name).isSubsetOf(BUILD_KEYS);
              }
              if (s.has("healthcheck")) {
                assertThat(names(s.get("healthcheck")))
                    .as("healthcheck of %s", name)
                    .isSubsetOf(HEALTHCHECK_KEYS)
                    .contains("test");
              }
              if (s.has("restart")) {
                assertThat(s.get("restart").asText())
                    .as("restart of %s", name)
                    .matches("no|always|unless-stopped|on-failure(:\\d+)?");
              }
              if (s.has("environment")) {
                assertThat(s.get("environment").isObject())
                    .as("environment of %s is a map", name)
                    .isTrue();
              }
            });
  }

  @Test
  void theStackHasEveryPartOfThePipeline() {
    assertThat(services().keySet()).containsAll(PIPELINE);
  }

  @Test
  void everyFileAndFolderComposeMountsOrBuildsFromExists() {
    Set<String> declaredVolumes = names(compose().get("volumes"));
    List<String> missing = new ArrayList<>();
    services()
        .forEach(
            (name, s) -> {
              for (JsonNode v : list(s.get("volumes"))) {
                String source =
                    v.isTextual() ? v.asText().split(":")[0] : v.path("source").asText();
                if (source.startsWith(".") || source.startsWith("/")) {
                  if (!Files.exists(ROOT.resolve(source))) {
                    missing.add(name + " mounts " + source);
                  }
                } else if (!declaredVolumes.contains(source)) {
                  missing.add(name + " uses volume " + source + ", not declared under volumes:");
                }
              }
              for (JsonNode f : list(s.get("env_file"))) {
                String file = f.isTextual() ? f.asText() : f.path("path").asText();
                if (!Files.isRegularFile(ROOT.resolve(file))) {
                  missing.add(name + " reads env_file " + file);
                }
              }
              if (s.has("build")) {
                Path context = ROOT.resolve(buildContext(s));
                Path dockerfile =
                    context.resolve(s.get("build").path("dockerfile").asText("Dockerfile"));
                if (!Files.isDirectory(context)) {
                  missing.add(name + " builds from " + context);
                } else if (!Files.isRegularFile(dockerfile)) {
                  missing.add(name + " builds with " + dockerfile);
                } else {
                  missing.addAll(copiedButMissing(name, context, Dockerfile.read(dockerfile)));
                }
              }
            });
    assertThat(missing).as("paths docker-compose.yml needs").isEmpty();
  }

  @Test
  void everyImageTagIsPinned() {
    List<String> images = new ArrayList<>();
    services()
        .forEach(
            (name, s) -> {
              if (s.has("image")) {
                images.add(s.get("image").asText());
              }
            });
    for (Dockerfile d : dockerfiles()) {
      images.addAll(d.externalImages());
    }
    assertThat(images).isNotEmpty();
    for (String image : images) {
      assertThat(tag(image))
          .as("tag of %s (pin a release: name:major.minor.patch...)", image)
          .isNotNull()
          .isNotEqualTo("latest")
          .matches(RELEASE_TAG);
    }
  }

  @Test
  void everyLongRunningServiceHasAHealthCheck() {
    services()
        .forEach(
            (name, s) -> {
              if (ONE_SHOTS.contains(name)) {
                return;
              }
              assertThat(hasHealthCheck(s))
                  .as(
                      "%s has a healthcheck in docker-compose.yml or a HEALTHCHECK in its image",
                      name)
                  .isTrue();
            });
  }

  @Test
  void oneShotsRunOnceAndAreAwaitedUntilTheyFinish() {
    Map<String, JsonNode> services = services();
    for (String oneShot : ONE_SHOTS) {
      JsonNode s = services.get(oneShot);
      assertThat(s).as("one-shot service %s", oneShot).isNotNull();
      assertThat(s.path("restart").asText()).as("restart of %s", oneShot).isEqualTo("no");
      assertThat(s.has("ports")).as("%s publishes no port", oneShot).isFalse();
    }
  }

  @Test
  void dependenciesWaitForHealthOrForAOneShotToFinish() {
    Map<String, JsonNode> services = services();
    services.forEach(
        (name, s) -> {
          if (!s.has("depends_on")) {
            return;
          }
          assertThat(s.get("depends_on").isObject())
              .as("depends_on of %s names a condition per service (not a list)", name)
              .isTrue();
          s.get("depends_on")
              .fields()
              .forEachRemaining(
                  dep -> {
                    String target = dep.getKey();
                    assertThat(services).as("%s depends on %s", name, target).containsKey(target);
                    assertThat(names(dep.getValue())).isSubsetOf(DEPENDS_ON_KEYS);
                    String expected =
                        ONE_SHOTS.contains(target)
                            ? "service_completed_successfully"
                            : "service_healthy";
                    assertThat(dep.getValue().path("condition").asText())
                        .as("condition of %s on %s", name, target)
                        .isEqualTo(expected);
                  });
        });
  }

  @Test
  void publishedPortsBindToLoopback() {
    services()
        .forEach(
            (name, s) -> {
              for (JsonNode p : list(s.get("ports"))) {
                if (p.isObject()) {
                  assertThat(p.path("host_ip").asText())
                      .as("port %s of %s", p, name)
                      .isEqualTo("127.0.0.1");
                  assertThat(p.has("published")).as("port %s of %s", p, name).isTrue();
                } else {
                  assertThat(p.asText())
                      .as("port of %s", name)
                      .matches("127\\.0\\.0\\.1:\\d+:\\d+(/(tcp|udp))?");
                }
              }
            });
  }

  @Test
  void scaledServicesHaveNoContainerNameAndNoHostPort() {
    Map<String, JsonNode> services = services();
    for (String scaled : SCALED) {
      JsonNode s = services.get(scaled);
      assertThat(s).as("service %s", scaled).isNotNull();
      assertThat(s.has("container_name")).as("%s has a container_name", scaled).isFalse();
      assertThat(s.has("ports")).as("%s publishes a host port", scaled).isFalse();
      assertThat(s.has("hostname")).as("%s has a fixed hostname", scaled).isFalse();
    }
  }

  @Test
  void everyDockerfileBuildsItsModuleFromTheSourcesWithTheMavenWrapper() throws Exception {
    Set<String> modules = reactorModules();
    List<Dockerfile> dockerfiles = dockerfiles();
    assertThat(dockerfiles).hasSizeGreaterThanOrEqualTo(3);
    for (Dockerfile d : dockerfiles) {
      List<List<String>> builds = d.mavenPackageCommands();
      assertThat(builds).as("./mvnw ... package in a build stage of %s", d.path()).isNotEmpty();
      for (List<String> mvn : builds) {
        assertThat(mvn).as("%s in %s", mvn, d.path()).contains("-B", "-DskipTests", "-am");
        int pl = mvn.indexOf("-pl");
        assertThat(pl).as("-pl MODULE in %s", d.path()).isPositive();
        assertThat(Arrays.asList(mvn.get(pl + 1).split(",")))
            .as("modules built by %s", d.path())
            .isSubsetOf(modules);
      }
      assertThat(d.stages().get(0).image())
          .as("build stage of %s: a JDK 17", d.path())
          .matches(".*:17\\.[0-9._]+-jdk.*");
    }
  }

  @Test
  void everyImageRunsAsAnUnprivilegedUserWithAHealthCheck() {
    for (Dockerfile d : dockerfiles()) {
      Dockerfile.Stage runtime = d.stages().get(d.stages().size() - 1);
      String user = runtime.last("USER");
      boolean inherited = user == null && runtime.image().startsWith("apache/kafka:");
      assertThat(inherited || (user != null && !user.matches("root|0(:.*)?|root:.*")))
          .as("%s runs as a non-root user (USER %s)", d.path(), user)
          .isTrue();
      assertThat(runtime.last("HEALTHCHECK"))
          .as("HEALTHCHECK of %s", d.path())
          .isNotNull()
          .doesNotStartWith("NONE");
    }
  }

  @Test
  void theSimulatorIsConfiguredByItsOwnVariablesEachNamingOneOfItsKeys() {
    JsonNode sim = services().get("simulator");
    JsonNode env = sim.get("environment");
    Map<String, String> byVariable = new LinkedHashMap<>();
    env.fields().forEachRemaining(e -> byVariable.put(e.getKey(), e.getValue().asText()));
    for (String variable : byVariable.keySet()) {
      assertThat(variable).as("variable of the simulator").startsWith(SimulatorConfig.ENV_PREFIX);
      String key =
          SimulatorConfig.CONFIG_DEF.names().stream()
              .filter(k -> SimulatorConfig.KEYS.envName(k).equals(variable))
              .findFirst()
              .orElse(null);
      assertThat(key).as("the simulator key %s sets", variable).isNotNull();
    }
    assertThat(byVariable)
        .containsEntry("BIOMETER_SIMULATOR_BOOTSTRAP_SERVERS", "kafka:19092")
        .containsEntry("BIOMETER_SIMULATOR_PATIENTS", "${BIOMETER_SIMULATOR_PATIENTS:-2}")
        .containsEntry("BIOMETER_SIMULATOR_METERS", "${BIOMETER_SIMULATOR_METERS:-2}")
        .containsEntry("BIOMETER_SIMULATOR_SPEED", "${BIOMETER_SIMULATOR_SPEED:-1}")
        // Through the gateway, as the local run: its actuators take commands (docs/commands.md).
        .containsEntry("BIOMETER_SIMULATOR_VIA", "${BIOMETER_SIMULATOR_VIA:-mqtt}")
        .containsEntry("BIOMETER_SIMULATOR_GATEWAY_HOST", "ingress");
    // One scheme: no option and no second family of variables sets what a key does.
    List<String> command = new ArrayList<>();
    sim.get("command").forEach(c -> command.add(c.asText()));
    assertThat(command).containsExactly("run");
    assertThat(compose().toString()).doesNotContain("BIOMETER_SIM_PATIENTS", "BIOMETER_SIM_SPEED");
  }

  @Test
  void questDbHasTheReadOnlyUserGrafanaLogsInAs() {
    JsonNode env = services().get("questdb").get("environment");
    assertThat(env.path("QDB_PG_READONLY_USER_ENABLED").asText()).isEqualTo("true");
    assertThat(env.path("QDB_PG_READONLY_USER").asText()).isEqualTo("grafana");
    assertThat(env.path("QDB_PG_READONLY_PASSWORD").asText()).isNotBlank();
    assertThat(env.path("QDB_METRICS_ENABLED").asText()).isEqualTo("true");
  }

  @Test
  void grafanaIsProvisionedFromTheRepository() {
    JsonNode grafana = services().get("grafana");
    List<String> mounts = new ArrayList<>();
    list(grafana.get("volumes")).forEach(v -> mounts.add(v.asText()));
    assertThat(mounts)
        .contains(
            "./grafana/provisioning:/etc/grafana/provisioning:ro",
            "./grafana/dashboards:/var/lib/grafana/dashboards:ro");
    assertThat(grafana.get("image").asText()).startsWith("grafana/grafana-oss:");
  }

  @Test
  void theConnectorSetupSubmitsTheLocalRunsConfigWithSeveralTasks() {
    JsonNode setup = services().get("connector-setup");
    assertThat(Integer.parseInt(setup.get("environment").get("TASKS_MAX").asText()))
        .isGreaterThan(1);
    List<String> mounts = new ArrayList<>();
    list(setup.get("volumes")).forEach(v -> mounts.add(v.asText().split(":")[0]));
    assertThat(mounts).contains("./sink-connectors/config/questdb-sink.json");
    assertThat(setup.get("depends_on").has("connect")).isTrue();
  }

  private static Set<String> words(String text) {
    return Set.of(text.strip().split("\\s+"));
  }

  // --- helpers -----------------------------------------------------------------------------

  static Set<String> names(JsonNode node) {
    Set<String> names = new TreeSet<>();
    if (node != null && node.isObject()) {
      node.fieldNames().forEachRemaining(names::add);
    }
    return names;
  }

  private static List<JsonNode> list(JsonNode node) {
    List<JsonNode> out = new ArrayList<>();
    if (node != null && node.isArray()) {
      node.forEach(out::add);
    }
    return out;
  }

  private static String buildContext(JsonNode service) {
    JsonNode build = service.get("build");
    return build.isTextual() ? build.asText() : build.path("context").asText(".");
  }

  private static boolean hasHealthCheck(JsonNode service) {
    JsonNode hc = service.get("healthcheck");
    if (hc != null) {
      return !hc.path("disable").asBoolean(false) && hc.has("test");
    }
    if (!service.has("build")) {
      return false;
    }
    Path context = ROOT.resolve(buildContext(service));
    Dockerfile d =
        Dockerfile.read(
            context.resolve(service.get("build").path("dockerfile").asText("Dockerfile")));
    String check = d.stages().get(d.stages().size() - 1).last("HEALTHCHECK");
    return check != null && !check.startsWith("NONE");
  }

  /** The Dockerfiles compose builds, and any other under docker/. */
  static List<Dockerfile> dockerfiles() {
    Set<Path> paths = new TreeSet<>();
    services()
        .forEach(
            (name, s) -> {
              if (s.has("build")) {
                Path context = ROOT.resolve(buildContext(s));
                paths.add(
                    context
                        .resolve(s.get("build").path("dockerfile").asText("Dockerfile"))
                        .normalize());
              }
            });
    try (Stream<Path> files = Files.list(ROOT.resolve("docker"))) {
      files
          .filter(p -> p.toString().endsWith(".Dockerfile"))
          .forEach(p -> paths.add(p.normalize()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return paths.stream().map(Dockerfile::read).toList();
  }

  /** The tag of an image reference, or null if it has none. */
  static String tag(String image) {
    String name = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
    int colon = name.lastIndexOf(':');
    return colon > name.lastIndexOf('/') ? name.substring(colon + 1) : null;
  }

  /** Sources of COPY and ADD (not --from) that are missing or that .dockerignore leaves out. */
  private static List<String> copiedButMissing(String service, Path context, Dockerfile d) {
    Set<String> ignored = new TreeSet<>();
    try {
      Path dockerignore = context.resolve(".dockerignore");
      if (Files.exists(dockerignore)) {
        for (String line : Files.readAllLines(dockerignore)) {
          if (!line.isBlank() && !line.startsWith("#")) {
            ignored.add(line.trim().replaceAll("/+$", ""));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> missing = new ArrayList<>();
    for (List<String> sources : d.copiedFromContext()) {
      for (String source : sources) {
        String path = source.replaceAll("/+$", "");
        if (path.equals(".")) {
          continue;
        }
        if (ignored.contains(path) || ignored.contains(path.split("/")[0])) {
          missing.add(
              service + ": " + d.path() + " copies " + source + ", which .dockerignore leaves out");
        } else if (!exists(context, path)) {
          missing.add(service + ": " + d.path() + " copies " + source + ", which does not exist");
        }
      }
    }
    return missing;
  }

  private static boolean exists(Path context, String path) {
    if (!path.contains("*") && !path.contains("?")) {
      return Files.exists(context.resolve(path));
    }
    Path dir = context.resolve(path).getParent();
    PathMatcher matcher =
        FileSystems.getDefault().getPathMatcher("glob:" + context.resolve(path).getFileName());
    try (Stream<Path> files = Files.list(dir)) {
      return files.anyMatch(p -> matcher.matches(p.getFileName()));
    } catch (IOException e) {
      return false;
    }
  }

  private static Set<String> reactorModules() throws Exception {
    NodeList nodes =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(ROOT.resolve("pom.xml").toFile())
            .getElementsByTagName("module");
    Set<String> modules = new TreeSet<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      modules.add(nodes.item(i).getTextContent().trim());
    }
    assertThat(modules).isNotEmpty();
    return modules;
  }
}
