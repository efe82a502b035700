package io.biometer.registry;

import org.apache.avro.Schema;

/**
 * One version of a subject: the subject, its version number, the global schema id and the schema.
 *
 * @param subject the subject, e.g. {@code telemetry.alerts-value}
 * @param version version number under the subject, from 1
 * @param id global schema id, the one written into every Confluent-framed record
 * @param schema the Avro schema
 */
public record RegisteredSchema(String subject, int version, int id, Schema schema) {}
