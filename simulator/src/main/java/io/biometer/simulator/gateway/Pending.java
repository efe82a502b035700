package io.biometer.simulator.gateway;

import io.biometer.avro.BodyReading;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.MeterReading;
import io.biometer.ingress.readings.DeviceReading;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reading a relaying device holds until the gateway answered it: what it measured, and how often
 * it was sent. The wire form gets a fresh {@code sentAt} at every send, as a device stamps a
 * message when it sends it, so a reading kept through an outage is not refused as clock skew.
 */
final class Pending {

  final String deviceId;
  final long sequence;
  final long eventTime;
  final Map<String, Double> values;
  final float batteryPercent;
  final boolean meter;

  /** How often it was sent. */
  int attempts;

  /** How often a connection ended while it alone was unanswered on it. */
  int strikes;

  Pending(
      String deviceId,
      long sequence,
      long eventTime,
      Map<String, Double> values,
      float batteryPercent,
      boolean meter) {
    this.deviceId = deviceId;
    this.sequence = sequence;
    this.eventTime = eventTime;
    this.values = values;
    this.batteryPercent = batteryPercent;
    this.meter = meter;
  }

  static Pending of(BodyReading r) {
    return new Pending(
        r.getDeviceId(),
        r.getSequence(),
        r.getEventTime().toEpochMilli(),
        values(r.getValues()),
        r.getBatteryPercent(),
        false);
  }

  static Pending of(MeterReading r) {
    return new Pending(
        r.getDeviceId(),
        r.getSequence(),
        r.getEventTime().toEpochMilli(),
        values(r.getValues()),
        r.getBatteryPercent(),
        true);
  }

  private static Map<String, Double> values(List<ChannelValue> values) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (ChannelValue v : values) {
      m.put(v.getChannel(), v.getValue());
    }
    return m;
  }

  /** The reading as sent at {@code sentAt}. */
  DeviceReading reading(long sentAt) {
    return new DeviceReading(deviceId, sequence, sentAt, eventTime, values, batteryPercent);
  }

  /** {@code <device>/<sequence>}, as the gateway names it. */
  String id() {
    return deviceId + "/" + sequence;
  }
}
