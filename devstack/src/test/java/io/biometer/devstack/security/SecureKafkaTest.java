package io.biometer.devstack.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.devstack.EmbeddedKafka;
import io.biometer.devstack.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secure mode's broker (a real KafkaRaftServer with SASL_SSL, SCRAM-SHA-512 and
 * StandardAuthorizer; Kafka 4.3.1's test kit refuses SASL_SSL) with the shipped ACL file: for every
 * principal, an allowed and a forbidden operation per kind of resource it touches, each with the
 * exact exception; a wrong password; a plaintext client; an untrusted certificate.
 */
class SecureKafkaTest {

  @TempDir static Path dir;

  private static LocalSecurity security;
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() throws Exception {
    security = LocalSecurity.ensure(dir.resolve("security"));
    kafka =
        EmbeddedKafka.start(
            dir.resolve("kafka"),
            "127.0.0.1",
            FreePorts.pick(),
            FreePorts.pick(),
            Map.of(),
            new EmbeddedKafka.Secure(
                security.keystore("kafka"),
                security.truststore(),
                security.storePassword(),
                security.password("admin")));
    try (Admin admin = Admin.create(client("admin"))) {
      KafkaAcls.apply(admin, security, KafkaAcls.defaults());
      List<NewTopic> topics =
          List.of(
                  "telemetry.body.readings",
                  "telemetry.devices",
                  "telemetry.readings.clean",
                  "telemetry.alerts",
                  "telemetry.connect.dlq",
                  "_schemas")
              .stream()
              .map(t -> new NewTopic(t, 1, (short) 1))
              .toList();
      admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  private static Map<String, Object> client(String principal) {
    Map<String, Object> m = new HashMap<>(security.kafkaClient(principal));
    m.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    m.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
    m.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    return m;
  }

  private static void produce(String principal, String topic) throws Exception {
    produce(client(principal), topic);
  }

  private static void produce(Map<String, Object> config, String topic) throws Exception {
    Map<String, Object> p = new HashMap<>(config);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, new byte[] {1})).get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  /** Reads {@code topic} by assignment (no group): fetch and offsets need READ on the topic. */
  private static void read(String principal, String topic) {
    try (KafkaConsumer<byte[], byte[]> c = consumer(principal, null)) {
      c.assign(List.of(new TopicPartition(topic, 0)));
      c.seekToBeginning(c.assignment());
      c.position(new TopicPartition(topic, 0), Duration.ofSeconds(15));
      c.poll(Duration.ofMillis(500));
    }
  }

  /** Commits an offset for {@code topic} in {@code group}: needs READ on both. */
  private static void commit(String principal, String group, String topic) {
    try (KafkaConsumer<byte[], byte[]> c = consumer(principal, group)) {
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.commitSync(
          Map.of(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(0)),
          Duration.ofSeconds(15));
    }
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String principal, String group) {
    Map<String, Object> c = client(principal);
    if (group != null) {
      c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    }
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static void createTopic(String principal, String topic) throws Exception {
    try (Admin admin = Admin.create(client(principal))) {
      admin
          .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  private static void transaction(String principal, String transactionalId) {
    Map<String, Object> p = client(principal);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
    }
  }

  @Test
  void ingressWritesRawReadingsAndReadsTheRegistryOnly() throws Exception {
    produce("ingress", "telemetry.body.readings");
    assertThatThrownBy(() -> produce("ingress", "telemetry.readings.clean"))
        .isInstanceOf(TopicAuthorizationException.class)
        .hasMessageContaining("telemetry.readings.clean");
    read("ingress", "telemetry.devices");
    assertThatThrownBy(() -> read("ingress", "telemetry.alerts"))
        .isInstanceOf(TopicAuthorizationException.class);
    assertThatThrownBy(() -> commit("ingress", "ingress-group", "telemetry.devices"))
        .isInstanceOf(GroupAuthorizationException.class);
    assertThatThrownBy(() -> createTopic("ingress", "telemetry.made.by.ingress"))
        .isInstanceOf(TopicAuthorizationException.class);
    assertThatThrownBy(() -> transaction("ingress", "ingress-tx"))
        .isInstanceOf(TransactionalIdAuthorizationException.class);
  }

  @Test
  void simulatorWritesRawReadingsAndDevicesButReadsNothing() throws Exception {
    produce("simulator", "telemetry.body.readings");
    produce("simulator", "telemetry.devices");
    assertThatThrownBy(() -> produce("simulator", "telemetry.alerts"))
        .isInstanceOf(TopicAuthorizationException.class);
    assertThatThrownBy(() -> read("simulator", "telemetry.body.readings"))
        .isInstanceOf(TopicAuthorizationException.class);
    assertThatThrownBy(() -> createTopic("simulator", "telemetry.made.by.simulator"))
        .isInstanceOf(TopicAuthorizationException.class);
  }

  @Test
  void streamsReadsRawWritesOutputsAndOwnsItsPrefix() throws Exception {
    commit("streams", "biometer-streams", "telemetry.body.readings");
    read("streams", "telemetry.devices");
    assertThatThrownBy(() -> read("streams", "_schemas"))
        .isInstanceOf(TopicAuthorizationException.class);
    assertThatThrownBy(() -> commit("streams", "someone-else", "telemetry.body.readings"))
        .isInstanceOf(GroupAuthorizationException.class);
    produce("streams", "telemetry.readings.clean");
    assertThatThrownBy(() -> produce("streams", "telemetry.body.readings"))
        .isInstanceOf(TopicAuthorizationException.class);
    createTopic("streams", "biometer-streams-dedup-store-changelog");
    assertThatThrownBy(() -> createTopic("streams", "telemetry.made.by.streams"))
        .isInstanceOf(TopicAuthorizationException.class);
    transaction("streams", "biometer-streams-0a1b-1");
    assertThatThrownBy(() -> transaction("streams", "other-app-1"))
        .isInstanceOf(TransactionalIdAuthorizationException.class);
  }

  @Test
  void connectReadsOutputsWritesItsDlqAndOwnsItsTopicsAndGroups() throws Exception {
    commit("connect", "connect-questdb-sink", "telemetry.readings.clean");
    commit("connect", "biometer-connect", "telemetry.alerts");
    assertThatThrownBy(() -> read("connect", "telemetry.body.readings"))
        .isInstanceOf(TopicAuthorizationException.class);
    assertThatThrownBy(() -> commit("connect", "biometer-streams", "telemetry.readings.clean"))
        .isInstanceOf(GroupAuthorizationException.class);
    produce("connect", "telemetry.connect.dlq");
    assertThatThrownBy(() -> produce("connect", "telemetry.alerts"))
        .isInstanceOf(TopicAuthorizationException.class);
    createTopic("connect", "biometer-connect-configs");
    assertThatThrownBy(() -> createTopic("connect", "telemetry.made.by.connect"))
        .isInstanceOf(TopicAuthorizationException.class);
  }

  @Test
  void registryOwnsItsSchemaTopicOnly() throws Exception {
    produce("registry", "_schemas");
    read("registry", "_schemas");
    assertThatThrownBy(() -> produce("registry", "telemetry.body.readings"))
        .isInstanceOf(TopicAuthorizationException.class);
    assertThatThrownBy(() -> read("registry", "telemetry.devices"))
        .isInstanceOf(TopicAuthorizationException.class);
    assertThatThrownBy(() -> createTopic("registry", "_schemas_other"))
        .isInstanceOf(TopicAuthorizationException.class);
  }

  @Test
  void adminIsTheSuperUser() throws Exception {
    createTopic("admin", "telemetry.made.by.admin");
    produce("admin", "telemetry.made.by.admin");
    commit("admin", "any-group", "telemetry.made.by.admin");
    transaction("admin", "any-transaction");
  }

  @Test
  void aWrongPasswordIsRefused() {
    Map<String, Object> c = client("ingress");
    c.put(SaslConfigs.SASL_JAAS_CONFIG, LocalSecurity.jaas("ingress", "not-the-password"));
    assertThatThrownBy(() -> produce(c, "telemetry.body.readings"))
        .isInstanceOf(SaslAuthenticationException.class)
        .hasMessageContaining("Authentication failed");
    Map<String, Object> unknown = client("ingress");
    unknown.put(SaslConfigs.SASL_JAAS_CONFIG, LocalSecurity.jaas("mallory", "x"));
    assertThatThrownBy(() -> produce(unknown, "telemetry.body.readings"))
        .isInstanceOf(SaslAuthenticationException.class);
  }

  @Test
  void aPlaintextClientGetsNoAnswerFromTheTlsListener() {
    Map<String, Object> c = new HashMap<>();
    c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
    c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
    try (Admin admin = Admin.create(c)) {
      assertThatThrownBy(() -> admin.listTopics().names().get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(TimeoutException.class);
    }
  }

  @Test
  void aServerCertificateFromAnotherCaIsNotTrusted() throws Exception {
    LocalCa other = LocalCa.create("someone else's CA");
    Path trust = dir.resolve("other-truststore.p12");
    other.writeTrustStore(trust, "changeit".toCharArray());
    Map<String, Object> c = client("ingress");
    c.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, trust.toString());
    c.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, "changeit");
    assertThatThrownBy(() -> produce(c, "telemetry.body.readings"))
        .isInstanceOf(SslAuthenticationException.class)
        .hasMessageContaining("SSL handshake failed");
  }

  /** kcat (librdkafka: a client nobody here wrote) as {@code principal}; its exit and output. */
  private static String[] kcat(String principal, String password, String... args) throws Exception {
    Path conf = dir.resolve("kcat-" + principal + ".conf");
    SecureFiles.write(
        conf,
        "bootstrap.servers="
            + kafka.bootstrapServers()
            + "\nsecurity.protocol=SASL_SSL\nsasl.mechanisms=SCRAM-SHA-512\nsasl.username="
            + principal
            + "\nsasl.password="
            + password
            + "\nssl.ca.location="
            + security.caPem()
            + "\n");
    java.util.List<String> cmd = new java.util.ArrayList<>(List.of("kcat", "-F", conf.toString()));
    cmd.addAll(List.of(args));
    Tool t = runWith("from kcat\n", cmd.toArray(String[]::new));
    return new String[] {Integer.toString(t.exit()), t.output()};
  }

  /** How a tool ended. */
  private record Tool(int exit, String output) {}

  /** A tool's output, or null if it is not installed. */
  private static String run(String... cmd) {
    Tool t = runWith("", cmd);
    return t == null ? null : t.output();
  }

  /** Runs {@code cmd} with {@code stdin}: how it ended, or null if it is not installed. */
  private static Tool runWith(String stdin, String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getOutputStream().write(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      p.getOutputStream().close();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", cmd) + " did not end within 60 s");
      }
      return new Tool(
          p.exitValue(),
          new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * librdkafka before 2.6.1 appends the client nonce twice in SCRAM's client-final-message, which
   * Kafka 4.x rejects (confluentinc/librdkafka#4895): Debian bookworm's kcat has 2.0.2.
   */
  private static void assumeKcatCanScram() {
    String v = run("kcat", "-V");
    org.junit.jupiter.api.Assumptions.assumeTrue(v != null, "kcat is not installed");
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("librdkafka (\\d+)\\.(\\d+)\\.(\\d+)").matcher(v);
    org.junit.jupiter.api.Assumptions.assumeTrue(m.find(), "kcat -V names no librdkafka: " + v);
    int version =
        Integer.parseInt(m.group(1)) * 10_000
            + Integer.parseInt(m.group(2)) * 100
            + Integer.parseInt(m.group(3));
    org.junit.jupiter.api.Assumptions.assumeTrue(
        version >= 20601,
        "kcat's librdkafka "
            + m.group()
            + " cannot log in with SCRAM to Kafka 4.x (fixed in 2.6.1, librdkafka#4895)");
  }

  @Test
  void opensslVerifiesTheBrokerCertificateAgainstTheLocalCaOnly() throws Exception {
    String[] hostPort = kafka.bootstrapServers().split(":");
    String ok =
        run(
            "openssl",
            "s_client",
            "-connect",
            kafka.bootstrapServers(),
            "-CAfile",
            security.caPem().toString(),
            "-verify_return_error",
            "-verify_ip",
            hostPort[0]);
    org.junit.jupiter.api.Assumptions.assumeTrue(ok != null, "openssl is not installed");
    assertThat(ok).contains("Verify return code: 0 (ok)").contains("issuer=CN = biometer local CA");
    LocalCa other = LocalCa.create("someone else's CA");
    Path pem = dir.resolve("other-ca.crt");
    other.writePem(pem);
    String bad =
        run(
            "openssl",
            "s_client",
            "-connect",
            kafka.bootstrapServers(),
            "-CAfile",
            pem.toString(),
            "-verify_return_error");
    assertThat(bad).doesNotContain("Verify return code: 0 (ok)").contains("verify error");
  }

  @Test
  void kcatAsIngressProducesWhereItsAclsAllowAndNowhereElse() throws Exception {
    assumeKcatCanScram();
    String pw = security.password("ingress");
    String[] ok = kcat("ingress", pw, "-P", "-t", "telemetry.body.readings");
    assertThat(ok[0]).as(ok[1]).isEqualTo("0");
    String[] denied = kcat("ingress", pw, "-P", "-t", "telemetry.alerts");
    assertThat(denied[0]).as(denied[1]).isNotEqualTo("0");
    assertThat(denied[1]).contains("Topic authorization failed");
    String[] wrong = kcat("ingress", "not-the-password", "-L", "-m", "10");
    assertThat(wrong[0]).isNotEqualTo("0");
    assertThat(wrong[1]).contains("Authentication failed");
    String[] read =
        kcat(
            "streams",
            security.password("streams"),
            "-C",
            "-t",
            "telemetry.body.readings",
            "-o",
            "beginning",
            "-e");
    assertThat(read[0]).as(read[1]).isEqualTo("0");
    assertThat(read[1]).contains("from kcat");
  }

  @Test
  void theSecretsAreOwnerOnlyAndLoadedAgain() throws Exception {
    for (Path f : Files.list(security.dir()).toList()) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
          .as(f.toString())
          .isEqualTo("rw-------");
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(security.dir())))
        .isEqualTo("rwx------");
    LocalSecurity again = LocalSecurity.ensure(security.dir());
    assertThat(again.created()).isFalse();
    assertThat(again.password("streams")).isEqualTo(security.password("streams"));
    assertThat(Set.copyOf(again.secrets())).hasSize(security.secrets().size());
  }
}
