package io.biometer.config;

/**
 * One configuration value and where it came from.
 *
 * @param value the value as given: a string from a file, the environment or the command line, or
 *     any object a caller passed in code
 * @param source where it came from
 */
public record ConfigValue(Object value, ConfigSource source) {}
