package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.Topics;
import io.biometer.devstack.*;
import io.biometer.serde.AvroSerdeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README stays short and true, and the reference it points to stays in step with the code: the
 * configuration reference ({@code docs/configuration.md}) documents every key of every app, the
 * contract ({@code docs/contract.md}) every topic, and every relative link resolves.
 */
class ReadmeTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** Where the configuration tables live. */
  private static String configReference() throws Exception {
    return Files.readString(ROOT.resolve("docs/configuration.md"));
  }

  private static String readme() throws Exception {
    return Files.readString(ROOT.resolve("README.md"));
  }

  @Test
  void everyLocalStackKeyIsDocumented() throws Exception {
    String readme = configReference();
    DevStackConfig.CONFIG_DEF.names().forEach(k -> assertThat(readme).contains("`" + k + "`"));
  }

  @Test
  void everySerdeKeyIsDocumented() throws Exception {
    String readme = configReference();
    AvroSerdeConfig.CONFIG_DEF.names().forEach(k -> assertThat(readme).contains("`" + k + "`"));
    assertThat(readme).contains("`" + AvroSerdeConfig.SCHEMA_REGISTRY_CLIENT_CONFIG + "`");
  }

  @Test
  void everyStreamsAppKeyIsDocumented() throws Exception {
    String readme = configReference();
    io.biometer.streams.StreamsAppConfig.CONFIG_DEF
        .names()
        .forEach(k -> assertThat(readme).contains("`" + k + "`"));
  }

  @Test
  void everySimulatorKeyIsDocumented() throws Exception {
    String readme = configReference();
    io.biometer.simulator.SimulatorConfig.CONFIG_DEF
        .names()
        .forEach(k -> assertThat(readme).contains("`" + k + "`"));
  }

  @Test
  void everyIngressKeyIsDocumented() throws Exception {
    String readme = configReference();
    io.biometer.ingress.IngressConfig.CONFIG_DEF
        .names()
        .forEach(k -> assertThat(readme).contains("`" + k + "`"));
  }

  @Test
  void everyConnectWorkerKeyIsDocumentedUnderItsLocalStackPrefix() throws Exception {
    String readme = configReference();
    ConnectWorkerConfig.CONFIG_DEF
        .names()
        .forEach(k -> assertThat(readme).contains("`" + DevStackConfig.CONNECT_PREFIX + k + "`"));
  }

  @Test
  void everyTopicIsInTheTable() throws Exception {
    String readme = Files.readString(ROOT.resolve("docs/contract.md"));
    Topics.ALL.forEach(t -> assertThat(readme).contains("| `" + t + "`"));
  }

  @Test
  void theTwoCommandsAreShown() throws Exception {
    assertThat(readme()).contains("./biometer up").contains("./mvnw verify");
  }

  @Test
  void theReadmeIsShortAndPointsToTheDocs() throws Exception {
    String readme = readme();
    assertThat(readme.lines().count())
        .as("README.md lines: the details go to docs/")
        .isLessThan(150);
    assertThat(readme)
        .contains("## Two commands")
        .contains("## What you see after `up`")
        .contains("## Where to go next");
    try (var docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(d -> d.toString().endsWith(".md"))
          .filter(d -> !d.getFileName().toString().equals("style.md"))
          .forEach(
              d ->
                  assertThat(readme)
                      .as("README's 'Where to go next' links %s", d.getFileName())
                      .contains("](docs/" + d.getFileName() + ")"));
    }
  }

  @Test
  void everyRelativeLinkInTheReadmeAndTheDocsResolves() throws Exception {
    java.util.List<Path> pages = new java.util.ArrayList<>();
    pages.add(ROOT.resolve("README.md"));
    try (var docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(d -> d.toString().endsWith(".md")).forEach(pages::add);
    }
    for (Path page : pages) {
      for (String link : RepositoryFilesTest.links(Files.readString(page))) {
        assertThat(page.getParent().resolve(link).normalize())
            .as("link %s in %s", link, ROOT.relativize(page))
            .exists();
      }
    }
  }

  /**
   * Each default written in the configuration reference (a cell that starts with a literal, e.g.
   * {@code `9092`}) is the default of the key's own definition; for a key the local stack passes to
   * an app, the local run's value if it has one, else the app's default.
   */
  @Test
  void everyDefaultWrittenInTheReferenceIsTheDefinitionsDefault() throws Exception {
    String doc = configReference();
    java.util.Map<String, org.apache.kafka.common.config.ConfigDef> sections =
        new java.util.LinkedHashMap<>();
    sections.put("## Local stack", DevStackConfig.CONFIG_DEF);
    sections.put("## Streams app", io.biometer.streams.StreamsAppConfig.CONFIG_DEF);
    sections.put("## Simulator", io.biometer.simulator.SimulatorConfig.CONFIG_DEF);
    sections.put("## Ingress gateway", io.biometer.ingress.IngressConfig.CONFIG_DEF);
    sections.put("## Serdes", AvroSerdeConfig.CONFIG_DEF);
    java.util.regex.Pattern row =
        java.util.regex.Pattern.compile("(?m)^\\| `([^`]+)` \\| `([^`]*)`[^|]*\\|");
    java.util.List<String> wrong = new java.util.ArrayList<>();
    int compared = 0;
    for (var section : sections.entrySet()) {
      int start = doc.indexOf(section.getKey());
      assertThat(start).as("section %s", section.getKey()).isNotNegative();
      int end = doc.indexOf("\n## ", start + 1);
      String text = end < 0 ? doc.substring(start) : doc.substring(start, end);
      var m = row.matcher(text);
      while (m.find()) {
        String key = m.group(1);
        Object expected = definedDefault(section.getValue(), key);
        if (expected == NO_DEFAULT) {
          continue;
        }
        compared++;
        if (!sameValue(m.group(2), expected)) {
          wrong.add(key + ": written `" + m.group(2) + "`, defined " + expected);
        }
      }
    }
    assertThat(compared).as("defaults compared").isGreaterThan(40);
    assertThat(wrong).as("defaults in docs/configuration.md").isEmpty();
  }

  private static final Object NO_DEFAULT = new Object();

  private static Object definedDefault(org.apache.kafka.common.config.ConfigDef def, String key) {
    if (def == DevStackConfig.CONFIG_DEF && !def.configKeys().containsKey(key)) {
      Object local = DevStackConfig.localValue(key);
      if (local != null) {
        return local;
      }
      for (var p :
          java.util.Map.of(
                  DevStackConfig.SIMULATOR_PREFIX,
                  io.biometer.simulator.SimulatorConfig.CONFIG_DEF,
                  DevStackConfig.STREAMS_PREFIX,
                  io.biometer.streams.StreamsAppConfig.CONFIG_DEF,
                  DevStackConfig.INGRESS_PREFIX,
                  io.biometer.ingress.IngressConfig.CONFIG_DEF,
                  DevStackConfig.CONNECT_PREFIX,
                  ConnectWorkerConfig.CONFIG_DEF)
              .entrySet()) {
        if (key.startsWith(p.getKey())) {
          return definedDefault(p.getValue(), key.substring(p.getKey().length()));
        }
      }
    }
    var k = def.configKeys().get(key);
    if (k == null || !k.hasDefault() || k.defaultValue == null) {
      return NO_DEFAULT;
    }
    return k.defaultValue;
  }

  private static boolean sameValue(String written, Object defined) {
    if (defined instanceof Number n) {
      try {
        return Double.parseDouble(written) == n.doubleValue();
      } catch (NumberFormatException e) {
        return false;
      }
    }
    if (defined instanceof java.util.List<?> list) {
      return written
          .replace(" ", "")
          .equals(String.join(",", list.stream().map(String::valueOf).toList()));
    }
    if (defined instanceof Class<?> c) {
      return written.equals(c.getName()) || written.equals(c.getSimpleName());
    }
    return written.equals(String.valueOf(defined));
  }
}
