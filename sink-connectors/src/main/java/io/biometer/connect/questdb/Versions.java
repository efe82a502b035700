package io.biometer.connect.questdb;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The plugin's version, as the build wrote it. */
final class Versions {

  /** The version of this plugin, e.g. {@code 0.1.0}; {@code unknown} outside a build. */
  static final String PLUGIN = read();

  private Versions() {}

  private static String read() {
    try (InputStream in =
        Versions.class.getResourceAsStream("/io/biometer/connect/plugin.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "unknown");
      return v.startsWith("${") ? "unknown" : v;
    } catch (IOException e) {
      return "unknown";
    }
  }
}
