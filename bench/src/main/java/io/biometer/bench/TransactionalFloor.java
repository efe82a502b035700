package io.biometer.bench;

import io.biometer.devstack.LocalStack;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The exactly-once floor: a plain transactional producer that commits every 100 ms at 10,000
 * records/s, and a read_committed consumer; send time to visibility, with no Streams in between.
 */
final class TransactionalFloor {

  private TransactionalFloor() {}

  /**
   * The exactly-once baseline: a plain transactional producer that commits every 100 ms at 10,000
   * records/s, and a read_committed consumer; send time to visibility.
   */
  static Histogram measure(BenchStack bench, Duration warmUp, Duration run) throws Exception {
    LocalStack stack = bench.stack;
    String topic = "bench.transactional";
    bench.createTopic(topic);
    Histogram h = new Histogram(60_000, 3);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong measureFrom = new AtomicLong(Long.MAX_VALUE);
    Thread consumer =
        new Thread(
            () -> {
              try (KafkaConsumer<byte[], byte[]> k =
                  new KafkaConsumer<>(
                      StreamsRunConfig.readCommitted(stack, "earliest"),
                      new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                      new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
                k.subscribe(List.of(topic));
                while (!stop.get()) {
                  for (var r : k.poll(Duration.ofMillis(50))) {
                    if (r.timestamp() < measureFrom.get()) {
                      continue; // warm-up, as for the streams app
                    }
                    h.recordValue(
                        Math.max(0, Math.min(60_000, System.currentTimeMillis() - r.timestamp())));
                  }
                }
              }
            },
            "bench-transactional-consumer");
    consumer.start();
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-" + UUID.randomUUID());
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 10);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            p,
            new org.apache.kafka.common.serialization.ByteArraySerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      producer.initTransactions();
      LockSupport.parkNanos(Duration.ofSeconds(2).toNanos());
      long[] lastCommit = {System.nanoTime()};
      producer.beginTransaction();
      byte[] value = new byte[100];
      Paced.run(
          warmUp,
          run,
          () -> measureFrom.set(System.currentTimeMillis()),
          sent -> {
            producer.send(
                new ProducerRecord<>(topic, null, System.currentTimeMillis(), null, value));
            // At the end of a tick of 100, as the streams app commits between batches.
            if (sent % 100 == 99 && System.nanoTime() - lastCommit[0] >= 100_000_000L) {
              producer.commitTransaction();
              producer.beginTransaction();
              lastCommit[0] = System.nanoTime();
            }
          });
      producer.commitTransaction();
    }
    LockSupport.parkNanos(Duration.ofSeconds(2).toNanos());
    stop.set(true);
    consumer.join();
    return h;
  }
}
