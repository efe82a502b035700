package io.biometer.registry;

import java.util.List;
import org.apache.avro.Schema;

/**
 * The operations of the Confluent Schema Registry REST API that biometer uses. Implementations:
 * {@link HttpSchemaRegistryClient} for any Confluent-compatible registry, and {@link
 * MockSchemaRegistry} for tests without a server ({@code mock://scope} URLs).
 *
 * <p>Every method throws {@link SchemaRegistryException} carrying the registry's error code when
 * the registry refuses the request or cannot be reached.
 */
public interface SchemaRegistryClient extends AutoCloseable {

  /** The version string that names the latest version of a subject. */
  String LATEST = "latest";

  /**
   * Registers {@code schema} under {@code subject} (or finds it there) and returns its global id.
   * Registering the same schema again returns the same id and creates no new version.
   *
   * @throws SchemaRegistryException 409 if it is incompatible under the subject's level, 42201 if
   *     the registry finds it invalid
   */
  int register(String subject, Schema schema);

  /**
   * Finds {@code schema} among the versions of {@code subject}.
   *
   * @throws SchemaRegistryException 40401 if the subject does not exist, 40403 if the schema is not
   *     registered under it
   */
  RegisteredSchema lookup(String subject, Schema schema);

  /**
   * The schema with global id {@code id}.
   *
   * @throws SchemaRegistryException 40403 if there is no schema with that id
   */
  Schema schemaById(int id);

  /** All subjects that have at least one version. */
  List<String> subjects();

  /**
   * The version numbers of {@code subject}, ascending.
   *
   * @throws SchemaRegistryException 40401 if the subject does not exist
   */
  List<Integer> versions(String subject);

  /**
   * One version of a subject.
   *
   * @param version a version number, or {@link #LATEST}
   * @throws SchemaRegistryException 40401 (subject), 40402 (version) or 42202 (not a version)
   */
  RegisteredSchema version(String subject, String version);

  /**
   * Whether {@code schema} could be registered next to {@code version} of {@code subject} under the
   * subject's compatibility level.
   *
   * @param version a version number, or {@link #LATEST}
   */
  boolean isCompatible(String subject, String version, Schema schema);

  /**
   * The compatibility level in force: the subject's own if {@code subject} is not null and has one,
   * else the global level.
   */
  CompatibilityLevel compatibility(String subject);

  /**
   * Sets the compatibility level of {@code subject}, or the global level if {@code subject} is
   * null.
   */
  void setCompatibility(String subject, CompatibilityLevel level);

  /** Releases connections; the default does nothing. */
  @Override
  default void close() {}
}
