package io.biometer.simulator.engine;

import io.biometer.simulator.model.SinkModel;

/** A patient with two sinks on the body (A and B) that relay the patient's sensors. */
final class Patient {
  final String id;
  final SinkModel[] sinks;

  Patient(String id, SinkModel a, SinkModel b) {
    this.id = id;
    this.sinks = new SinkModel[] {a, b};
  }
}
