package io.biometer.simulator.engine;

import io.biometer.avro.BodyReading;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.CommandGrant;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.Provenance;
import io.biometer.avro.RelayKind;
import io.biometer.avro.SensorType;
import io.biometer.avro.SinkState;
import io.biometer.avro.SinkStatus;
import io.biometer.catalog.SensorCatalog;
import io.biometer.catalog.SensorTypeSpec;
import io.biometer.simulator.model.ActuatorModel;
import io.biometer.simulator.model.Episode;
import io.biometer.simulator.model.Rng;
import io.biometer.simulator.model.SinkModel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A population of virtual patients (body sensors relayed by two sinks each) and soil meters, split
 * into shards for the scheduler's threads. Everything random comes from per-device streams derived
 * from {@link SimulationConfig#seed()}, so a run is repeatable exactly.
 */
public final class Simulation {

  /** Device ids of patient {@code i}. */
  public static String patientId(int i) {
    return String.format("patient-%06d", i);
  }

  /** Id of the body sensor of {@code type} that patient {@code patientId} wears. */
  public static String sensorId(String patientId, SensorType type) {
    return patientId + "." + type.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Id of meter {@code i}. */
  public static String meterId(int i) {
    return String.format("meter-%04d", i);
  }

  /** Counters of what the simulation did. */
  public static final class Counters {
    public final LongAdder readings = new LongAdder();
    public final LongAdder copies = new LongAdder();
    public final LongAdder duplicates = new LongAdder();
    public final LongAdder noSinkAwake = new LongAdder();
    public final LongAdder sinkTransitions = new LongAdder();
    public final LongAdder sinksAsleep = new LongAdder();
    public final LongAdder episodes = new LongAdder();
    public final LongAdder meterSamples = new LongAdder();
    public final LongAdder meterBatches = new LongAdder();
    public final LongAdder meterSamplesUploaded = new LongAdder();
  }

  final SimulationConfig config;
  final Output output;
  final GroundTruth truth;
  final Counters counters = new Counters();
  private final Shard[] shards;
  private final List<Patient> patients = new ArrayList<>();
  private final List<Meter> meters = new ArrayList<>();
  private final List<Device> actuators = new ArrayList<>();

  /** Builds the population of {@code config}, split into {@code shards} shards. */
  public Simulation(SimulationConfig config, Output output, GroundTruth truth, int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("need at least one scheduler thread, got " + shards);
    }
    this.config = config;
    this.output = output;
    this.truth = truth;
    this.shards = new Shard[shards];
    for (int i = 0; i < shards; i++) {
      this.shards[i] = new Shard();
    }
    SensorCatalog catalog = SensorCatalog.standard();
    int order = 0;
    for (int p = 0; p < config.patients(); p++) {
      int index = config.patientOffset() + p;
      String id = patientId(index);
      long seed = Rng.seed(config.seed(), index);
      long chargeA = (long) (Rng.uniform(Rng.next(seed)) * Meter.DAY);
      long chargeB = chargeA + Meter.DAY / 2;
      double batteryA = 60 + 40 * Rng.uniform(Rng.next(Rng.next(seed)));
      double batteryB = 60 + 40 * Rng.uniform(Rng.next(Rng.next(Rng.next(seed))));
      Patient patient =
          new Patient(
              id,
              new SinkModel(
                  id + ".sink-a", config.sinkBattery(), batteryA, config.simStart(), chargeA),
              new SinkModel(
                  id + ".sink-b", config.sinkBattery(), batteryB, config.simStart(), chargeB));
      patients.add(patient);
      Shard shard = this.shards[p % shards];
      for (SensorType type : config.sensorTypes()) {
        SensorTypeSpec spec = catalog.spec(type);
        long cadence =
            config.cadence() != null ? config.cadence().toMillis() : spec.cadence().toMillis();
        long sensorSeed = Rng.seed(seed, 1000 + type.ordinal());
        shard.add(
            new BodySensor(
                order++,
                patient,
                spec,
                cadence,
                config.simStart(),
                sensorSeed,
                config.sequenceOrigin()));
      }
    }
    SensorTypeSpec soil = catalog.spec(SensorType.SOIL_METER);
    for (int m = 0; m < config.meters(); m++) {
      int index = config.meterOffset() + m;
      long seed = Rng.seed(config.seed() ^ 0x5EED5EEDL, index);
      Meter meter =
          new Meter(
              order++,
              meterId(index),
              String.format("site-%04d", index / 2),
              soil,
              config.meterInterval().toMillis(),
              config.simStart(),
              seed,
              config.sequenceOrigin());
      meters.add(meter);
      this.shards[m % shards].add(meter);
    }
    if (config.actuators() && output.connectsActuators()) {
      addActuators(catalog);
    }
  }

  /**
   * A fan per patient ({@code <patient>.fan}) and a valve per site ({@code <site>.valve}), owned by
   * the patient and the site: the ids the streams app's rules command, {@code <owner>.fan} and
   * {@code <owner>.valve} of an alert's owner. A site's valve belongs to the process that simulates
   * the site's first meter (an even index), so that processes sharded by {@code meter.offset} do
   * not both make it (with an odd offset the site of the first meter has no valve).
   */
  private void addActuators(SensorCatalog catalog) {
    Instant at = Instant.ofEpochMilli(config.simStart());
    long fanCadence = catalog.spec(SensorType.FAN).cadence().toMillis();
    long valveCadence = catalog.spec(SensorType.VALVE).cadence().toMillis();
    for (Patient p : patients) {
      actuators.add(
          device(
              ActuatorModel.Kind.FAN.deviceId(p.id),
              DeviceKind.ACTUATOR,
              SensorType.FAN,
              p.id,
              fanCadence,
              at));
    }
    for (int m = 0; m < config.meters(); m++) {
      int index = config.meterOffset() + m;
      if (index % 2 == 0) {
        String site = meters.get(m).siteId;
        actuators.add(
            device(
                ActuatorModel.Kind.VALVE.deviceId(site),
                DeviceKind.ACTUATOR,
                SensorType.VALVE,
                site,
                valveCadence,
                at));
      }
    }
  }

  /** The registry entries of the fans and valves, empty unless the config asks for actuators. */
  public List<Device> actuators() {
    return List.copyOf(actuators);
  }

  /** What happened so far. */
  public Counters counters() {
    return counters;
  }

  int shardCount() {
    return shards.length;
  }

  Shard shard(int i) {
    return shards[i];
  }

  /**
   * Publishes a registry entry for every sensor, sink, meter and actuator, and the access grants of
   * the actuators' rules. A sink's entry lists its patient's sensors in {@code via}, the devices
   * the gateway lets it relay for; the sensors come first, so that a reader of the registry knows
   * them by the time it sees the sink that names them.
   */
  public void registerDevices() {
    Instant at = Instant.ofEpochMilli(config.simStart());
    SensorCatalog catalog = SensorCatalog.standard();
    for (Patient p : patients) {
      List<String> sensors = new ArrayList<>(config.sensorTypes().size());
      for (SensorType type : config.sensorTypes()) {
        long cadence =
            config.cadence() != null
                ? config.cadence().toMillis()
                : catalog.spec(type).cadence().toMillis();
        String id = sensorId(p.id, type);
        sensors.add(id);
        output.device(device(id, DeviceKind.BODY_SENSOR, type, p.id, cadence, at));
      }
      for (SinkModel s : p.sinks) {
        Device sink = device(s.id(), DeviceKind.SINK, null, p.id, null, at);
        sink.setVia(List.copyOf(sensors));
        output.device(sink);
      }
    }
    for (Meter m : meters) {
      output.device(
          device(
              m.deviceId,
              DeviceKind.SOIL_METER,
              SensorType.SOIL_METER,
              m.siteId,
              config.meterInterval().toMillis(),
              at));
    }
    actuators.forEach(output::device);
    grant(SensorType.FAN, "fan", "set_power");
    grant(SensorType.VALVE, "valve", "set_valve");
  }

  /**
   * Lets the streams app's rule {@code rule:<name>} send {@code command} to every actuator of
   * {@code type}, if there is one: the simulator provisions its actuators, so it also writes the
   * access the rules need (docs/commands.md), as {@code ./biometer up} grants them.
   */
  private void grant(SensorType type, String name, String command) {
    if (actuators.stream().noneMatch(d -> d.getSensorType() == type)) {
      return;
    }
    ActuatorModel.Kind kind = ActuatorModel.Kind.of(type);
    output.grant(
        CommandGrant.newBuilder()
            .setPrincipal("rule:" + name)
            .setDevices(List.of(kind.deviceId("*")))
            .setCommands(List.of(command))
            .setGrantedAt(Instant.now())
            .setNote("granted by the simulator for its actuators")
            .build());
  }

  private static Device device(
      String id, DeviceKind kind, SensorType type, String owner, Long cadence, Instant at) {
    return Device.newBuilder()
        .setDeviceId(id)
        .setKind(kind)
        .setSensorType(type)
        .setOwnerId(owner)
        .setCadenceMillis(cadence)
        .setLabels(Map.of("source", "biometer-simulator"))
        .setRegisteredAt(at)
        .build();
  }

  /** Number of devices {@link #registerDevices()} publishes. */
  public long deviceCount() {
    return (long) patients.size() * (2 + config.sensorTypes().size())
        + meters.size()
        + actuators.size();
  }

  /** Relays one reading through the patient's awake sinks. */
  void relay(BodySensor s, long t, List<ChannelValue> values, double jitter) {
    counters.readings.increment();
    int copies = 0;
    for (SinkModel sink : s.patient.sinks) {
      publish(sink, s.patient, sink.advanceTo(t));
    }
    for (SinkModel sink : s.patient.sinks) {
      if (!sink.awake() || (!config.redundant() && copies == 1)) {
        continue;
      }
      // Each sink relays a few milliseconds after the measurement, the second a little later.
      long relayedAt = t + 5 + (long) (jitter * 40) + copies * 7L;
      output.body(
          new BodyReading(
              s.deviceId,
              s.patient.id,
              s.spec.type(),
              s.sequence,
              Instant.ofEpochMilli(t),
              values,
              (float) s.battery,
              new Provenance(RelayKind.SINK, sink.id(), Instant.ofEpochMilli(relayedAt), false)));
      copies++;
      publish(sink, s.patient, sink.relay(t));
    }
    counters.copies.add(copies);
    if (copies == 0) {
      counters.noSinkAwake.increment();
      truth.noSinkAwake(s.deviceId, s.sequence, t);
    } else if (copies > 1) {
      counters.duplicates.add(copies - 1);
      truth.duplicated(s.deviceId, s.sequence, copies);
    }
  }

  private void publish(SinkModel sink, Patient p, List<SinkModel.Transition> transitions) {
    for (SinkModel.Transition tr : transitions) {
      counters.sinkTransitions.increment();
      if (tr.to() == SinkState.SLEEPING) {
        counters.sinksAsleep.increment();
      } else if (tr.from() == SinkState.SLEEPING) {
        counters.sinksAsleep.decrement();
      }
      output.sinkStatus(
          SinkStatus.newBuilder()
              .setSinkId(sink.id())
              .setPatientId(p.id)
              .setState(tr.to())
              .setPreviousState(tr.from())
              .setBatteryPercent((float) tr.batteryPercent())
              .setReason(tr.reason())
              .setEventTime(Instant.ofEpochMilli(tr.at()))
              .build());
    }
  }

  void episodeStarted(String deviceId, Episode e) {
    counters.episodes.increment();
    truth.episode(deviceId, e);
  }

  void meterSampled() {
    counters.meterSamples.increment();
  }

  void meterUploaded(String deviceId, String batchId, int samples, long from, long to, long at) {
    counters.meterBatches.increment();
    counters.meterSamplesUploaded.add(samples);
    truth.meterBatch(deviceId, batchId, samples, from, to, at);
  }

  /**
   * Fires everything due up to simulated time {@code until}, shard after shard, in the calling
   * thread. Deterministic: the way tests drive a simulation.
   */
  public void runUntil(long until) {
    for (Shard s : shards) {
      while (s.runDue(this, until, Integer.MAX_VALUE) > 0) {
        // runDue returns once nothing more is due
      }
    }
  }
}
