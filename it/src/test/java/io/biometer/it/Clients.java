package io.biometer.it;

import io.biometer.devstack.*;
import io.biometer.serde.AvroDeserializer;
import io.biometer.serde.AvroSerdeConfig;
import io.biometer.serde.AvroSerializer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Plain Kafka clients for the ITs. */
final class Clients {

  private Clients() {}

  static Map<String, Object> serdeConfig(LocalStack stack) {
    return Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, stack.registryUrl());
  }

  /** A producer of string keys and Avro values with our serializer. */
  static KafkaProducer<String, SpecificRecord> producer(LocalStack stack) {
    Map<String, Object> p = new HashMap<>(serdeConfig(stack));
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    AvroSerializer<SpecificRecord> v = new AvroSerializer<>();
    v.configure(p, false);
    return new KafkaProducer<>(p, new StringSerializer(), v);
  }

  /** Sends one record with our serializer and waits for the broker's acknowledgement. */
  static <T extends SpecificRecord> void send(LocalStack stack, String topic, String key, T value)
      throws Exception {
    Map<String, Object> p = new HashMap<>(serdeConfig(stack));
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    AvroSerializer<T> values = new AvroSerializer<>();
    values.configure(p, false);
    try (KafkaProducer<String, T> producer =
        new KafkaProducer<>(p, new StringSerializer(), values)) {
      producer.send(new ProducerRecord<>(topic, key, value)).get();
    }
  }

  /** Reads {@code topic} from the start until {@code n} records arrived or the deadline passed. */
  static <V> List<ConsumerRecord<String, V>> read(
      LocalStack stack, String topic, int n, Deserializer<V> values, Duration deadline) {
    return readUntil(stack, topic, values, deadline, got -> got.size() >= n);
  }

  /** Reads {@code topic} from the start until {@code done} holds or the deadline passed. */
  static <V> List<ConsumerRecord<String, V>> readUntil(
      LocalStack stack,
      String topic,
      Deserializer<V> values,
      Duration deadline,
      Predicate<List<ConsumerRecord<String, V>>> done) {
    return readUntil(stack.bootstrapServers(), topic, values, deadline, done);
  }

  /** Reads {@code topic} of the cluster at {@code bootstrap} until {@code done} or the deadline. */
  static <V> List<ConsumerRecord<String, V>> readUntil(
      String bootstrap,
      String topic,
      Deserializer<V> values,
      Duration deadline,
      Predicate<List<ConsumerRecord<String, V>>> done) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<ConsumerRecord<String, V>> out = new ArrayList<>();
    Instant end = Instant.now().plus(deadline);
    try (KafkaConsumer<String, V> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), values)) {
      consumer.subscribe(List.of(topic));
      while (!done.test(out) && Instant.now().isBefore(end)) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  /** Every record of {@code topic} now: from its start to the end offsets when asked. */
  static <V> List<ConsumerRecord<String, V>> readAll(
      LocalStack stack, String topic, Deserializer<V> values) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    List<ConsumerRecord<String, V>> out = new ArrayList<>();
    try (KafkaConsumer<String, V> c = new KafkaConsumer<>(p, new StringDeserializer(), values)) {
      List<org.apache.kafka.common.TopicPartition> parts =
          c.partitionsFor(topic).stream()
              .map(i -> new org.apache.kafka.common.TopicPartition(topic, i.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<org.apache.kafka.common.TopicPartition, Long> end = c.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  /** A deserializer to specific records of any generated class, over the stack's registry. */
  static AvroDeserializer<SpecificRecord> specific(LocalStack stack) {
    Map<String, Object> p = new HashMap<>(serdeConfig(stack));
    p.put(AvroSerdeConfig.SPECIFIC_AVRO_READER_CONFIG, true);
    AvroDeserializer<SpecificRecord> d = new AvroDeserializer<>();
    d.configure(p, false);
    return d;
  }

  static <T extends SpecificRecord> AvroDeserializer<T> deserializer(
      LocalStack stack, Class<T> type) {
    AvroDeserializer<T> d = new AvroDeserializer<>(type);
    d.configure(serdeConfig(stack), false);
    return d;
  }
}
