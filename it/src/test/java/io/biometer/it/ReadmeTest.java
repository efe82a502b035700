package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.Topics;
import io.biometer.devstack.*;
import io.biometer.serde.AvroSerdeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's configuration reference and topic table stay in step with the code. */
class ReadmeTest {

  private static String readme() throws Exception {
    return Files.readString(Path.of("..", "README.md"));
  }

  @Test
  void everyLocalStackKeyIsDocumented() throws Exception {
    String readme = readme();
    DevStackConfig.CONFIG_DEF.names().forEach(k -> assertThat(readme).contains("`" + k + "`"));
  }

  @Test
  void everySerdeKeyIsDocumented() throws Exception {
    String readme = readme();
    AvroSerdeConfig.CONFIG_DEF.names().forEach(k -> assertThat(readme).contains("`" + k + "`"));
    assertThat(readme).contains("`" + AvroSerdeConfig.SCHEMA_REGISTRY_CLIENT_CONFIG + "`");
  }

  @Test
  void everyStreamsAppKeyIsDocumented() throws Exception {
    String readme = readme();
    io.biometer.streams.StreamsAppConfig.CONFIG_DEF
        .names()
        .forEach(k -> assertThat(readme).contains("`" + k + "`"));
  }

  @Test
  void everySimulatorKeyIsDocumented() throws Exception {
    String readme = readme();
    io.biometer.simulator.SimulatorConfig.CONFIG_DEF
        .names()
        .forEach(k -> assertThat(readme).contains("`" + k + "`"));
  }

  @Test
  void everyConnectWorkerKeyIsDocumentedUnderItsLocalStackPrefix() throws Exception {
    String readme = readme();
    ConnectWorkerConfig.CONFIG_DEF
        .names()
        .forEach(k -> assertThat(readme).contains("`" + DevStackConfig.CONNECT_PREFIX + k + "`"));
  }

  @Test
  void everyTopicIsInTheTable() throws Exception {
    String readme = readme();
    Topics.ALL.forEach(t -> assertThat(readme).contains("| `" + t + "`"));
  }

  @Test
  void theTwoCommandsAreShown() throws Exception {
    assertThat(readme()).contains("./biometer up").contains("./mvnw verify");
  }
}
