package io.biometer.streams.alerting;

import io.biometer.avro.SensorType;

/**
 * When a device was last heard of, as the silent-device step keeps it (mutable, one per device).
 */
final class LastSeen {
  /** When its last reading arrived, wall-clock epoch ms. */
  long last;

  /** How long without a reading makes it silent, ms. */
  long silentAfter;

  /** Whether a DEVICE_SILENT alert is raised for it. */
  boolean silent;

  String owner;
  SensorType type;

  /** When this was last written to the store, wall-clock ms; not stored. */
  long storedAt;
}
