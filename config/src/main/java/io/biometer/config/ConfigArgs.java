package io.biometer.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The command line every app reads its config from: {@code [--config FILE] [key=value ...]}, and
 * {@code --help}.
 *
 * @param file the properties file, or null
 * @param values the {@code key=value} arguments, in order
 * @param help whether {@code --help} (or {@code -h}) was given
 */
public record ConfigArgs(Path file, Map<String, String> values, boolean help) {

  /** Copies the values. */
  public ConfigArgs {
    values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /**
   * Parses {@code args}; {@code file} is the file to use when {@code --config} is not given (may be
   * null).
   *
   * @throws IllegalArgumentException naming an unknown argument, a {@code --config} without a file,
   *     or a file that does not exist
   */
  public static ConfigArgs parse(String[] args, Path file) {
    Map<String, String> values = new LinkedHashMap<>();
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        help = true;
      } else if (a.equals("--config")) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("--config needs a file name");
        }
        file = Path.of(args[++i]);
      } else if (a.contains("=") && !a.startsWith("-")) {
        int eq = a.indexOf('=');
        values.put(a.substring(0, eq).trim(), a.substring(eq + 1).trim());
      } else {
        throw new IllegalArgumentException("unknown argument '" + a + "'");
      }
    }
    if (file != null && !Files.isRegularFile(file)) {
      throw new IllegalArgumentException("config file " + file + " does not exist");
    }
    return new ConfigArgs(file, values, help);
  }
}
