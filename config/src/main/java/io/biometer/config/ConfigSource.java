package io.biometer.config;

import java.nio.file.Path;

/**
 * Where a configuration value came from, as an error line names it: {@code file x.properties},
 * {@code env BIOMETER_KAFKA_PORT}, {@code argument}, {@code option --patients}, or a named default
 * layer such as {@code the local stack}.
 *
 * @param kind what sort of source
 * @param name the file, the environment variable, the option or the layer's name; empty for an
 *     argument
 */
public record ConfigSource(Kind kind, String name) {

  /** The sorts of source, in no particular order of precedence. */
  public enum Kind {
    FILE,
    ENV,
    ARGUMENT,
    OPTION,
    LAYER
  }

  /** A value read from the properties file {@code file}. */
  public static ConfigSource file(Path file) {
    return new ConfigSource(Kind.FILE, file.toString());
  }

  /** A value read from the environment variable {@code variable}. */
  public static ConfigSource env(String variable) {
    return new ConfigSource(Kind.ENV, variable);
  }

  /** A {@code key=value} command-line argument. */
  public static ConfigSource argument() {
    return new ConfigSource(Kind.ARGUMENT, "");
  }

  /** A command-line option such as {@code --patients}. */
  public static ConfigSource option(String option) {
    return new ConfigSource(Kind.OPTION, option);
  }

  /** Values set by code, e.g. {@code the local stack} for what it passes to its apps. */
  public static ConfigSource layer(String name) {
    return new ConfigSource(Kind.LAYER, name);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case FILE -> "file " + name;
      case ENV -> "env " + name;
      case ARGUMENT -> "argument";
      case OPTION -> "option " + name;
      case LAYER -> name;
    };
  }
}
