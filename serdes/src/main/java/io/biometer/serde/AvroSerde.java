package io.biometer.serde;

import io.biometer.registry.SchemaRegistryClient;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * {@link AvroSerializer} and {@link AvroDeserializer} as one {@link Serde}, for Kafka Streams.
 *
 * @param <T> the record type
 */
public class AvroSerde<T> implements Serde<T> {

  private final AvroSerializer<T> serializer;
  private final AvroDeserializer<T> deserializer;

  /**
   * For Kafka to create from a class name ({@code default.value.serde}): reads generic records, or
   * specific ones if {@code specific.avro.reader} is true. {@link #configure} must follow.
   */
  public AvroSerde() {
    this(new AvroSerializer<>(), new AvroDeserializer<>());
  }

  private AvroSerde(AvroSerializer<T> serializer, AvroDeserializer<T> deserializer) {
    this.serializer = serializer;
    this.deserializer = deserializer;
  }

  /** A serde of a generated class; {@link #configure} must follow. */
  public static <T extends SpecificRecord> AvroSerde<T> specific(Class<T> type) {
    return new AvroSerde<>(new AvroSerializer<>(), new AvroDeserializer<>(type));
  }

  /** A ready value serde of a generated class over {@code client}, auto-registering schemas. */
  public static <T extends SpecificRecord> AvroSerde<T> specific(
      Class<T> type, SchemaRegistryClient client) {
    return new AvroSerde<>(
        new AvroSerializer<>(client, true), new AvroDeserializer<>(type, client));
  }

  /** A serde of generic records; {@link #configure} must follow. */
  public static AvroSerde<GenericRecord> generic() {
    return new AvroSerde<>();
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    serializer.configure(configs, isKey);
    deserializer.configure(configs, isKey);
  }

  @Override
  public Serializer<T> serializer() {
    return serializer;
  }

  @Override
  public Deserializer<T> deserializer() {
    return deserializer;
  }

  @Override
  public void close() {
    serializer.close();
    deserializer.close();
  }
}
