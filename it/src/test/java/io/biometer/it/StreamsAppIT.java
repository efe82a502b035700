package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.Topics;
import io.biometer.avro.Alert;
import io.biometer.avro.AlertState;
import io.biometer.avro.BodyReading;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.CleanReading;
import io.biometer.avro.DailyAggregate;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.Provenance;
import io.biometer.avro.RelayKind;
import io.biometer.avro.SensorType;
import io.biometer.devstack.*;
import io.biometer.serde.AvroDeserializer;
import io.biometer.streams.DlqHeaders;
import io.biometer.streams.StreamsApp;
import io.biometer.streams.StreamsAppConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances of the streams app with one application id share the partitions under
 * exactly_once_v2; one runs as its own JVM and is killed (SIGKILL) mid-run, then restarted. Every
 * clean reading, alert and final aggregate is in the outputs exactly once.
 */
class StreamsAppIT {

  private static final int DEVICES = 12;
  private static final int READINGS = 40;

  @TempDir Path data;

  @Test
  void killedInstanceRestartsWithoutDuplicatesOrLossUnderExactlyOnce() throws Exception {
    Map<String, String> stackValues = StackFixture.values(data.resolve("stack"), false);
    stackValues.put(DevStackConfig.TOPICS_PARTITIONS_CONFIG, "4");
    try (LocalStack stack = LocalStack.start(new DevStackConfig(stackValues))) {
      String appId = "it-" + UUID.randomUUID();
      // Two days ago, so that every reading, the closing ones included, is in the past.
      Instant day =
          Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS).minus(Duration.ofDays(2));
      register(stack);

      int portA = StackFixture.freePort();
      Path configA = writeConfig(stack, appId, data.resolve("state-a"), portA);
      Process a = launch(configA);
      StreamsApp b =
          StreamsApp.start(
              new StreamsAppConfig(
                  values(stack, appId, data.resolve("state-b"), StackFixture.freePort())));
      try {
        Poll.until(Duration.ofSeconds(90), "instance A healthy", () -> health(portA) == 200);
        Poll.until(
            Duration.ofSeconds(90), "instance B running", () -> b.state().name().equals("RUNNING"));
        assertThat(b.metricsAddress().getAddress().isLoopbackAddress())
            .as("/metrics listens on metrics.host, not on every interface")
            .isTrue();

        produceHalf(stack, day, 0, READINGS / 2);
        Poll.until(
            Duration.ofSeconds(60),
            "some clean output",
            () -> count(stack, Topics.READINGS_CLEAN) > 0);
        a.destroyForcibly().waitFor();
        produceHalf(stack, day, READINGS / 2, READINGS);
        a = launch(configA);
        Poll.until(Duration.ofSeconds(90), "instance A back", () -> health(portA) == 200);
        // One reading per device the next day moves stream time past yesterday's end plus grace.
        produceClosing(stack, day.plus(Duration.ofDays(1)).plus(Duration.ofHours(2)));
        // And a record nobody can decode, which must reach the DLQ under exactly-once too.
        try (KafkaProducer<byte[], byte[]> p =
            new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
          p.send(
                  new ProducerRecord<>(
                      Topics.BODY_READINGS,
                      "temp-0".getBytes(StandardCharsets.UTF_8),
                      "garbage".getBytes(StandardCharsets.UTF_8)))
              .get();
        }

        int expectedClean = DEVICES * (READINGS + 1);
        List<CleanReading> clean =
            readAll(
                stack,
                Topics.READINGS_CLEAN,
                CleanReading.class,
                expectedClean,
                Duration.ofSeconds(120));
        assertThat(clean).hasSize(expectedClean);
        assertThat(
                clean.stream().map(r -> r.getDeviceId() + "#" + r.getSequence()).distinct().count())
            .isEqualTo(expectedClean);

        List<Alert> alerts =
            readAll(stack, Topics.ALERTS, Alert.class, DEVICES * 2, Duration.ofSeconds(60));
        Map<String, List<AlertState>> perDevice =
            alerts.stream()
                .collect(
                    Collectors.groupingBy(
                        Alert::getDeviceId,
                        Collectors.mapping(Alert::getState, Collectors.toList())));
        assertThat(perDevice).hasSize(DEVICES);
        perDevice
            .values()
            .forEach(s -> assertThat(s).containsExactly(AlertState.RAISED, AlertState.CLEARED));

        List<DailyAggregate> finals =
            readAll(
                    stack,
                    Topics.AGGREGATES_DAILY,
                    DailyAggregate.class,
                    DEVICES,
                    Duration.ofSeconds(60))
                .stream()
                .filter(DailyAggregate::getIsFinal)
                .toList();
        assertThat(finals).hasSize(DEVICES);
        assertThat(finals).allSatisfy(f -> assertThat(f.getCount()).isEqualTo(READINGS));

        List<ConsumerRecord<byte[], byte[]>> dlq =
            readRaw(stack, Topics.DLQ, 1, Duration.ofSeconds(60));
        assertThat(dlq).hasSize(1);
        assertThat(DlqHeaders.value(dlq.get(0).headers(), DlqHeaders.REASON))
            .isEqualTo("undecodable");
        assertThat(new String(dlq.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("garbage");

        assertThat(httpBody(portA, "/metrics"))
            .contains("biometer_records_in_total")
            .contains("kafka_stream");
      } finally {
        a.destroyForcibly();
        b.close();
      }
    }
  }

  private static void register(LocalStack stack) throws Exception {
    try (KafkaProducer<String, SpecificRecord> p = Clients.producer(stack)) {
      for (int i = 0; i < DEVICES; i++) {
        String id = "temp-" + i;
        p.send(
                new ProducerRecord<>(
                    Topics.DEVICES,
                    id,
                    Device.newBuilder()
                        .setDeviceId(id)
                        .setKind(DeviceKind.BODY_SENSOR)
                        .setSensorType(SensorType.BODY_TEMPERATURE)
                        .setOwnerId("patient-" + i)
                        .setRegisteredAt(Instant.EPOCH)
                        .build()))
            .get();
      }
    }
  }

  /** Readings seq in [from, to) for every device, each sent by two sinks; 10..14 are a fever. */
  private static void produceHalf(LocalStack stack, Instant day, int from, int to)
      throws Exception {
    try (KafkaProducer<String, SpecificRecord> p = Clients.producer(stack)) {
      for (int seq = from; seq < to; seq++) {
        for (int i = 0; i < DEVICES; i++) {
          double v = seq >= 10 && seq < 15 ? 39.5 : 36.8;
          Instant t = day.plus(Duration.ofMinutes(10L * seq + 1));
          for (String sink : List.of("sink-a", "sink-b")) {
            p.send(
                new ProducerRecord<>(
                    Topics.BODY_READINGS, "temp-" + i, reading("temp-" + i, seq, t, v, sink)));
          }
        }
      }
      p.flush();
    }
  }

  private static void produceClosing(LocalStack stack, Instant t) throws Exception {
    try (KafkaProducer<String, SpecificRecord> p = Clients.producer(stack)) {
      for (int i = 0; i < DEVICES; i++) {
        p.send(
            new ProducerRecord<>(
                Topics.BODY_READINGS,
                "temp-" + i,
                reading("temp-" + i, READINGS, t, 36.8, "sink-a")));
      }
      p.flush();
    }
  }

  private static BodyReading reading(String id, long seq, Instant t, double v, String sink) {
    return BodyReading.newBuilder()
        .setDeviceId(id)
        .setPatientId("patient")
        .setSensorType(SensorType.BODY_TEMPERATURE)
        .setSequence(seq)
        .setEventTime(t)
        .setValues(List.of(new ChannelValue("body_temperature", v)))
        .setBatteryPercent(90f)
        .setProvenance(new Provenance(RelayKind.SINK, sink, t, false))
        .build();
  }

  private static Map<String, Object> values(LocalStack stack, String appId, Path state, int port) {
    Map<String, Object> v = new HashMap<>();
    v.put(StreamsAppConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    v.put(StreamsAppConfig.SCHEMA_REGISTRY_URL_CONFIG, stack.registryUrl());
    v.put(StreamsAppConfig.APPLICATION_ID_CONFIG, appId);
    v.put(StreamsAppConfig.STATE_DIR_CONFIG, state.toString());
    v.put(StreamsAppConfig.METRICS_PORT_CONFIG, port);
    v.put(StreamsAppConfig.METRICS_HOST_CONFIG, "127.0.0.1");
    v.put(StreamsAppConfig.AGGREGATION_GRACE_MS_CONFIG, 3_600_000L);
    v.put(StreamsAppConfig.AGGREGATION_UPDATE_INTERVAL_MS_CONFIG, 0L);
    // Yesterday's readings are old but not from the future; a dead member is noticed in 6 s.
    v.put("kafka.session.timeout.ms", 6000);
    v.put("kafka.heartbeat.interval.ms", 1000);
    return v;
  }

  private static Path writeConfig(LocalStack stack, String appId, Path state, int port)
      throws IOException {
    Properties p = new Properties();
    values(stack, appId, state, port).forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
    Path file = state.resolveSibling(state.getFileName() + ".properties");
    Files.createDirectories(file.getParent());
    try (OutputStream out = Files.newOutputStream(file)) {
      p.store(out, null);
    }
    return file;
  }

  private static Process launch(Path config) throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                StreamsApp.class.getName(),
                "--config",
                config.toString()));
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(config.resolveSibling(config.getFileName() + ".log").toFile())
        .start();
  }

  private static int health(int port) {
    try {
      HttpURLConnection c =
          (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/health").openConnection();
      c.setConnectTimeout(1000);
      return c.getResponseCode();
    } catch (IOException e) {
      return -1;
    }
  }

  private static String httpBody(int port, String path) throws IOException {
    HttpURLConnection c =
        (HttpURLConnection) new URL("http://127.0.0.1:" + port + path).openConnection();
    try (var in = c.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static Map<String, Object> consumerProps(LocalStack stack) {
    Map<String, Object> p = new HashMap<>(Clients.serdeConfig(stack));
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return p;
  }

  private static long count(LocalStack stack, String topic) {
    return readRaw(stack, topic, 1, Duration.ofSeconds(2)).size();
  }

  /**
   * Reads committed records until {@code expected} arrived, then a little longer to catch extras.
   */
  private static <T extends SpecificRecord> List<T> readAll(
      LocalStack stack, String topic, Class<T> type, int expected, Duration deadline) {
    AvroDeserializer<T> d = new AvroDeserializer<>(type);
    d.configure(Clients.serdeConfig(stack), false);
    List<T> out = new ArrayList<>();
    try (KafkaConsumer<String, T> c =
        new KafkaConsumer<>(consumerProps(stack), new StringDeserializer(), d)) {
      c.subscribe(List.of(topic));
      Instant end = Instant.now().plus(deadline);
      Instant settle = null;
      while (Instant.now().isBefore(end) && (settle == null || Instant.now().isBefore(settle))) {
        c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
        if (settle == null && out.size() >= expected) {
          settle = Instant.now().plusSeconds(3);
        }
      }
    }
    return out;
  }

  private static List<ConsumerRecord<byte[], byte[]>> readRaw(
      LocalStack stack, String topic, int expected, Duration deadline) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(
            consumerProps(stack), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      Instant end = Instant.now().plus(deadline);
      while (out.size() < expected && Instant.now().isBefore(end)) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }
}
