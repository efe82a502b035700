package io.biometer.bench;

import io.biometer.devstack.LocalStack;
import io.biometer.serde.AvroSerdeConfig;
import io.biometer.serde.AvroSerializer;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/** The benches' producers of Avro records, with the registry of the stack they run on. */
final class AvroProducers {

  private AvroProducers() {}

  /** A producer of {@code V} values with String keys: lz4, lingering {@code lingerMs}. */
  static <V extends SpecificRecord> KafkaProducer<String, V> create(
      LocalStack stack, int lingerMs) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, stack.registryUrl());
    AvroSerializer<V> v = new AvroSerializer<>();
    v.configure(p, false);
    return new KafkaProducer<>(p, new StringSerializer(), v);
  }
}
