package io.biometer.ingress.auth;

import io.biometer.avro.DeviceKind;

/**
 * Who is connected: the device a credential authenticated. Readings are keyed to this device, or to
 * a sensor it relays for; the device id in a payload is only a claim checked against it.
 *
 * @param authId the identity the device presented (user name, key id or certificate subject)
 * @param deviceId the device the credential belongs to
 * @param kind what sort of device it is, from telemetry.devices
 */
public record Principal(String authId, String deviceId, DeviceKind kind) {

  @Override
  public String toString() {
    return deviceId + " (auth id " + authId + ")";
  }
}
