package io.biometer.streams.alerting;

import io.biometer.avro.AlertKind;
import io.biometer.avro.Device;
import io.biometer.avro.SensorType;
import io.biometer.avro.Severity;
import io.biometer.avro.ThresholdOverride;
import io.biometer.catalog.ChannelSpec;
import io.biometer.catalog.SensorCatalog;
import io.biometer.catalog.SensorTypeSpec;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The alert rules of a device: a high and a low rule per channel from the catalogue's normal range
 * and hysteresis, replaced by configured values per sensor type and channel, replaced in turn by
 * the device's own thresholds from the registry; plus a battery-low rule. A low rule is left out
 * where the normal range starts at the physically possible minimum (nothing can be too low).
 */
public final class RuleBook {

  /**
   * Configured replacements of the catalogue for one sensor type and channel; null keeps the
   * catalogue's.
   */
  public record ChannelOverride(Double low, Double high, Double hysteresis) {}

  private final SensorCatalog catalog;
  private final Map<SensorType, Severity> severities;
  private final Map<SensorType, Long> minDurations;
  private final Map<String, ChannelOverride> channelOverrides;
  private final double batteryHysteresis;
  private final Map<SensorType, List<ThresholdRule>> byType = new EnumMap<>(SensorType.class);

  /**
   * @param severities severity of value alerts per sensor type
   * @param minDurations minimum duration in milliseconds per sensor type
   * @param channelOverrides configured thresholds keyed {@code TYPE.channel}
   * @param batteryHysteresis percent a battery must regain to clear a battery-low alert
   */
  public RuleBook(
      SensorCatalog catalog,
      Map<SensorType, Severity> severities,
      Map<SensorType, Long> minDurations,
      Map<String, ChannelOverride> channelOverrides,
      double batteryHysteresis) {
    this.catalog = catalog;
    this.severities = Map.copyOf(severities);
    this.minDurations = Map.copyOf(minDurations);
    this.channelOverrides = Map.copyOf(channelOverrides);
    this.batteryHysteresis = batteryHysteresis;
    for (SensorTypeSpec spec : catalog.all()) {
      byType.put(spec.type(), build(spec, List.of()));
    }
  }

  /** The rules for a device of {@code type}, with the device's own overrides if it has any. */
  public List<ThresholdRule> rules(SensorType type, Device device) {
    if (device == null || device.getThresholds() == null || device.getThresholds().isEmpty()) {
      List<ThresholdRule> rules = byType.get(type);
      return rules == null ? List.of() : rules;
    }
    return build(catalog.spec(type), device.getThresholds());
  }

  /** The battery-low rule of a sensor type. */
  public ThresholdRule batteryRule(SensorType type) {
    return byType.get(type).stream()
        .filter(r -> r.kind() == AlertKind.BATTERY_LOW)
        .findFirst()
        .orElseThrow();
  }

  private List<ThresholdRule> build(SensorTypeSpec spec, List<ThresholdOverride> device) {
    List<ThresholdRule> rules = new ArrayList<>();
    Severity severity = severities.getOrDefault(spec.type(), Severity.MEDIUM);
    long minDuration = minDurations.getOrDefault(spec.type(), 0L);
    for (ChannelSpec c : spec.channels()) {
      double low = c.normalMin();
      double high = c.normalMax();
      double hysteresis = c.hysteresis();
      ChannelOverride o = channelOverrides.get(spec.type().name() + "." + c.name());
      if (o != null) {
        low = o.low() != null ? o.low() : low;
        high = o.high() != null ? o.high() : high;
        hysteresis = o.hysteresis() != null ? o.hysteresis() : hysteresis;
      }
      for (ThresholdOverride d : device) {
        if (d.getChannel().equals(c.name())) {
          low = d.getLow() != null ? d.getLow() : low;
          high = d.getHigh() != null ? d.getHigh() : high;
          hysteresis = d.getHysteresis() != null ? d.getHysteresis() : hysteresis;
        }
      }
      String prefix = spec.type().name() + "." + c.name();
      rules.add(
          new ThresholdRule(
              prefix + ".high",
              AlertKind.VALUE_HIGH,
              c.name(),
              high,
              hysteresis,
              minDuration,
              severity));
      if (low > c.possibleMin()) {
        rules.add(
            new ThresholdRule(
                prefix + ".low",
                AlertKind.VALUE_LOW,
                c.name(),
                low,
                hysteresis,
                minDuration,
                severity));
      }
    }
    rules.add(
        new ThresholdRule(
            spec.type().name() + ".battery.low",
            AlertKind.BATTERY_LOW,
            null,
            spec.batteryLowPercent(),
            batteryHysteresis,
            0,
            Severity.LOW));
    return List.copyOf(rules);
  }
}
