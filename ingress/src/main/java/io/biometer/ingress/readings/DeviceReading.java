package io.biometer.ingress.readings;

import java.util.Map;

/**
 * One reading as a device sends it, before the gateway has checked it.
 *
 * @param deviceId the device that measured: the connected device, or a sensor it relays for
 * @param sequence the device's own counter, increasing by one per reading
 * @param sentAt when the device sent it (epoch millis), checked against the allowed clock skew
 * @param eventTime when it was measured (epoch millis)
 * @param values channel name to value
 * @param batteryPercent the device's battery, 0 to 100
 */
public record DeviceReading(
    String deviceId,
    long sequence,
    long sentAt,
    long eventTime,
    Map<String, Double> values,
    float batteryPercent) {

  /** How the device and its answers name this reading: {@code <deviceId>/<sequence>}. */
  public String id() {
    return deviceId + "/" + sequence;
  }
}
