package io.biometer.ingress.kafka;

import java.util.concurrent.CompletableFuture;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Where {@link io.biometer.ingress.readings.Admission} sends what it admitted: Kafka, through
 * {@link ReadingProducer}, in the gateway; a fake in the tests of the front ends, which run without
 * a broker. A returned future completes only once the record is stored (for Kafka: acknowledged by
 * every in-sync replica), and fails otherwise.
 */
public interface RecordSender {

  /** Sends an Avro value; the future completes when it is stored. */
  CompletableFuture<RecordMetadata> send(String topic, String key, SpecificRecord value);

  /** Sends raw bytes (null: a tombstone); the future completes when they are stored. */
  CompletableFuture<RecordMetadata> send(String topic, String key, byte[] value);

  /** Sends a record with its headers (the dead letter queue's); the default drops the headers. */
  default CompletableFuture<RecordMetadata> send(
      org.apache.kafka.clients.producer.ProducerRecord<String, byte[]> record) {
    return send(record.topic(), record.key(), record.value());
  }

  /**
   * Sends {@code value()} later, from a thread of the sender's own, in the order of the calls: for
   * sends made in the callback of another send. The default sends at once.
   */
  default CompletableFuture<RecordMetadata> sendLater(
      String topic, String key, java.util.function.Supplier<byte[]> value) {
    return send(topic, key, value.get());
  }
}
