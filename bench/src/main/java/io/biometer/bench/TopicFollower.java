package io.biometer.bench;

import io.biometer.serde.AvroDeserializer;
import io.biometer.serde.AvroSerdeConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A plain {@link KafkaConsumer} (no group, the client's defaults otherwise) on a thread of its own
 * that reads every partition of one topic from its end as it is when the follower is created, and
 * hands each Avro value to a handler with the {@link System#nanoTime()} at which the poll that
 * brought it returned: when the consumer got it. The commands bench's baseline consumer and its
 * reader of the command responses.
 *
 * @param <V> the value's Avro class
 */
final class TopicFollower<V extends SpecificRecord> implements AutoCloseable {

  /** Takes one record's value and when it was consumed. */
  interface Handler<V> {
    void take(V value, long nanoTime);
  }

  private final KafkaConsumer<String, byte[]> consumer;
  private final AvroDeserializer<V> values;
  private final String topic;
  private final Handler<V> handler;
  private final Thread thread;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile boolean closed;

  /** Positions a consumer at the end of {@code topic} and starts following it. */
  TopicFollower(BenchStack bench, String topic, Class<V> type, Handler<V> handler) {
    this.topic = topic;
    this.handler = handler;
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bench.stack.bootstrapServers());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "biometer-bench-follow-" + topic);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    values = new AvroDeserializer<>(type);
    values.configure(
        Map.of(
            AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG,
            bench.stack.registryUrl(),
            AvroSerdeConfig.SPECIFIC_AVRO_READER_CONFIG,
            true),
        false);
    List<TopicPartition> parts = new ArrayList<>();
    consumer
        .partitionsFor(topic, Duration.ofSeconds(30))
        .forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
    consumer.assign(parts);
    consumer.seekToEnd(parts);
    parts.forEach(consumer::position); // fixes "the end" before anything is sent
    thread = new Thread(this::run, "biometer-bench-follow-" + topic);
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      while (!closed) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
        long now = System.nanoTime();
        for (ConsumerRecord<String, byte[]> r : records) {
          handler.take(values.deserialize(r.topic(), r.value()), now);
        }
      }
    } catch (WakeupException e) {
      // closed
    } catch (RuntimeException e) {
      failure.set(e);
    }
  }

  /**
   * Throws if following stopped on an error.
   *
   * @throws IllegalStateException naming the topic and the error
   */
  void check() {
    Throwable e = failure.get();
    if (e != null) {
      throw new IllegalStateException("reading " + topic + " stopped: " + e, e);
    }
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    consumer.close();
    values.close();
  }
}
