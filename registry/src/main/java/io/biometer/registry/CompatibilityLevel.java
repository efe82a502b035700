package io.biometer.registry;

import java.util.Locale;

/**
 * Schema compatibility levels of the Confluent Schema Registry API.
 *
 * <p>BACKWARD: a consumer using the new schema can read data written with the previous one.
 * FORWARD: a consumer using the previous schema can read data written with the new one. FULL: both.
 * The {@code _TRANSITIVE} variants check against every earlier version, not only the last. NONE
 * checks nothing.
 */
public enum CompatibilityLevel {
  NONE,
  BACKWARD,
  BACKWARD_TRANSITIVE,
  FORWARD,
  FORWARD_TRANSITIVE,
  FULL,
  FULL_TRANSITIVE;

  /** True if the new schema must be able to read data written with older ones. */
  public boolean checksBackward() {
    return this == BACKWARD
        || this == BACKWARD_TRANSITIVE
        || this == FULL
        || this == FULL_TRANSITIVE;
  }

  /** True if older schemas must be able to read data written with the new one. */
  public boolean checksForward() {
    return this == FORWARD || this == FORWARD_TRANSITIVE || this == FULL || this == FULL_TRANSITIVE;
  }

  /** True if the check covers every earlier version rather than only the latest. */
  public boolean isTransitive() {
    return name().endsWith("_TRANSITIVE");
  }

  /**
   * Parses a level name, case-insensitively.
   *
   * @throws SchemaRegistryException with error code 42203 if the name is not a level
   */
  public static CompatibilityLevel parse(String name) {
    if (name != null) {
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException ignored) {
        // falls through to the registry's own error
      }
    }
    throw new SchemaRegistryException(
        422,
        SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL,
        "Invalid compatibility level '"
            + name
            + "'; valid levels are NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE,"
            + " FULL, FULL_TRANSITIVE");
  }
}
