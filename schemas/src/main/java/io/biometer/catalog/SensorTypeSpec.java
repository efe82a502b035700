package io.biometer.catalog;

import io.biometer.avro.SensorType;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything the pipeline knows about one sensor type: its channels with units and ranges, its
 * default cadence and the battery level under which it counts as low.
 *
 * @param type the sensor type
 * @param domain {@code BODY}, {@code SOIL} or {@code ACTUATOR} (a device that carries out commands
 *     and reports its state: the room fan, the field valve)
 * @param displayName name for people and dashboards
 * @param cadence default interval between two readings of one device
 * @param batteryLowPercent battery charge (percent) under which the device's battery is low
 * @param channels the channels every reading of this type carries, in order
 */
public record SensorTypeSpec(
    SensorType type,
    String domain,
    String displayName,
    Duration cadence,
    double batteryLowPercent,
    List<ChannelSpec> channels) {

  /** Copies the channel list and checks it is not empty. */
  public SensorTypeSpec {
    channels = List.copyOf(channels);
    if (channels.isEmpty()) {
      throw new IllegalArgumentException("sensor type " + type + " has no channels");
    }
    if (cadence.isNegative() || cadence.isZero()) {
      throw new IllegalArgumentException("sensor type " + type + ": cadence must be positive");
    }
  }

  /** The channel of that name, if this type has it. */
  public Optional<ChannelSpec> channel(String name) {
    for (ChannelSpec c : channels) {
      if (c.name().equals(name)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /** The names of this type's channels, in order. */
  public List<String> channelNames() {
    return channels.stream().map(ChannelSpec::name).toList();
  }
}
