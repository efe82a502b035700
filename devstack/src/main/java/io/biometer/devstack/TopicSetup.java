package io.biometer.devstack;

import io.biometer.Topics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the pipeline's topics ({@link Topics#ALL}) that do not exist yet: compacted ones
 * compacted, the others deleted by age, the DLQ kept longer.
 *
 * <p>Every pipeline topic stamps its records with the time the broker appended them ({@code
 * message.timestamp.type=LogAppendTime}), so retention counts from arrival. Producers stamp records
 * with the reading's event time, and a simulation (or a meter's day-late batch, or a replay) can be
 * weeks in the past: with the producer's timestamp, the broker would delete such records at its
 * next retention check, minutes after they were written. Event time stays in every payload, where
 * the streams app reads it. An existing topic keeps its partitions and retention, but is switched
 * to LogAppendTime if an earlier version created it otherwise.
 */
public final class TopicSetup {

  /** The timestamp type of every pipeline topic. */
  public static final String TIMESTAMP_TYPE = "LogAppendTime";

  /**
   * What {@link #ensure} found and did.
   *
   * @param created topics created now
   * @param existing topics that were already there
   * @param restamped existing topics switched to {@value #TIMESTAMP_TYPE} now
   */
  public record Result(List<String> created, List<String> existing, List<String> restamped) {}

  private TopicSetup() {}

  /** The topic configs {@code topic} is created with. */
  public static Map<String, String> configsFor(String topic, DevStackConfig config) {
    Map<String, String> c = new HashMap<>();
    c.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, TIMESTAMP_TYPE);
    if (Topics.COMPACTED.contains(topic)) {
      c.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    } else {
      c.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
      long retention =
          Topics.DEAD_LETTERS.contains(topic) ? config.dlqRetentionMs() : config.topicRetentionMs();
      c.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention));
    }
    return c;
  }

  /** Creates the missing pipeline topics and stamps the existing ones at arrival. */
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
    return new Result(created, existing, restamp(admin, existing));
  }

  /** Switches those of {@code topics} that are not stamped at arrival; returns them. */
  static List<String> restamp(Admin admin, Collection<String> topics)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (topics.isEmpty()) {
      return List.of();
    }
    List<ConfigResource> resources =
        topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
    Map<ConfigResource, Config> configs =
        admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
    Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
    List<String> restamped = new ArrayList<>();
    for (ConfigResource r : resources) {
      ConfigEntry type = configs.get(r).get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG);
      if (type == null || !TIMESTAMP_TYPE.equals(type.value())) {
        changes.put(
            r,
            List.of(
                new AlterConfigOp(
                    new ConfigEntry(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, TIMESTAMP_TYPE),
                    AlterConfigOp.OpType.SET)));
        restamped.add(r.name());
      }
    }
    if (!changes.isEmpty()) {
      admin.incrementalAlterConfigs(changes).all().get(30, TimeUnit.SECONDS);
    }
    return restamped;
  }
}
