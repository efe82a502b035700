package io.biometer.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.biometer.registry.CompatibilityLevel;
import io.biometer.registry.RegisteredSchema;
import io.biometer.registry.SchemaRegistryException;
import io.biometer.registry.internal.RegistryState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded registry's schemas and compatibility settings in a compacted, single-partition
 * Kafka topic, in the record format of Confluent's registry ({@code {"keytype":"SCHEMA",...}} keys,
 * JSON values), so ids survive a restart and a registry is rebuilt by reading the topic from the
 * start. Every change is written with {@code acks=all} and acknowledged before it takes effect.
 */
public final class KafkaSchemaJournal implements RegistryState.Journal, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KafkaSchemaJournal.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);

  private final String bootstrapServers;
  private final Map<String, ?> client;
  private final String topic;
  private final KafkaProducer<byte[], byte[]> producer;

  /** A journal on {@code topic} of the cluster at {@code bootstrapServers}. */
  public KafkaSchemaJournal(String bootstrapServers, String topic) {
    this(bootstrapServers, Map.of(), topic);
  }

  /**
   * A journal on {@code topic} of the cluster at {@code bootstrapServers}, its clients with the
   * settings {@code client} too (security.protocol, SASL, TLS).
   */
  public KafkaSchemaJournal(String bootstrapServers, Map<String, ?> client, String topic) {
    this.bootstrapServers = bootstrapServers;
    this.client = Map.copyOf(client);
    this.topic = topic;
    Properties p = new Properties();
    p.putAll(this.client);
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "biometer-schema-registry");
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Creates the journal topic (one partition, compacted) unless it exists. */
  public void ensureTopic(short replicationFactor) {
    Map<String, Object> a = new java.util.HashMap<>(client);
    a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin admin = Admin.create(a)) {
      NewTopic t =
          new NewTopic(topic, 1, replicationFactor)
              .configs(
                  Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
      admin.createTopics(List.of(t)).all().get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      log.info("created schema topic {}", topic);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException(
            "cannot create schema topic " + topic + ": " + e.getCause(), e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating schema topic " + topic, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "Kafka at "
              + bootstrapServers
              + " did not create schema topic "
              + topic
              + " within "
              + WRITE_TIMEOUT,
          e);
    }
  }

  /** Reads the topic from its start to its current end into {@code state}; returns records read. */
  public int replay(RegistryState state) {
    Properties p = new Properties();
    p.putAll(client);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "biometer-schema-registry-replay");
    int n = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp), WRITE_TIMEOUT).get(tp);
      while (consumer.position(tp, WRITE_TIMEOUT) < end) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          apply(state, r);
          n++;
        }
      }
    }
    return n;
  }

  private void apply(RegistryState state, ConsumerRecord<byte[], byte[]> r) {
    try {
      JsonNode key = JSON.readTree(r.key());
      String keytype = key.path("keytype").asText();
      JsonNode value = r.value() == null ? null : JSON.readTree(r.value());
      if ("SCHEMA".equals(keytype) && value != null && !value.path("deleted").asBoolean(false)) {
        Schema schema = new Schema.Parser().parse(value.get("schema").asText());
        state.apply(
            new RegisteredSchema(
                value.get("subject").asText(),
                value.get("version").asInt(),
                value.get("id").asInt(),
                schema));
      } else if ("CONFIG".equals(keytype)) {
        String subject = key.path("subject").isTextual() ? key.get("subject").asText() : null;
        CompatibilityLevel level =
            value == null
                ? null
                : CompatibilityLevel.parse(value.path("compatibilityLevel").asText());
        state.applyConfig(subject, level);
      }
    } catch (IOException | RuntimeException e) {
      // A record this registry cannot read is left alone, not dropped from the topic.
      log.warn(
          "schema topic {} offset {}: skipping unreadable record ({}); the topic is unchanged",
          topic,
          r.offset(),
          e.toString());
    }
  }

  @Override
  public void schemaAdded(RegisteredSchema s) {
    ObjectNode key =
        JSON.createObjectNode()
            .put("keytype", "SCHEMA")
            .put("subject", s.subject())
            .put("version", s.version())
            .put("magic", 1);
    ObjectNode value =
        JSON.createObjectNode()
            .put("subject", s.subject())
            .put("version", s.version())
            .put("id", s.id())
            .put("schema", s.schema().toString())
            .put("deleted", false);
    write(key, value, "schema version " + s.version() + " of subject " + s.subject());
  }

  @Override
  public void configChanged(String subject, CompatibilityLevel level) {
    ObjectNode key = JSON.createObjectNode().put("keytype", "CONFIG").put("magic", 0);
    if (subject == null) {
      key.putNull("subject");
    } else {
      key.put("subject", subject);
    }
    ObjectNode value = JSON.createObjectNode().put("compatibilityLevel", level.name());
    write(
        key,
        value,
        "compatibility of " + (subject == null ? "the registry" : "subject " + subject));
  }

  private void write(ObjectNode key, ObjectNode value, String what) {
    try {
      producer
          .send(
              new ProducerRecord<>(
                  topic,
                  0,
                  key.toString().getBytes(StandardCharsets.UTF_8),
                  value.toString().getBytes(StandardCharsets.UTF_8)))
          .get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new SchemaRegistryException(
          500,
          SchemaRegistryException.STORE_ERROR,
          "Error while storing " + what + " in Kafka topic " + topic + ": " + e,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException(
          500, SchemaRegistryException.STORE_ERROR, "interrupted while storing " + what, e);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
