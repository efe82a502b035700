package io.biometer.serde;

import io.biometer.registry.SchemaRegistryClient;
import io.biometer.registry.SchemaRegistryException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads values in the Confluent wire format. The writer's schema is fetched by the id in the value
 * (and cached); the value is then resolved to the reader's schema: the target class's when one is
 * given, the generated class of the writer schema's name when {@code specific.avro.reader} is true,
 * else the writer's own (a {@link org.apache.avro.generic.GenericRecord}).
 *
 * <p>A null value (a tombstone) reads as null. Every other failure is a {@link
 * SerializationException} whose message names the case and the topic: truncated value, wrong magic
 * byte, unknown schema id, registry unreachable, writer schema unreadable with the reader's, and
 * corrupt payload (undecodable, or bytes left over after the record). It never returns null for bad
 * bytes.
 *
 * @param <T> the record type returned
 */
public class AvroDeserializer<T> implements Deserializer<T> {

  private final Map<Integer, DatumReader<Object>> readers = new ConcurrentHashMap<>();
  private final Class<? extends SpecificRecord> target;
  private SchemaRegistryClient client;
  private boolean specificReader;

  /** For Kafka to create from a class name; {@link #configure} must be called before use. */
  public AvroDeserializer() {
    this.target = null;
  }

  /** A deserializer to {@code target}; {@link #configure} (or the client constructor) follows. */
  public AvroDeserializer(Class<? extends SpecificRecord> target) {
    this.target = target;
  }

  /** A ready deserializer to {@code target} (null: generic records) over {@code client}. */
  public AvroDeserializer(Class<? extends SpecificRecord> target, SchemaRegistryClient client) {
    this.target = target;
    this.client = client;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    AvroSerdeConfig config = new AvroSerdeConfig(configs);
    this.specificReader = config.getBoolean(AvroSerdeConfig.SPECIFIC_AVRO_READER_CONFIG);
    this.client = SchemaRegistryClients.fromConfig(configs, config);
  }

  @Override
  @SuppressWarnings("unchecked")
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (client == null) {
      throw new SerializationException(
          "AvroDeserializer for topic " + topic + " is not configured: set schema.registry.url");
    }
    String problem = WireFormat.frameProblem(data, topic, "check the producer's serializer");
    if (problem != null) {
      throw new SerializationException(problem);
    }
    int id = WireFormat.schemaId(data);
    DatumReader<Object> reader = readers.get(id);
    if (reader == null) {
      reader = readerFor(id, topic);
      readers.put(id, reader);
    }
    BinaryDecoder decoder =
        DecoderFactory.get()
            .binaryDecoder(
                data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, null);
    Object value;
    boolean atEnd;
    try {
      value = reader.read(null, decoder);
      atEnd = decoder.isEnd();
    } catch (IOException | RuntimeException e) {
      throw corrupt(topic, id, data.length, e.toString(), e);
    }
    if (!atEnd) {
      throw corrupt(topic, id, data.length, "bytes left over after the record", null);
    }
    return (T) value;
  }

  private static SerializationException corrupt(
      String topic, int id, int length, String why, Throwable cause) {
    return new SerializationException(RegistryErrors.corruptMessage(topic, id, length, why), cause);
  }

  private DatumReader<Object> readerFor(int id, String topic) {
    Schema writer;
    try {
      writer = client.schemaById(id);
    } catch (SchemaRegistryException e) {
      throw RegistryErrors.schemaFetch(id, topic, e);
    }
    Class<?> cls = target;
    if (cls == null && specificReader) {
      Class<?> generated = SpecificData.get().getClass(writer);
      if (generated != null && SpecificRecord.class.isAssignableFrom(generated)) {
        cls = generated;
      }
    }
    if (cls == null) {
      return new GenericDatumReader<>(writer, writer, GenericData.get());
    }
    SpecificData model = SpecificData.getForClass(cls);
    Schema readerSchema = model.getSchema(cls);
    SchemaCompatibility.SchemaPairCompatibility compat =
        SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writer);
    if (compat.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      throw new SerializationException(
          "schema id "
              + id
              + " on topic "
              + topic
              + " ("
              + writer.getFullName()
              + ") cannot be read as "
              + readerSchema.getFullName()
              + ": "
              + compat.getDescription());
    }
    return new SpecificDatumReader<>(writer, readerSchema, model);
  }

  @Override
  public void close() {
    // The client may be shared with other serdes; it holds no resources that need closing.
  }
}
