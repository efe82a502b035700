package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.Topics;
import io.biometer.avro.Alert;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.CleanReading;
import io.biometer.avro.DailyAggregate;
import io.biometer.devstack.*;
import io.biometer.devstack.security.LocalSecurity;
import io.biometer.serde.AvroDeserializer;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path, simulator to Kafka to streams app to Connect to QuestDB, in the local run: what
 * landed in each table equals what the streams app committed to its topic, row for record.
 */
class LandingIT {

  @TempDir Path data;

  @Test
  void everyOutputRecordLandsOnceAndASecondStartResumesFromTheCommittedOffsets() throws Exception {
    run(false);
  }

  /**
   * The same in secure mode (issue 16): every part on its own principal with only its ACLs, the
   * registry, Connect and QuestDB behind passwords, the gateway on TLS; the same rows land. And no
   * generated secret appears in any log line of the run, in this JVM or the Connect worker's.
   */
  @Test
  void inSecureModeTheSameRowsLandAndNoSecretIsLogged() throws Exception {
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
        new ch.qos.logback.core.read.ListAppender<>();
    logged.start();
    root.addAppender(logged);
    LocalSecurity security;
    List<String> described;
    try {
      RunResult r = run(true);
      security = r.security();
      described = r.described();
    } finally {
      root.detachAppender(logged);
    }
    assertThat(security.created()).isTrue();
    StringBuilder logs = new StringBuilder(String.join("\n", described)).append('\n');
    for (ch.qos.logback.classic.spi.ILoggingEvent e : List.copyOf(logged.list)) {
      logs.append(e.getFormattedMessage()).append('\n');
      for (var t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        logs.append(t.getMessage()).append('\n');
      }
    }
    for (String f : List.of("connect/connect.log", "connect/connect.out")) {
      logs.append(java.nio.file.Files.readString(data.resolve(f))).append('\n');
    }
    try (var files = java.nio.file.Files.walk(data.resolve("questdb"))) {
      for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
        logs.append(java.nio.file.Files.readString(f)).append('\n');
      }
    }
    assertThat(logged.list).hasSizeGreaterThan(10);
    assertThat(logs.toString()).contains("questdb-sink RUNNING");
    for (String secret : security.secrets()) {
      assertThat(logs.toString()).as("a generated secret in the logs").doesNotContain(secret);
    }
  }

  record RunResult(LocalSecurity security, List<String> described) {}

  private RunResult run(boolean secure) throws Exception {
    Map<String, String> values = StackFixture.pipelineValues(data, 2, 300, 20261201L);
    values.put(DevStackConfig.SECURITY_ENABLED_CONFIG, Boolean.toString(secure));
    // Secure: the simulator's sinks and meters go through the gateway too (MQTT over TLS).
    values.put(DevStackConfig.INGRESS_ENABLED_CONFIG, Boolean.toString(secure));
    DevStackConfig config = new DevStackConfig(values);

    Map<TopicPartition, Long> committedAtStop;
    LocalSecurity security;
    List<String> described;
    try (LocalStack stack = LocalStack.start(config)) {
      security = stack.security();
      described = stack.describe();
      everyPortRefusesANonLoopbackAddress(stack);
      if (secure) {
        everyEndpointWantsItsLogin(stack);
      }
      // Until the streams app's first running aggregates (emitted every 30 s, wall clock) landed.
      Poll.until(
          Duration.ofSeconds(90),
          "daily aggregates and 1,000 readings in QuestDB",
          () -> {
            try (var c =
                java.sql.DriverManager.getConnection(
                    stack.questdb().jdbcUrl(), stack.questdb().jdbcProperties())) {
              return EmbeddedQuestDb.countIfExists(c, "SELECT count() FROM daily_aggregates") > 0
                  && EmbeddedQuestDb.countIfExists(c, "SELECT count() FROM readings") > 1_000;
            } catch (java.sql.SQLException e) {
              return false;
            }
          });
      stack.simulator().close();

      Expected expected = awaitLanded(stack);
      assertThat(expected.readings).hasSizeGreaterThan(1_000);
      assertThat(expected.aggregates).isNotEmpty();
      committedAtStop = awaitCommittedToTheEnd(stack);
    }

    if (secure) {
      // The resume is the same code in both modes; the plain run checks it.
      return new RunResult(security, described);
    }
    // A second start: the connector goes on from its committed offsets, it does not start over.
    values.put(DevStackConfig.SIMULATOR_ENABLED_CONFIG, "false");
    try (LocalStack stack = LocalStack.start(new DevStackConfig(values))) {
      assertThat(stack.topics().created()).isEmpty();
      Map<TopicPartition, OffsetAndMetadata> first = committed(stack);
      committedAtStop.forEach(
          (tp, offset) ->
              assertThat(first.get(tp).offset()).as("committed offset of " + tp).isEqualTo(offset));
      Expected expected = awaitLanded(stack);
      assertThat(expected.readings).hasSizeGreaterThan(1_000);
    }
    return new RunResult(security, described);
  }

  /** What the topics hold and the tables must equal. */
  record Expected(List<String> readings, List<String> alerts, List<String> aggregates) {}

  /** Waits until the tables equal the topics (the streams app may still add silence alerts). */
  private static Expected awaitLanded(LocalStack stack) throws Exception {
    return Poll.await(
            Duration.ofSeconds(180),
            Duration.ofSeconds(1),
            "tables equal the topics",
            () -> new Landed(expected(stack), landed(stack)),
            Landed::equal)
        .expected();
  }

  /** What the topics hold, and what the tables hold sorted, in the same shape. */
  record Landed(Expected expected, Expected tables) {
    boolean equal() {
      return tables.equals(expected);
    }

    @Override
    public String toString() {
      return "readings "
          + tables.readings.size()
          + "/"
          + expected.readings.size()
          + ", alerts "
          + tables.alerts.size()
          + "/"
          + expected.alerts.size()
          + ", aggregates "
          + tables.aggregates.size()
          + "/"
          + expected.aggregates.size();
    }
  }

  private static Expected landed(LocalStack stack) throws Exception {
    List<String> readings =
        rowsIfAny(stack, "SELECT device_id, sequence, channel, value, ts::long FROM readings");
    List<String> alerts =
        rowsIfAny(
            stack, "SELECT device_id, rule, state, ts::long, kind, severity, late FROM alerts");
    List<String> aggregates =
        rowsIfAny(
            stack,
            "SELECT device_id, channel, ts::long, count, min, max, mean, is_final FROM daily_aggregates");
    Collections.sort(readings);
    Collections.sort(alerts);
    Collections.sort(aggregates);
    return new Expected(readings, alerts, aggregates);
  }

  /** The rows of {@code sql}, none while its table does not exist yet. */
  private static List<String> rowsIfAny(LocalStack stack, String sql) throws Exception {
    try {
      return ConnectorIT.rows(stack, sql);
    } catch (java.sql.SQLException e) {
      if (String.valueOf(e.getMessage()).contains("table does not exist")) {
        return new ArrayList<>();
      }
      throw e;
    }
  }

  private static Expected expected(LocalStack stack) {
    List<String> readings = new ArrayList<>();
    for (CleanReading r : read(stack, Topics.READINGS_CLEAN, CleanReading.class)) {
      long ts = r.getEventTime().toEpochMilli() * 1000L;
      for (ChannelValue v : r.getValues()) {
        readings.add(
            r.getDeviceId()
                + "|"
                + r.getSequence()
                + "|"
                + v.getChannel()
                + "|"
                + v.getValue()
                + "|"
                + ts);
      }
    }
    // One row per (ts, device, rule, state): the table's upsert keys; the last record wins.
    Map<String, String> alerts = new TreeMap<>();
    for (Alert a : read(stack, Topics.ALERTS, Alert.class)) {
      String key =
          a.getDeviceId()
              + "|"
              + a.getRule()
              + "|"
              + a.getState()
              + "|"
              + a.getEventTime().toEpochMilli() * 1000L;
      alerts.put(
          key, key + "|" + a.getKind() + "|" + a.getSeverity() + "|" + (a.getLate() ? "t" : "f"));
    }
    // One row per (device, channel, day): the last value sent replaces the running ones.
    Map<String, String> aggregates = new LinkedHashMap<>();
    for (DailyAggregate d : read(stack, Topics.AGGREGATES_DAILY, DailyAggregate.class)) {
      String key =
          d.getDeviceId() + "|" + d.getChannel() + "|" + d.getWindowStart().toEpochMilli() * 1000L;
      aggregates.put(
          key,
          key
              + "|"
              + d.getCount()
              + "|"
              + d.getMin()
              + "|"
              + d.getMax()
              + "|"
              + d.getMean()
              + "|"
              + (d.getIsFinal() ? "t" : "f"));
    }
    List<String> r = new ArrayList<>(readings);
    Collections.sort(r);
    return new Expected(
        r,
        new ArrayList<>(new TreeSet<>(alerts.values())),
        new ArrayList<>(new TreeSet<>(aggregates.values())));
  }

  /** Every committed record of {@code topic}, in offset order per partition. */
  private static <T extends org.apache.avro.specific.SpecificRecord> List<T> read(
      LocalStack stack, String topic, Class<T> type) {
    Map<String, Object> p = stack.adminClient();
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.putAll(stack.serdeSettings("admin"));
    AvroDeserializer<T> values = new AvroDeserializer<>(type);
    values.configure(p, false);
    List<T> out = new ArrayList<>();
    try (KafkaConsumer<String, T> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), values)) {
      List<TopicPartition> parts =
          consumer.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      Instant deadline = Instant.now().plusSeconds(60);
      while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
          && Instant.now().isBefore(deadline)) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
      }
    }
    return out;
  }

  private static Map<TopicPartition, OffsetAndMetadata> committed(LocalStack stack)
      throws Exception {
    try (Admin admin = Admin.create(stack.adminClient())) {
      return admin
          .listConsumerGroupOffsets("connect-" + LocalStack.CONNECTOR)
          .partitionsToOffsetAndMetadata()
          .get();
    }
  }

  /** End offsets of the landed topics, and the connector's committed offsets. */
  record Progress(Map<TopicPartition, Long> ends, Map<TopicPartition, Long> at) {
    /**
     * The last offset of a partition the streams app writes transactionally is a commit marker,
     * which no consumer ever reads: a fully read partition is committed at end - 1.
     */
    boolean done() {
      return ends.entrySet().stream()
          .allMatch(e -> e.getValue() == 0 || at.get(e.getKey()) >= e.getValue() - 1);
    }
  }

  /** Waits until the connector committed every record of its topics; returns those offsets. */
  private static Map<TopicPartition, Long> awaitCommittedToTheEnd(LocalStack stack)
      throws Exception {
    try (Admin admin = Admin.create(stack.adminClient())) {
      Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
      for (String t : List.of(Topics.READINGS_CLEAN, Topics.ALERTS, Topics.AGGREGATES_DAILY)) {
        for (int p = 0; p < 2; p++) {
          specs.put(new TopicPartition(t, p), OffsetSpec.latest());
        }
      }
      return Poll.await(
              Duration.ofSeconds(60),
              Duration.ofMillis(500),
              "connector committed up to the end offsets",
              () -> {
                Map<TopicPartition, Long> ends = new HashMap<>();
                admin
                    .listOffsets(specs)
                    .all()
                    .get()
                    .forEach((tp, info) -> ends.put(tp, info.offset()));
                Map<TopicPartition, OffsetAndMetadata> committed = committed(stack);
                Map<TopicPartition, Long> at = new HashMap<>();
                ends.keySet()
                    .forEach(
                        tp ->
                            at.put(tp, committed.get(tp) == null ? 0 : committed.get(tp).offset()));
                return new Progress(ends, at);
              },
              Progress::done)
          .at();
    }
  }

  /**
   * Connects to every port of the stack through a non-loopback address of this machine: each must
   * refuse, since every part listens on bind.host (127.0.0.1) only.
   */
  /**
   * In secure mode each HTTP endpoint refuses a request without its login (401) and answers with
   * it; ours serve TLS that a client trusting the local CA accepts, and plain HTTP gets no answer
   * from them.
   */
  private static void everyEndpointWantsItsLogin(LocalStack stack) throws Exception {
    LocalSecurity sec = stack.security();
    java.net.http.HttpClient trusting =
        java.net.http.HttpClient.newBuilder()
            .sslContext(
                io.biometer.config.http.EndpointSecurity.trusting(
                    sec.truststore(), sec.storePassword()))
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    String host = stack.config().bindHost();
    String metrics = basic(sec.metricsUserInfo());
    Map<String, String> endpoints = new LinkedHashMap<>();
    endpoints.put("https://" + host + ":" + stack.streams().metricsPort() + "/metrics", metrics);
    endpoints.put("https://" + host + ":" + stack.streams().metricsPort() + "/health", metrics);
    if (stack.ingress() != null) {
      endpoints.put("https://" + host + ":" + stack.ingress().httpPort() + "/metrics", metrics);
    }
    endpoints.put(stack.registryUrl() + "/subjects", basic(sec.registryUserInfo("streams")));
    endpoints.put(stack.connect().url() + "/connectors", stack.connect().restAuthorization());
    endpoints.put(stack.connect().metricsUrl(), metrics);
    endpoints.put(
        stack.questdb().httpUrl() + "/exec?query=select%201", stack.questdb().httpAuthorization());
    for (Map.Entry<String, String> e : endpoints.entrySet()) {
      java.net.URI uri = java.net.URI.create(e.getKey());
      assertThat(
              trusting
                  .send(
                      java.net.http.HttpRequest.newBuilder(uri).GET().build(),
                      java.net.http.HttpResponse.BodyHandlers.discarding())
                  .statusCode())
          .as("GET %s without a login", uri)
          .isEqualTo(401);
      assertThat(
              trusting
                  .send(
                      java.net.http.HttpRequest.newBuilder(uri)
                          .header("Authorization", e.getValue())
                          .GET()
                          .build(),
                      java.net.http.HttpResponse.BodyHandlers.discarding())
                  .statusCode())
          .as("GET %s with its login", uri)
          // /health says 503 while the streams app is not RUNNING yet: a login it took.
          .isIn(uri.getPath().equals("/health") ? List.of(200, 503) : List.of(200));
    }
    java.net.http.HttpClient plain =
        java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    java.net.URI http =
        java.net.URI.create("http://" + host + ":" + stack.streams().metricsPort() + "/metrics");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                plain.send(
                    java.net.http.HttpRequest.newBuilder(http)
                        .timeout(Duration.ofSeconds(5))
                        .header("Authorization", metrics)
                        .GET()
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()))
        .as("plain HTTP to the TLS metrics port")
        .isInstanceOf(IOException.class);
  }

  private static String basic(String userInfo) {
    return "Basic "
        + java.util.Base64.getEncoder()
            .encodeToString(userInfo.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static void everyPortRefusesANonLoopbackAddress(LocalStack stack) throws IOException {
    InetAddress outside = null;
    for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress a : Collections.list(ni.getInetAddresses())) {
        if (!a.isLoopbackAddress() && a instanceof Inet4Address && ni.isUp()) {
          outside = a;
        }
      }
    }
    Assumptions.assumeTrue(outside != null, "no non-loopback IPv4 address to try from");
    DevStackConfig c = stack.config();
    Map<String, Integer> ports = new LinkedHashMap<>();
    ports.put("kafka", c.kafkaPort());
    ports.put("kafka controller", c.kafkaControllerPort());
    ports.put("registry", c.registryPort());
    ports.put("questdb http", c.questdbHttpPort());
    ports.put("questdb min http", c.questdbHttpMinPort());
    ports.put("questdb pg", c.questdbPgPort());
    if (stack.questdb().ilpAddress() != null) {
      // Off in secure mode: QuestDB open source protects ILP/TCP only with its own tokens.
      ports.put("questdb ilp", c.questdbIlpPort());
    }
    ports.put("connect rest", c.connectPort());
    ports.put("connect metrics", c.connectMetricsPort());
    ports.put("streams metrics", stack.streams().metricsPort());
    List<String> open = new ArrayList<>();
    for (var e : ports.entrySet()) {
      // Each port answers on loopback, so a refusal below is about the address, not the port.
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", e.getValue()), 2000);
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(outside, e.getValue()), 2000);
        open.add(e.getKey() + " " + outside.getHostAddress() + ":" + e.getValue());
      } catch (IOException refused) {
        // as it must be
      }
    }
    assertThat(open).as("ports reachable from a non-loopback address").isEmpty();
  }
}
