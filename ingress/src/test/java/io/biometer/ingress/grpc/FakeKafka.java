package io.biometer.ingress.grpc;

import io.biometer.Topics;
import io.biometer.ingress.kafka.RecordSender;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Kafka for tests without a broker: keeps every record it is sent, and acknowledges it at once,
 * only when told ({@link #hold}, {@link #release}), or fails it ({@link #failWith}).
 */
public final class FakeKafka implements RecordSender {

  /** One record sent, with the future its sender waits on. */
  public record Sent(
      String topic, String key, Object value, CompletableFuture<RecordMetadata> ack) {}

  private final List<Sent> sent = new CopyOnWriteArrayList<>();
  private volatile boolean hold;
  private volatile RuntimeException failure;

  @Override
  public CompletableFuture<RecordMetadata> send(String topic, String key, SpecificRecord value) {
    return record(topic, key, value);
  }

  @Override
  public CompletableFuture<RecordMetadata> send(String topic, String key, byte[] value) {
    return record(topic, key, value);
  }

  private CompletableFuture<RecordMetadata> record(String topic, String key, Object value) {
    CompletableFuture<RecordMetadata> f = new CompletableFuture<>();
    sent.add(new Sent(topic, key, value, f));
    RuntimeException e = failure;
    if (e != null) {
      f.completeExceptionally(e);
    } else if (!hold) {
      f.complete(metadata(topic));
    }
    return f;
  }

  /** From now on, records wait for {@link #release}. */
  public void hold() {
    hold = true;
  }

  /** Acknowledges every record still waiting, and the next ones at once. */
  public void release() {
    hold = false;
    for (Sent s : sent) {
      s.ack().complete(metadata(s.topic()));
    }
  }

  /** Fails every record still waiting with {@code e}. */
  public void failHeld(RuntimeException e) {
    hold = false;
    for (Sent s : sent) {
      s.ack().completeExceptionally(e);
    }
  }

  /** Fails the next records with {@code e}; null to take them again. */
  public void failWith(RuntimeException e) {
    failure = e;
  }

  /** The readings sent (body and meter topics), in order. */
  public List<Sent> readings() {
    return sent.stream()
        .filter(
            s -> s.topic().equals(Topics.BODY_READINGS) || s.topic().equals(Topics.METER_READINGS))
        .toList();
  }

  /** Records sent but not yet acknowledged or failed. */
  public long waiting() {
    return sent.stream().filter(s -> !s.ack().isDone()).count();
  }

  /** Every record sent to {@code topic}, in order. */
  public List<Sent> to(String topic) {
    return sent.stream().filter(s -> s.topic().equals(topic)).toList();
  }

  private static RecordMetadata metadata(String topic) {
    return new RecordMetadata(new TopicPartition(topic, 0), 0, 0, System.currentTimeMillis(), 0, 0);
  }
}
