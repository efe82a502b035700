package io.biometer.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;

/** Reading the properties files the apps' configurations start from. */
public final class PropertiesFiles {

  private PropertiesFiles() {}

  /**
   * The keys and values of {@code file}, trimmed.
   *
   * @throws ConfigException naming the file if it cannot be read
   */
  public static Map<String, String> read(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    Map<String, String> out = new LinkedHashMap<>();
    p.forEach((k, v) -> out.put(k.toString().trim(), v.toString().trim()));
    return out;
  }
}
