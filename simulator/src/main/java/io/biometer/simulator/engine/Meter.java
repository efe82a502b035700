package io.biometer.simulator.engine;

import io.biometer.avro.ChannelValue;
import io.biometer.avro.MeterReading;
import io.biometer.avro.Provenance;
import io.biometer.avro.RelayKind;
import io.biometer.avro.SensorType;
import io.biometer.catalog.ChannelSpec;
import io.biometer.catalog.SensorTypeSpec;
import io.biometer.simulator.model.Rng;
import io.biometer.simulator.model.SignalModel;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A smart soil meter: samples through the simulated day and keeps the samples; after midnight (UTC)
 * it uploads the finished day as one batch at a random time of the next day, so its data arrives a
 * day late and out of order with other meters'.
 */
final class Meter extends Actor {

  static final long DAY = 86_400_000L;

  private record Batch(String id, long uploadAt, List<MeterReading> samples) {}

  final String deviceId;
  final String siteId;
  private final SensorTypeSpec spec;
  private final long interval;
  private final double[] baselines;
  private final ArrayDeque<Batch> uploads = new ArrayDeque<>();
  private List<MeterReading> today = new ArrayList<>();
  private long todayIndex;
  private long nextSample;
  private long sequence;
  private double battery;
  private long rng;

  Meter(
      int order,
      String deviceId,
      String siteId,
      SensorTypeSpec spec,
      long interval,
      long start,
      long seed,
      long sequenceOrigin) {
    super(order, start);
    this.sequence = sequenceOrigin;
    this.deviceId = deviceId;
    this.siteId = siteId;
    this.spec = spec;
    this.interval = interval;
    this.rng = seed;
    this.baselines = new double[spec.channels().size()];
    for (int i = 0; i < baselines.length; i++) {
      baselines[i] = SignalModel.baseline(spec.channels().get(i), draw());
    }
    this.battery = 60 + 40 * draw();
    this.nextSample = start + (long) (draw() * interval);
    this.todayIndex = Math.floorDiv(nextSample, DAY);
    this.due = nextSample;
  }

  private double draw() {
    rng = Rng.next(rng);
    return Rng.uniform(rng);
  }

  @Override
  void fire(Simulation sim) {
    Batch next = uploads.peek();
    if (next != null && next.uploadAt() <= nextSample) {
      uploads.poll();
      upload(sim, next);
    } else {
      sample(sim, nextSample);
      nextSample += interval;
    }
    Batch pending = uploads.peek();
    due = pending == null ? nextSample : Math.min(nextSample, pending.uploadAt());
  }

  private void sample(Simulation sim, long t) {
    long day = Math.floorDiv(t, DAY);
    if (day != todayIndex) {
      closeDay(day);
    }
    List<ChannelValue> values = new ArrayList<>(baselines.length);
    for (int i = 0; i < baselines.length; i++) {
      ChannelSpec c = spec.channels().get(i);
      rng = Rng.next(Rng.next(rng));
      double v = SignalModel.value(c, baselines[i], t, Rng.gaussian(rng), null);
      values.add(new ChannelValue(c.name(), Math.round(v * 100) / 100.0));
    }
    battery = Math.max(0, battery - 0.01);
    today.add(
        new MeterReading(
            deviceId,
            siteId,
            SensorType.SOIL_METER,
            sequence++,
            Instant.ofEpochMilli(t),
            values,
            (float) battery,
            null));
    sim.meterSampled();
  }

  private void closeDay(long newDay) {
    if (!today.isEmpty()) {
      // Uploaded between 00:30 and 06:00 of the next day: a day late, at a different time per
      // meter.
      long uploadAt = newDay * DAY + 1_800_000L + (long) (draw() * 19_800_000L);
      String id = deviceId + "/" + LocalDate.ofEpochDay(todayIndex).toString();
      uploads.add(new Batch(id, uploadAt, today));
      today = new ArrayList<>();
    }
    todayIndex = newDay;
  }

  private void upload(Simulation sim, Batch batch) {
    Provenance provenance =
        new Provenance(
            RelayKind.UPLOAD_BATCH, batch.id(), Instant.ofEpochMilli(batch.uploadAt()), false);
    for (MeterReading sample : batch.samples()) {
      sample.setProvenance(provenance);
    }
    sim.output.meterBatch(batch.id(), batch.samples());
    List<MeterReading> s = batch.samples();
    sim.meterUploaded(
        deviceId,
        batch.id(),
        s.size(),
        s.get(0).getEventTime().toEpochMilli(),
        s.get(s.size() - 1).getEventTime().toEpochMilli(),
        batch.uploadAt());
  }
}
