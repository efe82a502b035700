package io.biometer.config;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.function.Consumer;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Validators that say what they allow ({@code toString}), so an error line can name it: {@code
 * speed must be > 0, got 0 (from argument)}.
 */
public final class ConfigValidators {

  private ConfigValidators() {}

  /**
   * A validator that runs {@code check} (which throws on a bad value) and is described as {@code
   * allowed}.
   */
  public static ConfigDef.Validator described(String allowed, Consumer<Object> check) {
    return new ConfigDef.Validator() {
      @Override
      public void ensureValid(String name, Object value) {
        if (value == null) {
          return;
        }
        try {
          check.accept(value);
        } catch (RuntimeException e) {
          throw new ConfigException(name, value, "must be " + allowed);
        }
      }

      @Override
      public String toString() {
        return allowed;
      }
    };
  }

  /**
   * A string equal, ignoring case and surrounding blanks, to one of {@code names} (e.g. an enum's
   * constants), described as {@code one of A, B, C}.
   */
  public static ConfigDef.Validator oneOfIgnoringCase(String... names) {
    java.util.List<String> allowed = java.util.List.of(names);
    return described(
        "one of " + String.join(", ", allowed),
        v -> {
          String s = v.toString().trim();
          if (allowed.stream().noneMatch(s::equalsIgnoreCase)) {
            throw new IllegalArgumentException();
          }
        });
  }

  /** A number at least {@code min} and strictly below {@code max}. */
  public static ConfigDef.Validator atLeastAndBelow(double min, double max) {
    return described(
        ">= " + bound(min) + " and < " + bound(max),
        v -> {
          double d = ((Number) v).doubleValue();
          if (!(d >= min && d < max)) {
            throw new IllegalArgumentException();
          }
        });
  }

  private static String bound(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  /** A number strictly above {@code min}. */
  public static ConfigDef.Validator greaterThan(double min) {
    String bound = min == Math.rint(min) ? Long.toString((long) min) : Double.toString(min);
    return described(
        "> " + bound,
        v -> {
          if (!(((Number) v).doubleValue() > min)) {
            throw new IllegalArgumentException();
          }
        });
  }

  /** An ISO-8601 duration (e.g. {@code PT60S}) of at least {@code min}. */
  public static ConfigDef.Validator duration(Duration min) {
    return described(
        min.compareTo(Duration.ofMillis(1)) <= 0
            ? "a positive ISO-8601 duration (e.g. PT60S)"
            : "an ISO-8601 duration (e.g. PT60S) of at least " + min,
        v -> {
          if (Duration.parse(v.toString().trim()).compareTo(min) < 0) {
            throw new IllegalArgumentException();
          }
        });
  }

  /** The duration {@code value}, checked by {@link #duration}, or null. */
  public static Duration parseDuration(String value) {
    return value == null ? null : Duration.parse(value.trim());
  }

  /** An ISO-8601 instant, e.g. {@code 2024-01-01T00:00:00Z}. */
  public static ConfigDef.Validator instant() {
    return described(
        "an ISO-8601 instant (e.g. 2024-01-01T00:00:00Z)",
        v -> {
          try {
            Instant.parse(v.toString().trim());
          } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(e);
          }
        });
  }
}
