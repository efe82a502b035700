package io.biometer.simulator.engine;

import io.biometer.avro.BodyReading;
import io.biometer.avro.CommandGrant;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceCredential;
import io.biometer.avro.MeterReading;
import io.biometer.avro.SinkStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Keeps every record, for tests. */
public final class CollectingOutput implements Output {
  public final List<BodyReading> body = Collections.synchronizedList(new ArrayList<>());
  public final List<MeterReading> meter = Collections.synchronizedList(new ArrayList<>());
  public final List<SinkStatus> sinkStatus = Collections.synchronizedList(new ArrayList<>());
  public final List<Device> devices = Collections.synchronizedList(new ArrayList<>());
  public final List<DeviceCredential> credentials = Collections.synchronizedList(new ArrayList<>());
  public final List<CommandGrant> grants = Collections.synchronizedList(new ArrayList<>());
  public int flushes;

  /** What {@link #connectsActuators()} says: false, as via kafka, unless a test sets it. */
  public boolean connectsActuators;

  @Override
  public void body(BodyReading copy) {
    body.add(copy);
  }

  @Override
  public void meter(MeterReading sample) {
    meter.add(sample);
  }

  @Override
  public void sinkStatus(SinkStatus status) {
    sinkStatus.add(status);
  }

  @Override
  public void device(Device device) {
    devices.add(device);
  }

  @Override
  public void credential(DeviceCredential credential) {
    credentials.add(credential);
  }

  @Override
  public void grant(CommandGrant grant) {
    grants.add(grant);
  }

  @Override
  public boolean connectsActuators() {
    return connectsActuators;
  }

  @Override
  public void flush() {
    flushes++;
  }
}
