package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The topology's description against a golden file, so a renamed store, topic or processor is a
 * reviewed diff. After an intended change: {@code ./mvnw -pl streams-app test
 * -Dtest=TopologyDescriptionTest -Dbiometer.golden.update=true} and commit the file.
 */
class TopologyDescriptionTest {

  private static final Path GOLDEN = Path.of("src/test/resources/topology-description.txt");

  @Test
  void descriptionMatchesTheGoldenFile() throws Exception {
    StreamsAppConfig config =
        new StreamsAppConfig(
            Map.of(StreamsAppConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://describe"));
    String description =
        TelemetryTopology.build(
                config, new TelemetrySerdes(config.registryUrl()), PipelineMetrics.noop())
            .describe()
            .toString();
    if (Boolean.getBoolean("biometer.golden.update")) {
      Files.writeString(GOLDEN, description);
    }
    assertThat(description)
        .as(
            "topology changed; if intended, rerun with -Dbiometer.golden.update=true and commit "
                + GOLDEN)
        .isEqualTo(Files.readString(GOLDEN));
  }
}
