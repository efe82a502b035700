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

  /** Records waiting for this producer's thread at most; beyond, a send fails at once. */
  public static final int QUEUE = 100_000;

  // Every Avro send and every later send runs on this one thread, never on an event loop: a
  // KafkaProducer.send blocks while its buffer is full or a topic's metadata is missing, and the
  // serializer asks the registry over HTTP the first time. One thread keeps the order of sends;
  // the bounded queue makes a stalled Kafka answer "unavailable" instead of growing the heap.
  private final java.util.concurrent.ThreadPoolExecutor later =
      new java.util.concurrent.ThreadPoolExecutor(
          1,
          1,
          0,
          java.util.concurrent.TimeUnit.MILLISECONDS,
          new java.util.concurrent.LinkedBlockingQueue<>(QUEUE),
          r -> {
            Thread t = new Thread(r, "ingress-producer");
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
    // Meters send once a day: keep their topics' metadata instead of dropping it after 5 idle
    // minutes and waiting for it again on the next upload.
    p.put(ProducerConfig.METADATA_MAX_IDLE_CONFIG, 2L * 24 * 3600 * 1000);
    p.putAll(props);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    values.configure(serdeProps, false);
  }

  /**
   * Sends an Avro value from this producer's thread (serialized there too); the future completes
   * when Kafka acknowledged it, and fails at once if {@link #QUEUE} records are waiting already.
   */
  @Override
  public CompletableFuture<RecordMetadata> send(String topic, String key, SpecificRecord value) {
    return onOwnThread(() -> send(topic, key, values.serialize(topic, value)));
  }

  private CompletableFuture<RecordMetadata> onOwnThread(
      java.util.function.Supplier<CompletableFuture<RecordMetadata>> send) {
    try {
      return CompletableFuture.supplyAsync(send, later).thenCompose(f -> f);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return CompletableFuture.failedFuture(
          new IllegalStateException(
              QUEUE + " records are waiting for Kafka already (is it down?)", e));
    }
  }

  /**
   * Sends {@code value()} from this producer's own thread, in the order of the calls: for sends
   * made in a callback of another send, which runs on the producer's network thread, where a send
   * that has to wait (for metadata, for buffer space) would wait for that very thread.
   */
  @Override
  public CompletableFuture<RecordMetadata> sendLater(
      String topic, String key, java.util.function.Supplier<byte[]> value) {
    return onOwnThread(() -> send(topic, key, value.get()));
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
    return send(new ProducerRecord<>(topic, key, value));
  }

  @Override
  public CompletableFuture<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
    CompletableFuture<RecordMetadata> f = new CompletableFuture<>();
    try {
      producer.send(
          record,
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
