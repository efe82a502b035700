package io.biometer.ingress.auth;

import io.biometer.avro.CredentialType;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceCredential;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the gateway knows of devices: the registry (telemetry.devices) and the credentials
 * (telemetry.credentials), kept current by the views that read those topics. Thread-safe.
 */
public final class Directory {

  private final Map<String, Device> devices = new ConcurrentHashMap<>();
  private final Map<String, DeviceCredential> credentials = new ConcurrentHashMap<>();

  /** The key of a credential in telemetry.credentials: {@code <type>/<authId>}. */
  public static String credentialKey(CredentialType type, String authId) {
    return type.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + "/" + authId;
  }

  /** Applies a record of telemetry.devices; null removes. */
  public void device(String deviceId, Device device) {
    if (device == null) {
      devices.remove(deviceId);
    } else {
      devices.put(deviceId, device);
    }
  }

  /** Applies a record of telemetry.credentials; null removes. */
  public void credential(String key, DeviceCredential credential) {
    if (credential == null) {
      credentials.remove(key);
    } else {
      credentials.put(credentialKey(credential.getType(), credential.getAuthId()), credential);
    }
  }

  public Device device(String deviceId) {
    return devices.get(deviceId);
  }

  public DeviceCredential credential(CredentialType type, String authId) {
    return credentials.get(credentialKey(type, authId));
  }

  public Collection<DeviceCredential> credentials() {
    return credentials.values();
  }

  /**
   * The views that keep this directory current: telemetry.devices and telemetry.credentials read
   * with {@code consumer} settings (bootstrap servers and overrides) and the Avro serde settings
   * {@code serde} (the registry). The caller starts them and waits for them to load.
   */
  public java.util.List<io.biometer.ingress.kafka.CompactedView> views(
      Map<String, Object> consumer, Map<String, ?> serde) {
    io.biometer.serde.AvroDeserializer<Device> devices =
        new io.biometer.serde.AvroDeserializer<>(Device.class);
    devices.configure(serde, false);
    io.biometer.serde.AvroDeserializer<DeviceCredential> credentials =
        new io.biometer.serde.AvroDeserializer<>(DeviceCredential.class);
    credentials.configure(serde, false);
    return java.util.List.of(
        new io.biometer.ingress.kafka.CompactedView(
            io.biometer.Topics.DEVICES,
            consumer,
            (k, v) -> device(k, devices.deserialize(io.biometer.Topics.DEVICES, v))),
        new io.biometer.ingress.kafka.CompactedView(
            io.biometer.Topics.CREDENTIALS,
            consumer,
            (k, v) -> credential(k, credentials.deserialize(io.biometer.Topics.CREDENTIALS, v))));
  }

  public int deviceCount() {
    return devices.size();
  }
}
