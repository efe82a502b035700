package io.biometer.connect.avro;

import io.biometer.registry.SchemaRegistryClient;
import io.biometer.registry.SchemaRegistryException;
import io.biometer.serde.AvroSerdeConfig;
import io.biometer.serde.RegistryErrors;
import io.biometer.serde.SchemaRegistryClients;
import io.biometer.serde.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.storage.Converter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka Connect {@link Converter} for Avro in the Confluent wire format (magic byte 0, 4-byte
 * big-endian schema id, Avro binary), usable by any connector as a stand-in for Confluent's
 * AvroConverter, which is not on Maven Central. It takes Confluent's config keys ({@link
 * AvroConverterConfig}) and maps types as Confluent does ({@link AvroData}), plus {@code
 * timestamp-micros}.
 *
 * <p>{@link #toConnectData} fetches the writer schema by the id in the value (cached per subject
 * and id, with the registry's version of it under {@code <topic>-value} or {@code -key} as the
 * Connect schema's version) and decodes the value. {@link #fromConnectData} derives the Avro schema
 * from the Connect schema, registers it under that subject (or only looks it up when {@code
 * auto.register.schemas} is false) and writes the wire format.
 *
 * <p>Failures: bad bytes (truncated, wrong magic byte, unknown schema id, corrupt payload or bytes
 * left over) and data that does not fit its schema raise a {@link DataException} naming the topic
 * and the case, which Connect's error handling can send to the dead letter queue. A registry that
 * cannot be reached or fails on its side raises a {@link RetriableException}: Connect retries it
 * for {@code errors.retry.timeout} instead of treating the record as bad. A null value converts to
 * {@link SchemaAndValue#NULL} and back to null (a tombstone).
 *
 * <p>One instance serves one task thread; its caches are nonetheless safe to share.
 */
public class AvroConverter implements Converter, Versioned {

  private static final Logger log = LoggerFactory.getLogger(AvroConverter.class);
  private static final String VERSION = readVersion();

  private record SubjectId(String subject, int id) {}

  private record SubjectSchema(String subject, org.apache.avro.Schema schema) {}

  /** What one writer schema id decodes to under one subject. */
  private record Decoding(
      org.apache.avro.Schema writer, Schema connect, DatumReader<Object> reader) {}

  private SchemaRegistryClient client;
  private AvroData avroData;
  private boolean isKey;
  private boolean autoRegister;
  private LruCache<SubjectId, Decoding> decodings;
  private LruCache<SubjectSchema, Integer> ids;

  /** For Connect to create from the class name; {@link #configure} follows. */
  public AvroConverter() {}

  /**
   * Reads the converter's keys (Connect strips the {@code value.converter.} or {@code
   * key.converter.} prefix) and creates the registry client.
   *
   * @throws org.apache.kafka.common.config.ConfigException for a missing or invalid key
   */
  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    AvroConverterConfig config = new AvroConverterConfig(configs);
    if (config.userInfoIgnored()) {
      log.warn(
          "basic.auth.user.info is set but basic.auth.credentials.source is URL (the default), so"
              + " it is not used; set basic.auth.credentials.source=USER_INFO to use it");
    }
    Map<String, Object> clientProps = config.registryClientProps(configs);
    this.client = SchemaRegistryClients.fromConfig(clientProps, new AvroSerdeConfig(clientProps));
    this.avroData = new AvroData(config);
    this.isKey = isKey;
    this.autoRegister = config.autoRegisterSchemas();
    this.decodings = new LruCache<>(config.cacheSize());
    this.ids = new LruCache<>(config.cacheSize());
  }

  @Override
  public ConfigDef config() {
    return AvroConverterConfig.CONFIG_DEF;
  }

  /** The version of biometer's Connect plugin this converter ships in. */
  @Override
  public String version() {
    return VERSION;
  }

  @Override
  public SchemaAndValue toConnectData(String topic, byte[] value) {
    if (value == null) {
      return SchemaAndValue.NULL;
    }
    requireConfigured(topic);
    String problem =
        WireFormat.frameProblem(
            value,
            topic,
            "check the producer's serializer or this connector's "
                + (isKey ? "key.converter" : "value.converter"));
    if (problem != null) {
      throw new DataException(problem);
    }
    int id = WireFormat.schemaId(value);
    String subject = WireFormat.subject(topic, isKey);
    Decoding decoding =
        decodings.computeIfAbsent(new SubjectId(subject, id), k -> decoding(topic, subject, id));
    BinaryDecoder decoder =
        DecoderFactory.get()
            .binaryDecoder(
                value, WireFormat.HEADER_SIZE, value.length - WireFormat.HEADER_SIZE, null);
    Object datum;
    boolean atEnd;
    try {
      datum = decoding.reader().read(null, decoder);
      atEnd = decoder.isEnd();
    } catch (IOException | RuntimeException e) {
      throw corrupt(topic, id, value.length, e.toString(), e);
    }
    if (!atEnd) {
      throw corrupt(topic, id, value.length, "bytes left over after the value", null);
    }
    try {
      return new SchemaAndValue(
          decoding.connect(), avroData.toConnectData(decoding.connect(), decoding.writer(), datum));
    } catch (DataException e) {
      throw new DataException(
          "cannot convert the value on topic "
              + topic
              + " (schema id "
              + id
              + ") to Connect data: "
              + e.getMessage(),
          e);
    }
  }

  private Decoding decoding(String topic, String subject, int id) {
    org.apache.avro.Schema writer;
    try {
      writer = client.schemaById(id);
    } catch (SchemaRegistryException e) {
      if (e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
        throw new DataException(
            "unknown schema id "
                + id
                + " on topic "
                + topic
                + ": the schema registry has no schema with that id; check that the producers and"
                + " this connector use the same schema.registry.url",
            e);
      }
      throw registryFailure("fetching schema id " + id, topic, e);
    }
    Integer version = null;
    try {
      version = client.lookup(subject, writer).version();
    } catch (SchemaRegistryException e) {
      if (e.isTransient()) {
        throw registryFailure("looking up the version of schema id " + id, topic, e);
      }
      // Written under another subject (another naming strategy): the schema has no version here.
      log.debug("schema id {} is not registered under {}: no version", id, subject);
    }
    Schema connect = avroData.toConnectSchema(writer, version);
    return new Decoding(
        writer, connect, new GenericDatumReader<>(writer, writer, GenericData.get()));
  }

  private static DataException corrupt(
      String topic, int id, int length, String why, Throwable cause) {
    return new DataException(RegistryErrors.corruptMessage(topic, id, length, why), cause);
  }

  @Override
  public byte[] fromConnectData(String topic, Schema schema, Object value) {
    requireConfigured(topic);
    if (value == null) {
      if (schema != null && !schema.isOptional()) {
        throw new DataException(
            "null value for the required Connect schema "
                + (schema.name() != null ? schema.name() : schema.type())
                + " on topic "
                + topic
                + ": make the schema optional to write a tombstone");
      }
      return null;
    }
    if (schema == null) {
      throw new DataException(
          "a value without a Connect schema ("
              + value.getClass().getName()
              + ") on topic "
              + topic
              + " cannot be written as Avro by this converter: give the data a schema, or use a"
              + " schemaless converter such as JsonConverter with schemas.enable=false");
    }
    org.apache.avro.Schema avro;
    Object datum;
    try {
      avro = avroData.fromConnectSchema(schema);
      datum = avroData.fromConnectData(schema, avro, value);
    } catch (DataException e) {
      throw new DataException(
          "cannot convert the Connect value for topic " + topic + " to Avro: " + e.getMessage(), e);
    }
    int id = schemaId(topic, avro);
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    out.write(WireFormat.MAGIC_BYTE);
    out.write(id >>> 24);
    out.write(id >>> 16);
    out.write(id >>> 8);
    out.write(id);
    try {
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
      new GenericDatumWriter<>(avro, GenericData.get()).write(datum, encoder);
      encoder.flush();
    } catch (IOException | RuntimeException e) {
      throw new DataException(
          "cannot encode the Connect value for topic "
              + topic
              + " as Avro (schema id "
              + id
              + "): "
              + e,
          e);
    }
    return out.toByteArray();
  }

  private int schemaId(String topic, org.apache.avro.Schema avro) {
    String subject = WireFormat.subject(topic, isKey);
    return ids.computeIfAbsent(
        new SubjectSchema(subject, avro),
        k -> {
          try {
            return autoRegister
                ? client.register(subject, avro)
                : client.lookup(subject, avro).id();
          } catch (SchemaRegistryException e) {
            if (!autoRegister
                && (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND
                    || e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND)) {
              throw new DataException(
                  "the Avro schema derived from the Connect schema for topic "
                      + topic
                      + " is not registered under subject "
                      + subject
                      + " and auto.register.schemas is false: register it, or set"
                      + " auto.register.schemas=true. Schema: "
                      + avro,
                  e);
            }
            if (e.errorCode() == SchemaRegistryException.INCOMPATIBLE_SCHEMA) {
              throw new DataException(
                  "the schema registry refuses the Avro schema derived from the Connect schema for"
                      + " topic "
                      + topic
                      + " as incompatible with the versions under subject "
                      + subject
                      + ": "
                      + e.getMessage()
                      + "; (an enum written as a string? set enhanced.avro.schema.support=true)",
                  e);
            }
            throw registryFailure(
                (autoRegister ? "registering" : "looking up") + " a schema under " + subject,
                topic,
                e);
          }
        });
  }

  private static RuntimeException registryFailure(
      String doing, String topic, SchemaRegistryException e) {
    String message =
        RegistryErrors.failureMessage(
            doing, topic, e, " (Connect retries for errors.retry.timeout)");
    return e.isTransient() ? new RetriableException(message, e) : new DataException(message, e);
  }

  private void requireConfigured(String topic) {
    if (client == null) {
      throw new IllegalStateException(
          "AvroConverter used for topic "
              + topic
              + " before configure(); Connect configures converters itself, tests must call"
              + " configure with schema.registry.url");
    }
  }

  private static String readVersion() {
    try (InputStream in =
        AvroConverter.class.getResourceAsStream(
            "/META-INF/maven/io.biometer/biometer-sink-connectors/pom.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        return p.getProperty("version", "unknown");
      }
    } catch (IOException e) {
      log.debug("cannot read the plugin version", e);
    }
    return "unknown";
  }
}
