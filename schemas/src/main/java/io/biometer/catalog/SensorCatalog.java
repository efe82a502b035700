package io.biometer.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.biometer.avro.SensorType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The sensor-type catalogue: channels, units, physically possible and normal ranges, hysteresis,
 * default cadence and battery-low level of every sensor type. It is data ({@value #RESOURCE} on the
 * classpath), read once; every module asks this class rather than keeping its own copy.
 */
public final class SensorCatalog {

  /** Classpath location of the catalogue. */
  public static final String RESOURCE = "/io/biometer/catalog/sensor-types.json";

  private static final SensorCatalog DEFAULT = load();

  private final Map<SensorType, SensorTypeSpec> specs;

  private SensorCatalog(Map<SensorType, SensorTypeSpec> specs) {
    this.specs = Collections.unmodifiableMap(new EnumMap<>(specs));
  }

  /** The catalogue shipped with biometer. */
  public static SensorCatalog standard() {
    return DEFAULT;
  }

  /**
   * The spec of one sensor type.
   *
   * @throws IllegalArgumentException if the catalogue has no entry for it (e.g. {@code UNKNOWN})
   */
  public SensorTypeSpec spec(SensorType type) {
    SensorTypeSpec spec = specs.get(type);
    if (spec == null) {
      throw new IllegalArgumentException(
          "sensor type " + type + " is not in the sensor-type catalogue " + RESOURCE);
    }
    return spec;
  }

  /** True if the catalogue describes that type. */
  public boolean contains(SensorType type) {
    return specs.containsKey(type);
  }

  /** All specs, in the enum's order. */
  public Collection<SensorTypeSpec> all() {
    return specs.values();
  }

  /**
   * The specs of one domain ({@code BODY}, {@code SOIL} or {@code ACTUATOR}), in the enum's order.
   */
  public List<SensorTypeSpec> domain(String domain) {
    return specs.values().stream().filter(s -> s.domain().equals(domain)).toList();
  }

  private static SensorCatalog load() {
    try (InputStream in = SensorCatalog.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("sensor-type catalogue " + RESOURCE + " not on classpath");
      }
      return parse(new ObjectMapper().readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read sensor-type catalogue " + RESOURCE, e);
    }
  }

  static SensorCatalog parse(JsonNode root) {
    Map<SensorType, SensorTypeSpec> specs = new EnumMap<>(SensorType.class);
    for (JsonNode t : root.path("types")) {
      SensorType type = SensorType.valueOf(t.path("type").asText());
      List<ChannelSpec> channels = new ArrayList<>();
      for (JsonNode c : t.path("channels")) {
        channels.add(
            new ChannelSpec(
                c.path("name").asText(),
                c.path("unit").asText(),
                c.path("description").asText(""),
                required(c, "possibleMin", type),
                required(c, "possibleMax", type),
                required(c, "normalMin", type),
                required(c, "normalMax", type),
                c.path("hysteresis").asDouble(0)));
      }
      SensorTypeSpec spec =
          new SensorTypeSpec(
              type,
              t.path("domain").asText(),
              t.path("displayName").asText(type.name()),
              Duration.ofMillis(t.path("cadenceMillis").asLong()),
              t.path("batteryLowPercent").asDouble(20),
              channels);
      if (specs.put(type, spec) != null) {
        throw new IllegalStateException("sensor type " + type + " appears twice in " + RESOURCE);
      }
    }
    return new SensorCatalog(specs);
  }

  private static double required(JsonNode channel, String field, SensorType type) {
    JsonNode n = channel.get(field);
    if (n == null || !n.isNumber()) {
      throw new IllegalStateException(
          "sensor-type catalogue: "
              + type
              + " channel "
              + channel.path("name")
              + " lacks "
              + field);
    }
    return n.asDouble();
  }
}
