package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.Topics;
import io.biometer.devstack.*;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml creates the pipeline topics with the configs the local stack uses ({@link
 * TopicSetup#configsFor}), and stamps every topic at arrival even if it existed before. Compose
 * cannot run here; this checks its topic script on every build.
 */
class ComposeTopicsTest {

  private static final Path COMPOSE = Path.of("../docker-compose.yml");

  @Test
  void composeCreatesEveryTopicWithTheLocalStacksConfigs() throws Exception {
    DevStackConfig defaults = DevStackConfig.load(null, Map.of(), Map.of());
    Map<String, Map<String, String>> created = createdTopics();
    assertThat(created.keySet()).containsExactlyInAnyOrderElementsOf(Topics.ALL);
    for (String topic : Topics.ALL) {
      assertThat(created.get(topic))
          .as("configs of %s in docker-compose.yml", topic)
          .isEqualTo(TopicSetup.configsFor(topic, defaults));
    }
  }

  @Test
  void composeSwitchesTopicsFromAnEarlierRunToLogAppendTime() throws Exception {
    String script = Files.readString(COMPOSE);
    String function = script.substring(script.indexOf("create() {"), script.indexOf("}\n"));
    assertThat(function)
        .contains("kafka-configs.sh")
        .contains("--alter")
        .contains("--add-config message.timestamp.type=" + TopicSetup.TIMESTAMP_TYPE);
  }

  /** Topic -> configs of every {@code create TOPIC --config k=v ...} line of the topics service. */
  private static Map<String, Map<String, String>> createdTopics() throws Exception {
    Map<String, Map<String, String>> topics = new HashMap<>();
    for (String line : Files.readAllLines(COMPOSE)) {
      List<String> words = List.of(line.trim().split("\\s+"));
      if (words.size() < 2 || !words.get(0).equals("create")) {
        continue;
      }
      Map<String, String> configs = new HashMap<>();
      for (int i = 2; i + 1 < words.size(); i += 2) {
        assertThat(words.get(i)).as("in '%s'", line.trim()).isEqualTo("--config");
        String[] kv = words.get(i + 1).split("=", 2);
        configs.put(kv[0], kv[1]);
      }
      topics.put(words.get(1), configs);
    }
    return topics;
  }
}
