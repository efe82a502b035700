package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.biometer.Topics;
import io.biometer.avro.BodyReading;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.Provenance;
import io.biometer.avro.RelayKind;
import io.biometer.avro.SensorType;
import io.biometer.devstack.*;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded local stack, started once for these tests, as a user's clients see it. */
class LocalStackIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path data;
  private static LocalStack stack;

  @BeforeAll
  static void start() {
    stack = LocalStack.start(StackFixture.config(data, true));
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  private static BodyReading reading(String device, long seq) {
    return BodyReading.newBuilder()
        .setDeviceId(device)
        .setPatientId("patient-1")
        .setSensorType(SensorType.BLOOD_PRESSURE)
        .setSequence(seq)
        .setEventTime(Instant.ofEpochMilli(1_763_683_200_000L + seq))
        .setValues(
            List.of(new ChannelValue("systolic", 131.0), new ChannelValue("diastolic", 84.0)))
        .setBatteryPercent(66.0f)
        .setProvenance(
            new Provenance(
                RelayKind.SINK, "sink-B", Instant.ofEpochMilli(1_763_683_200_100L), false))
        .build();
  }

  @Test
  void recordProducedWithOurSerializerIsConsumedBackEqual() throws Exception {
    BodyReading sent = reading("roundtrip-1", 5);
    Clients.send(stack, Topics.BODY_READINGS, sent.getDeviceId(), sent);
    List<ConsumerRecord<String, BodyReading>> got =
        Clients.read(
            stack,
            Topics.BODY_READINGS,
            1,
            Clients.deserializer(stack, BodyReading.class),
            Duration.ofSeconds(30));
    assertThat(got).extracting(ConsumerRecord::value).contains(sent);
  }

  @Test
  void bytesDecodeByHandWithTheSchemaFetchedOverPlainHttp() throws Exception {
    BodyReading sent = reading("byhand-1", 9);
    Clients.send(stack, Topics.BODY_READINGS, sent.getDeviceId(), sent);
    List<ConsumerRecord<String, byte[]>> raw =
        Clients.readUntil(
            stack,
            Topics.BODY_READINGS,
            new ByteArrayDeserializer(),
            Duration.ofSeconds(30),
            got -> got.stream().anyMatch(r -> r.key().equals("byhand-1")));
    byte[] bytes =
        raw.stream().filter(r -> r.key().equals("byhand-1")).findFirst().orElseThrow().value();

    // The Confluent wire format, by hand: magic byte 0, big-endian schema id, Avro binary.
    assertThat(bytes[0]).isEqualTo((byte) 0);
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    HttpURLConnection http =
        (HttpURLConnection) new URL(stack.registryUrl() + "/schemas/ids/" + id).openConnection();
    assertThat(http.getResponseCode()).isEqualTo(200);
    String schemaText;
    try (InputStream in = http.getInputStream()) {
      schemaText = JSON.readTree(in).get("schema").asText();
    }
    Schema writer = new Schema.Parser().parse(schemaText);
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null);
    GenericRecord decoded = new GenericDatumReader<GenericRecord>(writer).read(null, decoder);
    assertThat(decoder.isEnd()).isTrue();

    assertThat(decoded.get("deviceId").toString()).isEqualTo("byhand-1");
    assertThat(decoded.get("sequence")).isEqualTo(9L);
    assertThat(decoded.get("eventTime")).isEqualTo(sent.getEventTime().toEpochMilli());
    assertThat(decoded.get("sensorType").toString()).isEqualTo("BLOOD_PRESSURE");
    GenericRecord systolic = (GenericRecord) ((List<?>) decoded.get("values")).get(0);
    assertThat(systolic.get("channel").toString()).isEqualTo("systolic");
    assertThat(systolic.get("value")).isEqualTo(131.0);
    assertThat(((GenericRecord) decoded.get("provenance")).get("relayId").toString())
        .isEqualTo("sink-B");
  }

  @Test
  void incompatibleSchemaIsRefusedWithHttp409() throws Exception {
    String subject = "it-compat-value";
    String v1 =
        "{\"type\":\"record\",\"name\":\"C\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"}]}";
    String v2 =
        "{\"type\":\"record\",\"name\":\"C\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}";
    assertThat(post(subject, v1)).isEqualTo(200);
    assertThat(post(subject, v2)).isEqualTo(409);
  }

  private static int post(String subject, String schema) throws Exception {
    HttpURLConnection http =
        (HttpURLConnection)
            new URL(stack.registryUrl() + "/subjects/" + subject + "/versions").openConnection();
    http.setRequestMethod("POST");
    http.setDoOutput(true);
    http.setRequestProperty("Content-Type", "application/vnd.schemaregistry.v1+json");
    try (OutputStream out = http.getOutputStream()) {
      out.write(
          JSON.createObjectNode()
              .put("schema", schema)
              .toString()
              .getBytes(StandardCharsets.UTF_8));
    }
    return http.getResponseCode();
  }

  @Test
  void pipelineTopicsExistWithTheirPolicies() throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
      Map<String, TopicDescription> topics = admin.describeTopics(Topics.ALL).allTopicNames().get();
      assertThat(topics).containsOnlyKeys(Topics.ALL);
      topics.values().forEach(t -> assertThat(t.partitions()).as(t.name()).hasSize(2));
      Map<ConfigResource, Config> configs =
          admin
              .describeConfigs(
                  List.of(
                      new ConfigResource(ConfigResource.Type.TOPIC, Topics.DEVICES),
                      new ConfigResource(ConfigResource.Type.TOPIC, Topics.BODY_READINGS),
                      new ConfigResource(ConfigResource.Type.TOPIC, Topics.DLQ)))
              .all()
              .get();
      assertThat(
              configs
                  .get(new ConfigResource(ConfigResource.Type.TOPIC, Topics.DEVICES))
                  .get("cleanup.policy")
                  .value())
          .isEqualTo("compact");
      Config readings =
          configs.get(new ConfigResource(ConfigResource.Type.TOPIC, Topics.BODY_READINGS));
      assertThat(readings.get("cleanup.policy").value()).isEqualTo("delete");
      assertThat(readings.get("retention.ms").value())
          .isEqualTo(Long.toString(DevStackConfig.TOPICS_RETENTION_MS_DEFAULT));
      assertThat(
              configs
                  .get(new ConfigResource(ConfigResource.Type.TOPIC, Topics.DLQ))
                  .get("retention.ms")
                  .value())
          .isEqualTo(Long.toString(DevStackConfig.TOPICS_DLQ_RETENTION_MS_DEFAULT));
    }
  }

  @Test
  void questdbAnswersSqlOnItsPostgresPort() throws Exception {
    Properties p = new Properties();
    p.put("user", "admin");
    p.put("password", "quest");
    try (Connection c = DriverManager.getConnection(stack.questdb().jdbcUrl(), p);
        ResultSet rs = c.createStatement().executeQuery("SELECT 41 + 1")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(42);
    }
  }

  /**
   * The addresses the stack hands its clients are on loopback. What the sockets actually bound is
   * {@link ListenersIT}'s to check, from the kernel's table.
   */
  @Test
  void everyAddressTheStackHandsOutIsOnLoopback() {
    assertThat(stack.bootstrapServers()).startsWith("127.0.0.1:");
    assertThat(stack.registryUrl()).startsWith("http://127.0.0.1:");
    assertThat(stack.questdb().httpUrl()).startsWith("http://127.0.0.1:");
  }
}
