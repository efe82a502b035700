package io.biometer.serde;

import io.biometer.registry.SchemaRegistryException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The messages of registry failures and corrupt payloads, naming the case and the topic: the serdes
 * throw them as {@link SerializationException}, the Connect converter as its own types.
 */
public final class RegistryErrors {

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
    return new SerializationException(failureMessage(doing, topic, e, ""), e);
  }

  /**
   * What went wrong with the registry while {@code doing} for {@code topic}: unreachable (with
   * {@code retryHint} appended, the caller's word on retries) or refused, with its error code.
   */
  public static String failureMessage(
      String doing, String topic, SchemaRegistryException e, String retryHint) {
    if (e.isTransient()) {
      return "schema registry unreachable while "
          + doing
          + " for topic "
          + topic
          + ": "
          + e.getMessage()
          + "; check schema.registry.url and that the registry is running"
          + retryHint;
    }
    return "schema registry refused "
        + doing
        + " for topic "
        + topic
        + " (error_code "
        + e.errorCode()
        + "): "
        + e.getMessage();
  }

  /** A payload that does not decode with its writer schema. */
  public static String corruptMessage(String topic, int id, int length, String why) {
    return "corrupt Avro payload on topic "
        + topic
        + " (schema id "
        + id
        + ", "
        + length
        + " bytes): "
        + why;
  }
}
