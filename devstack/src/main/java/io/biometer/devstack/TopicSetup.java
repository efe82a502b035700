package io.biometer.devstack;

import io.biometer.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the pipeline's topics ({@link Topics#ALL}) that do not exist yet: compacted ones
 * compacted, the others deleted by age, the DLQ kept longer. Existing topics are left as they are.
 */
public final class TopicSetup {

  /**
   * What {@link #ensure} found and did.
   *
   * @param created topics created now
   * @param existing topics that were already there
   */
  public record Result(List<String> created, List<String> existing) {}

  private TopicSetup() {}

  /** The topic configs {@code topic} is created with. */
  public static Map<String, String> configsFor(String topic, DevStackConfig config) {
    Map<String, String> c = new HashMap<>();
    if (Topics.COMPACTED.contains(topic)) {
      c.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    } else {
      c.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
      long retention =
          topic.equals(Topics.DLQ) ? config.dlqRetentionMs() : config.topicRetentionMs();
      c.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention));
    }
    return c;
  }

  /** Creates the missing pipeline topics. */
  public static Result ensure(Admin admin, DevStackConfig config)
      throws InterruptedException, ExecutionException, TimeoutException {
    Set<String> present = admin.listTopics().names().get(30, TimeUnit.SECONDS);
    List<String> created = new ArrayList<>();
    List<String> existing = new ArrayList<>();
    List<NewTopic> toCreate = new ArrayList<>();
    for (String topic : Topics.ALL) {
      if (present.contains(topic)) {
        existing.add(topic);
      } else {
        toCreate.add(
            new NewTopic(topic, config.topicPartitions(), (short) 1)
                .configs(configsFor(topic, config)));
        created.add(topic);
      }
    }
    if (!toCreate.isEmpty()) {
      try {
        admin.createTopics(toCreate).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    }
    return new Result(created, existing);
  }
}
