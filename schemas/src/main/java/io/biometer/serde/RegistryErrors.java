package io.biometer.serde;

import io.biometer.registry.SchemaRegistryException;
import org.apache.kafka.common.errors.SerializationException;

/** Turns a registry failure into a {@link SerializationException} that names the case and topic. */
final class RegistryErrors {

  private RegistryErrors() {}

  static SerializationException schemaFetch(int id, String topic, SchemaRegistryException e) {
    if (e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
      return new SerializationException(
          "unknown schema id "
              + id
              + " on topic "
              + topic
              + ": the schema registry has no schema with that id; check that producers and this"
              + " consumer use the same schema.registry.url",
          e);
    }
    return registryFailure("fetching schema id " + id, topic, e);
  }

  static SerializationException registryFailure(
      String doing, String topic, SchemaRegistryException e) {
    if (e.isTransient()) {
      return new SerializationException(
          "schema registry unreachable while "
              + doing
              + " for topic "
              + topic
              + ": "
              + e.getMessage()
              + "; check schema.registry.url and that the registry is running",
          e);
    }
    return new SerializationException(
        "schema registry refused "
            + doing
            + " for topic "
            + topic
            + " (error_code "
            + e.errorCode()
            + "): "
            + e.getMessage(),
        e);
  }
}
