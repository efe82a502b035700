package io.biometer.simulator.engine;

import io.biometer.avro.BodyReading;
import io.biometer.avro.CommandGrant;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceCredential;
import io.biometer.avro.MeterReading;
import io.biometer.avro.SinkStatus;
import java.util.List;

/**
 * Where the simulation's records go: Kafka in a run, a list in tests. Called from the scheduler
 * threads; implementations are thread-safe.
 */
public interface Output {

  /** One copy of a body reading, as relayed by the sink named in its provenance. */
  void body(BodyReading copy);

  /** One sample of a meter's uploaded batch. */
  void meter(MeterReading sample);

  /**
   * A meter's whole upload, in sampling order, each sample's provenance naming {@code batchId}. By
   * default each sample goes to {@link #meter}; an output that sends as a device does sends the
   * batch as one upload.
   */
  default void meterBatch(String batchId, List<MeterReading> samples) {
    samples.forEach(this::meter);
  }

  /** A sink's state change. */
  void sinkStatus(SinkStatus status);

  /** A registry entry. */
  void device(Device device);

  /**
   * A device's credential for the ingress gateway (telemetry.credentials, keyed {@code
   * <type>/<authId>}). By default dropped: only an output that writes to Kafka keeps it.
   */
  default void credential(DeviceCredential credential) {}

  /**
   * An entry of the command access map (telemetry.command.access, keyed by its principal), written
   * for the simulator's actuators. By default dropped: only an output that writes to Kafka keeps
   * it.
   */
  default void grant(CommandGrant grant) {}

  /**
   * True if this output connects actuators to the gateway, where they take commands: only then does
   * the simulation make them ({@link SimulationConfig#actuators()}). By default false: an actuator
   * written straight to Kafka could never be commanded.
   */
  default boolean connectsActuators() {
    return false;
  }

  /** Returns once every record given so far was sent (or kept to be sent again). */
  default void flush() {}
}
