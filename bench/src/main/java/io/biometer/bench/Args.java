package io.biometer.bench;

/** How the benches read their command-line arguments. */
final class Args {

  private Args() {}

  /**
   * The positive whole number after the {@code =} of {@code --name=N} ({@code _} and {@code ,}
   * allowed as separators).
   *
   * @throws IllegalArgumentException naming the argument if it is not a positive whole number
   */
  static int positive(String arg) {
    String v = arg.substring(arg.indexOf('=') + 1);
    try {
      int n = Integer.parseInt(v.replace("_", "").replace(",", ""));
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException(arg + ": expected a positive whole number");
  }

  /** True if {@code arg} is a {@code key=value} setting rather than an option. */
  static boolean isSetting(String arg) {
    return !arg.startsWith("-") && arg.indexOf('=') > 0;
  }

  /** The key of a {@code key=value} setting. */
  static String key(String setting) {
    return setting.substring(0, setting.indexOf('='));
  }

  /** The value of a {@code key=value} setting. */
  static String value(String setting) {
    return setting.substring(setting.indexOf('=') + 1);
  }

  /** The error for an argument no bench option matches. */
  static IllegalArgumentException unknown(String arg) {
    return new IllegalArgumentException("unknown argument '" + arg + "'");
  }
}
