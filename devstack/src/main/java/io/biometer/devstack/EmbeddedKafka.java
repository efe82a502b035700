package io.biometer.devstack;

import io.biometer.devstack.security.LocalSecurity;
import io.biometer.devstack.security.SecureFiles;
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
    return start(dir, host, port, controllerPort, brokerOverrides, null);
  }

  /**
   * The secure mode's broker settings: the broker's key store, the trust store of the CA that
   * signed the clients' and brokers' certificates, their password, and the password of the super
   * user {@code admin}, which the broker and its controller authenticate as.
   */
  public record Secure(Path keystore, Path truststore, String storePassword, String adminPassword) {
    @Override
    public String toString() {
      return "Secure[keystore=" + keystore + ", truststore=" + truststore + "]";
    }
  }

  /**
   * As {@link #start(Path, String, int, int, Map)}; with {@code secure} not null the client and
   * controller listeners are SASL_SSL with SCRAM-SHA-512, {@code StandardAuthorizer} decides with
   * {@code allow.everyone.if.no.acl.found=false}, and {@code admin} (created at format) is the only
   * super user. A folder formatted without security is refused in secure mode (its metadata has no
   * {@code admin} credential).
   */
  public static EmbeddedKafka start(
      Path dir,
      String host,
      int port,
      int controllerPort,
      Map<String, String> brokerOverrides,
      Secure secure)
      throws IOException {
    Path logs = dir.resolve("logs");
    Files.createDirectories(logs);
    Properties props = brokerProps(logs, host, port, controllerPort, secure);
    props.putAll(brokerOverrides);
    Path propsFile = dir.resolve("server.properties");
    // It holds the admin's password in secure mode: readable by its owner only.
    try (OutputStream out = Files.newOutputStream(SecureFiles.create(propsFile))) {
      props.store(
          out, "written by biometer's local stack on every start; edit DevStackConfig instead");
    }
    Path secureMarker = dir.resolve("formatted-secure");
    boolean formatted = Files.exists(logs.resolve("meta.properties"));
    if (!formatted) {
      format(propsFile, secure);
      if (secure != null) {
        Files.writeString(secureMarker, "formatted with the SCRAM credential of admin\n");
      }
    } else if (secure != null && !Files.exists(secureMarker)) {
      throw new IllegalStateException(
          "the Kafka data in "
              + dir
              + " was made by a run without security.enabled: its metadata has no SCRAM"
              + " credential for admin. Start the secure mode with another data.dir (or move "
              + dir
              + " away)");
    }
    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    server.startup();
    return new EmbeddedKafka(server, host + ":" + port);
  }

  private static Properties brokerProps(
      Path logs, String host, int port, int controllerPort, Secure secure) {
    Properties p = new Properties();
    p.put("node.id", "1");
    p.put("process.roles", "broker,controller");
    p.put("controller.quorum.voters", "1@" + host + ":" + controllerPort);
    String client = secure == null ? "PLAINTEXT" : "SASL_SSL";
    p.put(
        "listeners",
        client + "://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort);
    p.put("advertised.listeners", client + "://" + host + ":" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", client);
    p.put("listener.security.protocol.map", client + ":" + client + ",CONTROLLER:" + client);
    if (secure != null) {
      String mechanism = LocalSecurity.SASL_MECHANISM;
      String jaas = LocalSecurity.jaas("admin", secure.adminPassword());
      p.put("sasl.enabled.mechanisms", mechanism);
      p.put("sasl.mechanism.inter.broker.protocol", mechanism);
      p.put("sasl.mechanism.controller.protocol", mechanism);
      String m = mechanism.toLowerCase(java.util.Locale.ROOT);
      p.put("listener.name.sasl_ssl." + m + ".sasl.jaas.config", jaas);
      p.put("listener.name.controller." + m + ".sasl.jaas.config", jaas);
      p.put("listener.name.controller.sasl.enabled.mechanisms", mechanism);
      p.put("ssl.keystore.type", "PKCS12");
      p.put("ssl.keystore.location", secure.keystore().toString());
      p.put("ssl.keystore.password", secure.storePassword());
      p.put("ssl.key.password", secure.storePassword());
      p.put("ssl.truststore.type", "PKCS12");
      p.put("ssl.truststore.location", secure.truststore().toString());
      p.put("ssl.truststore.password", secure.storePassword());
      p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
      p.put("super.users", "User:admin");
      p.put("allow.everyone.if.no.acl.found", "false");
    }
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

  private static void format(Path propsFile, Secure secure) {
    String clusterId = Uuid.randomUuid().toString();
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    java.util.List<String> args =
        new java.util.ArrayList<>(
            java.util.List.of("format", "-t", clusterId, "-c", propsFile.toString()));
    if (secure != null) {
      // The super user's credential is in the metadata from the first record: the controller
      // and the broker authenticate with it before any Admin call could create it.
      args.add("--add-scram");
      args.add(
          LocalSecurity.SASL_MECHANISM + "=[name=admin,password=" + secure.adminPassword() + "]");
    }
    int rc;
    try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      rc = StorageTool.execute(args.toArray(String[]::new), out);
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
