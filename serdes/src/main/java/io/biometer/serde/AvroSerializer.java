package io.biometer.serde;

import io.biometer.registry.SchemaRegistryClient;
import io.biometer.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records (generated specific classes or {@link org.apache.avro.generic.GenericRecord})
 * in the Confluent wire format: magic byte 0, the 4-byte big-endian schema id, the Avro binary
 * encoding.
 *
 * <p>The record's schema is registered under {@code <topic>-value} (or {@code -key}) when {@code
 * auto.register.schemas} is true (the default), else only looked up there. Ids are cached per
 * (subject, schema), so the registry is asked once per schema. A null value serializes to null (a
 * tombstone). Every failure is a {@link SerializationException} naming the topic and the case.
 *
 * @param <T> the record type
 */
public class AvroSerializer<T> implements Serializer<T> {

  private record SubjectSchema(String subject, Schema schema) {}

  private final Map<SubjectSchema, Integer> ids = new ConcurrentHashMap<>();
  private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();
  private SchemaRegistryClient client;
  private boolean isKey;
  private boolean autoRegister = AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_DEFAULT;

  /** For Kafka to create from a class name; {@link #configure} must be called before use. */
  public AvroSerializer() {}

  /** A ready value serializer over {@code client}, registering schemas if {@code autoRegister}. */
  public AvroSerializer(SchemaRegistryClient client, boolean autoRegister) {
    this.client = client;
    this.autoRegister = autoRegister;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    AvroSerdeConfig config = new AvroSerdeConfig(configs);
    this.isKey = isKey;
    this.autoRegister = config.getBoolean(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG);
    this.client = SchemaRegistryClients.fromConfig(configs, config);
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    if (client == null) {
      throw new SerializationException(
          "AvroSerializer for topic " + topic + " is not configured: set schema.registry.url");
    }
    if (!(data instanceof GenericContainer container)) {
      throw new SerializationException(
          "cannot serialize a "
              + data.getClass().getName()
              + " for topic "
              + topic
              + ": AvroSerializer takes Avro records (generated classes or GenericRecord)");
    }
    Schema schema = container.getSchema();
    int id = schemaId(topic, schema);
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    out.write(WireFormat.MAGIC_BYTE);
    out.write(id >>> 24);
    out.write(id >>> 16);
    out.write(id >>> 8);
    out.write(id);
    try {
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
      writers.computeIfAbsent(schema, AvroSerializer::writerFor).write(data, encoder);
      encoder.flush();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot encode a "
              + schema.getFullName()
              + " for topic "
              + topic
              + " (schema id "
              + id
              + "): "
              + e,
          e);
    }
    return out.toByteArray();
  }

  private int schemaId(String topic, Schema schema) {
    String subject = WireFormat.subject(topic, isKey);
    SubjectSchema key = new SubjectSchema(subject, schema);
    Integer cached = ids.get(key);
    if (cached != null) {
      return cached;
    }
    int id;
    try {
      id = autoRegister ? client.register(subject, schema) : client.lookup(subject, schema).id();
    } catch (SchemaRegistryException e) {
      if (!autoRegister
          && (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND
              || e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND)) {
        throw new SerializationException(
            "schema "
                + schema.getFullName()
                + " is not registered under subject "
                + subject
                + " for topic "
                + topic
                + " and auto.register.schemas is false: register it first",
            e);
      }
      throw RegistryErrors.registryFailure(
          (autoRegister ? "registering " : "looking up ")
              + schema.getFullName()
              + " under "
              + subject,
          topic,
          e);
    }
    ids.put(key, id);
    return id;
  }

  @SuppressWarnings("unchecked")
  private static DatumWriter<Object> writerFor(Schema schema) {
    SpecificData specific = SpecificData.getForSchema(schema);
    if (specific.getClass(schema) != null
        && SpecificRecord.class.isAssignableFrom(specific.getClass(schema))) {
      return new SpecificDatumWriter<>(schema, specific);
    }
    return (DatumWriter<Object>)
        (DatumWriter<?>) new GenericDatumWriter<>(schema, GenericData.get());
  }

  @Override
  public void close() {
    // The client may be shared with other serdes; it holds no resources that need closing.
  }
}
