package io.biometer.devstack.bench;

import io.biometer.devstack.DevStackConfig;
import io.biometer.devstack.LocalStack;
import io.biometer.devstack.TopicSetup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * A private local stack for a benchmark: a broker and a registry on free loopback ports, its data
 * in a temporary folder that is deleted afterwards (also on Ctrl-C: a stopped streams bench used to
 * leave about 500 MB behind), nothing else running on it.
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
   * As {@link #BenchStack(String)}; with {@code connect}, also QuestDB and the Connect worker
   * (running the local run's QuestDB sink connector), on free loopback ports too.
   */
  BenchStack(String name, boolean connect) throws IOException {
    dir = Files.createTempDirectory("biometer-bench-" + name);
    Map<String, Object> values = new HashMap<>();
    values.put(DevStackConfig.DATA_DIR_CONFIG, dir.toString());
    values.put(DevStackConfig.KAFKA_PORT_CONFIG, freePort());
    values.put(DevStackConfig.KAFKA_CONTROLLER_PORT_CONFIG, freePort());
    values.put(DevStackConfig.REGISTRY_PORT_CONFIG, freePort());
    values.put(DevStackConfig.QUESTDB_ENABLED_CONFIG, connect);
    values.put(DevStackConfig.CONNECT_ENABLED_CONFIG, connect);
    if (connect) {
      values.put(DevStackConfig.QUESTDB_HTTP_PORT_CONFIG, freePort());
      values.put(DevStackConfig.QUESTDB_HTTP_MIN_PORT_CONFIG, freePort());
      values.put(DevStackConfig.QUESTDB_PG_PORT_CONFIG, freePort());
      values.put(DevStackConfig.QUESTDB_ILP_PORT_CONFIG, freePort());
      values.put(DevStackConfig.CONNECT_PORT_CONFIG, freePort());
    }
    values.put(DevStackConfig.SIMULATOR_ENABLED_CONFIG, false);
    values.put(DevStackConfig.STREAMS_ENABLED_CONFIG, false);
    Runtime.getRuntime().addShutdownHook(cleanUp);
    stack = LocalStack.start(new DevStackConfig(values));
  }

  /**
   * A topic of the bench's own, stamped at arrival like the pipeline's topics ({@link
   * TopicSetup#TIMESTAMP_TYPE}), so that a baseline writes to the same kind of topic.
   */
  NewTopic topic(String name) {
    return new NewTopic(name, stack.config().topicPartitions(), (short) 1)
        .configs(Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, TopicSetup.TIMESTAMP_TYPE));
  }

  private static int freePort() {
    return io.biometer.devstack.FreePorts.pick();
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
