package io.biometer.simulator.engine;

import io.biometer.avro.BodyReading;
import io.biometer.avro.Device;
import io.biometer.avro.MeterReading;
import io.biometer.avro.SinkStatus;

/**
 * Where the simulation's records go: Kafka in a run, a list in tests. Called from the scheduler
 * threads; implementations are thread-safe.
 */
public interface Output {

  /** One copy of a body reading, as relayed by the sink named in its provenance. */
  void body(BodyReading copy);

  /** One sample of a meter's uploaded batch. */
  void meter(MeterReading sample);

  /** A sink's state change. */
  void sinkStatus(SinkStatus status);

  /** A registry entry. */
  void device(Device device);
}
