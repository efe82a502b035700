package io.biometer.devstack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker in KRaft mode (combined broker and controller), in this JVM, with
 * its log under one folder. The first start formats the folder; later starts find the formatted
 * folder and resume with its topics and records.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

  private final KafkaRaftServer server;
  private final String bootstrapServers;

  private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
  }

  /**
   * Starts a broker whose data lives in {@code dir}, listening for clients on {@code host:port} and
   * for its controller on {@code host:controllerPort}.
   */
  public static EmbeddedKafka start(Path dir, String host, int port, int controllerPort)
      throws IOException {
    return start(dir, host, port, controllerPort, Map.of());
  }

  /**
   * As {@link #start(Path, String, int, int)}, with broker settings that replace or add to the
   * local stack's (tests use it, e.g. for a retention check every second).
   */
  public static EmbeddedKafka start(
      Path dir, String host, int port, int controllerPort, Map<String, String> brokerOverrides)
      throws IOException {
    Path logs = dir.resolve("logs");
    Files.createDirectories(logs);
    Properties props = brokerProps(logs, host, port, controllerPort);
    props.putAll(brokerOverrides);
    Path propsFile = dir.resolve("server.properties");
    try (OutputStream out = Files.newOutputStream(propsFile)) {
      props.store(
          out, "written by biometer's local stack on every start; edit DevStackConfig instead");
    }
    if (!Files.exists(logs.resolve("meta.properties"))) {
      format(propsFile);
    }
    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    server.startup();
    return new EmbeddedKafka(server, host + ":" + port);
  }

  private static Properties brokerProps(Path logs, String host, int port, int controllerPort) {
    Properties p = new Properties();
    p.put("node.id", "1");
    p.put("process.roles", "broker,controller");
    p.put("controller.quorum.voters", "1@" + host + ":" + controllerPort);
    p.put(
        "listeners",
        "PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + host + ":" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", logs.toString());
    // A single broker: internal topics cannot have more replicas than brokers, or groups,
    // transactions and share groups hang waiting for them.
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "10");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "10");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    // Topics are created on purpose (TopicSetup, Streams' admin), never by a typo in a client.
    p.put("auto.create.topics.enable", "false");
    // The default 128 MiB dedupe buffer is more than a laptop's local stack needs.
    p.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
    return p;
  }

  private static void format(Path propsFile) {
    String clusterId = Uuid.randomUuid().toString();
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int rc;
    try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      rc =
          StorageTool.execute(
              new String[] {"format", "-t", clusterId, "-c", propsFile.toString()}, out);
    }
    String output = buf.toString(StandardCharsets.UTF_8).trim();
    if (rc != 0) {
      throw new IllegalStateException(
          "formatting Kafka storage failed (exit " + rc + "): " + output);
    }
    log.debug("formatted Kafka storage, cluster id {}: {}", clusterId, output);
  }

  /** The {@code bootstrap.servers} of this broker. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Stops the broker and waits until its logs are flushed and closed. */
  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }
}
