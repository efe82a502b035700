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
}
