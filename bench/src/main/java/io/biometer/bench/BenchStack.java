package io.biometer.bench;

import io.biometer.Topics;
import io.biometer.devstack.DevStackConfig;
import io.biometer.devstack.FreePorts;
import io.biometer.devstack.LocalStack;
import io.biometer.devstack.TopicSetup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A private local stack for benchmarks: a broker and a registry on free loopback ports, with {@code
 * connect} also QuestDB and the Connect worker; its data in a temporary folder that is deleted
 * afterwards (also on Ctrl-C: a stopped streams bench used to leave about 500 MB behind). Nothing
 * else runs on it: no simulator, no streams app, no ingress gateway, and the local run's QuestDB
 * sink connector is deleted once the worker has started it, so each bench deploys the connectors it
 * measures. One stack can carry every bench of a run in turn; {@link #emptyPipelineTopics()} gives
 * each a clean start.
 */
final class BenchStack implements AutoCloseable {

  final Path dir;
  final LocalStack stack;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread cleanUp = new Thread(this::close, "biometer-bench-clean-up");

  BenchStack(String name) throws IOException {
    this(name, false);
  }

  /**
   * As {@link #BenchStack(String)}; with {@code connect}, also QuestDB and the Connect worker, on
   * free loopback ports too.
   */
  BenchStack(String name, boolean connect) throws IOException {
    dir = Files.createTempDirectory("biometer-bench-" + name);
    Map<String, Object> values = new HashMap<>();
    values.put(DevStackConfig.DATA_DIR_CONFIG, dir.toString());
    values.put(DevStackConfig.KAFKA_PORT_CONFIG, FreePorts.pick());
    values.put(DevStackConfig.KAFKA_CONTROLLER_PORT_CONFIG, FreePorts.pick());
    values.put(DevStackConfig.REGISTRY_PORT_CONFIG, FreePorts.pick());
    values.put(DevStackConfig.QUESTDB_ENABLED_CONFIG, connect);
    values.put(DevStackConfig.CONNECT_ENABLED_CONFIG, connect);
    if (connect) {
      values.put(DevStackConfig.QUESTDB_HTTP_PORT_CONFIG, FreePorts.pick());
      values.put(DevStackConfig.QUESTDB_HTTP_MIN_PORT_CONFIG, FreePorts.pick());
      values.put(DevStackConfig.QUESTDB_PG_PORT_CONFIG, FreePorts.pick());
      values.put(DevStackConfig.QUESTDB_ILP_PORT_CONFIG, FreePorts.pick());
      values.put(DevStackConfig.CONNECT_PORT_CONFIG, FreePorts.pick());
      values.put(DevStackConfig.CONNECT_METRICS_PORT_CONFIG, FreePorts.pick());
    }
    values.put(DevStackConfig.SIMULATOR_ENABLED_CONFIG, false);
    values.put(DevStackConfig.STREAMS_ENABLED_CONFIG, false);
    // The local run's gateway would listen on its fixed default ports, beside any other stack's;
    // the ingress bench starts a gateway of its own.
    values.put(DevStackConfig.INGRESS_ENABLED_CONFIG, false);
    Runtime.getRuntime().addShutdownHook(cleanUp);
    // Records a bench deletes (emptyPipelineTopics) free their disk within seconds, not the
    // broker's default 5 minutes: the simulator bench writes gigabytes.
    // The local stack's environment variables apply (e.g. BIOMETER_CONNECT_JAVA_OPTS for a
    // profile), below the bench's own private ports and switches.
    Map<String, String> own = new HashMap<>();
    values.forEach((k, v) -> own.put(k, String.valueOf(v)));
    stack =
        LocalStack.start(
            DevStackConfig.load(null, System.getenv(), own),
            Map.of("log.retention.check.interval.ms", "5000"));
    if (connect) {
      try {
        stack.connect().deleteConnector(LocalStack.CONNECTOR, Duration.ofSeconds(60));
      } catch (IOException | RuntimeException e) {
        close();
        throw e;
      }
    }
  }

  /** True if the stack has QuestDB and the Connect worker. */
  boolean hasConnect() {
    return stack.connect() != null;
  }

  /** An admin client of this stack's broker; the caller closes it. */
  Admin admin() {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()));
  }

  /**
   * A topic of the bench's own, stamped at arrival like the pipeline's topics ({@link
   * TopicSetup#TIMESTAMP_TYPE}), so that a baseline writes to the same kind of topic.
   */
  NewTopic topic(String name) {
    return new NewTopic(name, stack.config().topicPartitions(), (short) 1)
        .configs(Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, TopicSetup.TIMESTAMP_TYPE));
  }

  /** Creates the bench's own topic {@code name} ({@link #topic}) unless it exists. */
  void createTopic(String name) throws Exception {
    try (Admin admin = admin()) {
      admin.createTopics(List.of(topic(name))).all().get();
    } catch (java.util.concurrent.ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
  }

  /**
   * Deletes every record of the pipeline's topics that are not compacted (all but the device
   * registry), so that the next bench reads only what it writes: consumers that start from the
   * earliest offset start at the current end. The offsets go on from where they were.
   */
  void emptyPipelineTopics() throws Exception {
    emptyTopics(Topics.ALL.stream().filter(t -> !Topics.COMPACTED.contains(t)).toList());
  }

  /** Deletes every record of {@code topics} (topics with cleanup.policy=delete). */
  void emptyTopics(Collection<String> topics) throws Exception {
    try (Admin admin = admin()) {
      Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
      endOffsets(admin, topics)
          .forEach((tp, end) -> delete.put(tp, RecordsToDelete.beforeOffset(end)));
      admin.deleteRecords(delete).all().get();
    }
  }

  /** The end offsets of every partition of {@code topics}. */
  static Map<TopicPartition, Long> endOffsets(Admin admin, Collection<String> topics)
      throws Exception {
    Map<TopicPartition, OffsetSpec> query = new HashMap<>();
    admin
        .describeTopics(topics)
        .allTopicNames()
        .get()
        .forEach(
            (name, d) ->
                d.partitions()
                    .forEach(
                        p ->
                            query.put(
                                new TopicPartition(name, p.partition()), OffsetSpec.latest())));
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin.listOffsets(query).all().get().forEach((tp, r) -> ends.put(tp, r.offset()));
    return ends;
  }

  /**
   * Commits the end offsets of {@code topics} for consumer group {@code group}, so that a consumer
   * (or connector, group {@code connect-<name>}) of that group starts there.
   */
  void startAtEnd(String group, Collection<String> topics) throws Exception {
    try (Admin admin = admin()) {
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      endOffsets(admin, topics).forEach((tp, end) -> offsets.put(tp, new OffsetAndMetadata(end)));
      admin.alterConsumerGroupOffsets(group, offsets).all().get();
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (Thread.currentThread() != cleanUp) {
      Runtime.getRuntime().removeShutdownHook(cleanUp);
    }
    if (stack != null) {
      stack.close();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary folder left behind is harmless
    }
  }
}
