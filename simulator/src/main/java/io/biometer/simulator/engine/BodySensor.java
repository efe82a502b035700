package io.biometer.simulator.engine;

import io.biometer.avro.ChannelValue;
import io.biometer.catalog.ChannelSpec;
import io.biometer.catalog.SensorTypeSpec;
import io.biometer.simulator.model.Episode;
import io.biometer.simulator.model.EpisodeKind;
import io.biometer.simulator.model.Rng;
import io.biometer.simulator.model.SignalModel;
import java.util.ArrayList;
import java.util.List;

/**
 * One virtual body sensor: a few hundred bytes of state (sequence, battery, random stream, current
 * episode) advanced by the scheduler at its cadence.
 */
final class BodySensor extends Actor {

  final Patient patient;
  final SensorTypeSpec spec;
  final String deviceId;
  private final double[] baselines;
  private final long cadence;
  private final EpisodeKind episodeKind;
  long sequence;
  double battery;
  private long rng;
  private Episode episode;

  BodySensor(
      int order,
      Patient patient,
      SensorTypeSpec spec,
      long cadence,
      long start,
      long seed,
      long sequenceOrigin) {
    super(order, 0);
    this.patient = patient;
    this.spec = spec;
    this.deviceId = Simulation.sensorId(patient.id, spec.type());
    this.cadence = cadence;
    this.episodeKind = EpisodeKind.of(spec.type());
    this.rng = seed;
    this.baselines = new double[spec.channels().size()];
    for (int i = 0; i < baselines.length; i++) {
      baselines[i] = SignalModel.baseline(spec.channels().get(i), draw());
    }
    this.battery = 30 + 70 * draw();
    this.sequence = sequenceOrigin;
    // Spread the first readings over one cadence, so sensors do not all fire at once.
    this.due = start + (long) (draw() * cadence);
  }

  private double draw() {
    rng = Rng.next(rng);
    return Rng.uniform(rng);
  }

  private double gaussian() {
    rng = Rng.next(Rng.next(rng));
    return Rng.gaussian(rng);
  }

  @Override
  void fire(Simulation sim) {
    long t = due;
    if (episode != null && t >= episode.end()) {
      episode = null;
    }
    if (episode == null && episodeKind != null && sim.config.episodesPerHour() > 0) {
      double p = sim.config.episodesPerHour() * cadence / 3_600_000d;
      if (draw() < p) {
        long length = 120_000L + (long) (draw() * 18 * 60_000L);
        episode = new Episode(episodeKind, t, t + length, Math.max(10_000L, length / 5));
        sim.episodeStarted(deviceId, episode);
      }
    }
    List<ChannelValue> values = new ArrayList<>(baselines.length);
    for (int i = 0; i < baselines.length; i++) {
      ChannelSpec c = spec.channels().get(i);
      double v = SignalModel.value(c, baselines[i], t, gaussian(), episode);
      values.add(new ChannelValue(c.name(), Math.round(v * 100) / 100.0));
    }
    battery -= sim.config.sensorDrainPerReading();
    if (battery <= 0) {
      battery = 100;
    }
    sim.relay(this, t, values, draw());
    sequence++;
    due = t + cadence;
  }
}
