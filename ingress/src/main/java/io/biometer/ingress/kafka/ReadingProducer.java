package io.biometer.ingress.kafka;

import io.biometer.serde.AvroSerializer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The gateway's one producer: idempotent, {@code acks=all}, so a future it returns completes only
 * when every in-sync replica has the record. Front ends acknowledge a device on that, and not
 * before.
 */
public final class ReadingProducer implements RecordSender, AutoCloseable {

  private final KafkaProducer<String, byte[]> producer;
  private final AvroSerializer<SpecificRecord> values = new AvroSerializer<>();
  private final java.util.concurrent.ExecutorService later =
      java.util.concurrent.Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "ingress-producer-later");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param props producer settings (bootstrap servers and overrides); acks and idempotence are
   *     forced
   * @param serdeProps the schema registry settings of the Avro serializer
   */
  public ReadingProducer(Map<String, Object> props, Map<String, ?> serdeProps) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 65_536);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "biometer-ingress");
    p.putAll(props);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    values.configure(serdeProps, false);
  }

  /** Sends an Avro value; the future completes when Kafka acknowledged it. */
  @Override
  public CompletableFuture<RecordMetadata> send(String topic, String key, SpecificRecord value) {
    return send(topic, key, values.serialize(topic, value));
  }

  /**
   * Sends {@code value()} from this producer's own thread, in the order of the calls: for sends
   * made in a callback of another send, which runs on the producer's network thread, where a send
   * that has to wait (for metadata, for buffer space) would wait for that very thread.
   */
  @Override
  public CompletableFuture<RecordMetadata> sendLater(
      String topic, String key, java.util.function.Supplier<byte[]> value) {
    return CompletableFuture.supplyAsync(() -> send(topic, key, value.get()), later)
        .thenCompose(f -> f);
  }

  /**
   * Fetches the metadata of {@code topics} now, so that the first sends do not wait for it.
   *
   * @throws IllegalStateException naming a topic that does not exist
   */
  public void warmUp(java.util.Collection<String> topics) {
    for (String t : topics) {
      try {
        producer.partitionsFor(t);
      } catch (RuntimeException e) {
        throw new IllegalStateException(
            "topic " + t + " is not available (" + e.getMessage() + "): create it first", e);
      }
    }
  }

  /** Sends raw bytes (null: a tombstone). */
  @Override
  public CompletableFuture<RecordMetadata> send(String topic, String key, byte[] value) {
    CompletableFuture<RecordMetadata> f = new CompletableFuture<>();
    try {
      producer.send(
          new ProducerRecord<>(topic, key, value),
          (md, e) -> {
            if (e != null) {
              f.completeExceptionally(e);
            } else {
              f.complete(md);
            }
          });
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
    }
    return f;
  }

  public void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    later.shutdown();
    producer.close(Duration.ofSeconds(10));
    values.close();
  }
}
