package io.biometer.ingress.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a compacted topic from its start and then follows it, handing every (key, value bytes) to
 * {@code apply} on its own thread; a null value is a tombstone. No consumer group: every gateway
 * instance reads the whole topic. {@link #awaitLoaded} returns once everything that was in the
 * topic at start has been applied, so a gateway opens its ports only with a complete view.
 *
 * <p>A record {@code apply} cannot use is logged with its topic, partition and offset and counted
 * in {@link #skipped()}; the view goes on.
 */
public final class CompactedView implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CompactedView.class);

  private final String topic;
  private final KafkaConsumer<String, byte[]> consumer;
  private final BiConsumer<String, byte[]> apply;
  private final CountDownLatch loaded = new CountDownLatch(1);
  private final AtomicLong skipped = new AtomicLong();
  private final Thread thread;
  private volatile boolean closed;
  private volatile RuntimeException failure;

  public CompactedView(
      String topic, Map<String, Object> consumerProps, BiConsumer<String, byte[]> apply) {
    this.topic = topic;
    this.apply = apply;
    Map<String, Object> p = new HashMap<>(consumerProps);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    this.thread = new Thread(this::run, "view-" + topic);
    this.thread.setDaemon(true);
  }

  /** Starts reading. */
  public CompactedView start() {
    thread.start();
    return this;
  }

  /**
   * Waits until the records present at start are applied.
   *
   * @throws TimeoutException naming the topic if that takes longer than {@code timeout}
   */
  public void awaitLoaded(Duration timeout) throws TimeoutException, InterruptedException {
    if (!loaded.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      if (failure != null) {
        throw failure;
      }
      throw new TimeoutException(
          "could not read " + topic + " within " + timeout + ": is Kafka up and the topic there?");
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Why reading the topic stopped, or null while it goes on (or after {@link #close}). */
  public RuntimeException failure() {
    return failure;
  }

  /** The topic this view reads. */
  public String topic() {
    return topic;
  }

  /** Records that could not be applied. */
  public long skipped() {
    return skipped.get();
  }

  private void run() {
    try {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException("topic " + topic + " does not exist");
      }
      List<TopicPartition> partitions =
          infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
      checkLoaded(end);
      while (!closed) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          try {
            apply.accept(r.key(), r.value());
          } catch (RuntimeException e) {
            skipped.incrementAndGet();
            log.error(
                "skipping {}-{}@{} (key {}): {}",
                r.topic(),
                r.partition(),
                r.offset(),
                r.key(),
                e.toString());
          }
        }
        if (loaded.getCount() > 0) {
          checkLoaded(end);
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      if (!closed) {
        failure = new IllegalStateException("reading " + topic + " failed: " + e.getMessage(), e);
        log.error("reading {} failed", topic, e);
        loaded.countDown();
      }
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  private void checkLoaded(Map<TopicPartition, Long> end) {
    end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
    if (end.isEmpty()) {
      loaded.countDown();
    }
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
