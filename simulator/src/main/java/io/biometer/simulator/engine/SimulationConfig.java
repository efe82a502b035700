package io.biometer.simulator.engine;

import io.biometer.avro.SensorType;
import io.biometer.catalog.SensorCatalog;
import io.biometer.catalog.SensorTypeSpec;
import io.biometer.simulator.model.SinkBatteryConfig;
import java.time.Duration;
import java.util.List;

/**
 * What to simulate. Times are simulated time unless named wall.
 *
 * @param seed makes a run repeatable exactly
 * @param simStart simulated epoch milliseconds at which the run starts
 * @param patients number of patients, each with two sinks
 * @param patientOffset index of the first patient, so several processes can shard by id range
 * @param sensorTypes the body sensor types each patient wears (1 to 10 of them)
 * @param cadence interval between two readings of a body sensor, or null for the catalogue's
 * @param redundant true: both awake sinks relay every reading; false: only the first awake one
 * @param episodesPerHour abnormal episodes per sensor per simulated hour
 * @param meters number of soil meters
 * @param meterOffset index of the first meter
 * @param meterInterval interval between two samples of a meter
 * @param sinkBattery how sinks' batteries behave
 * @param sensorDrainPerReading battery percent a body sensor spends per reading; at 0 % it gets a
 *     fresh battery
 * @param sequenceOrigin the first sequence number of every body sensor and meter
 * @param actuators true: a fan per patient and a valve per site of its meters too, with the access
 *     grants the streams app's rules need, if the output connects them to the gateway ({@link
 *     Output#connectsActuators()}): a run via kafka has none
 */
public record SimulationConfig(
    long seed,
    long simStart,
    int patients,
    int patientOffset,
    List<SensorType> sensorTypes,
    Duration cadence,
    boolean redundant,
    double episodesPerHour,
    int meters,
    int meterOffset,
    Duration meterInterval,
    SinkBatteryConfig sinkBattery,
    double sensorDrainPerReading,
    long sequenceOrigin,
    boolean actuators) {

  /** Checks every value; the message names the option to fix. */
  public SimulationConfig {
    sensorTypes = List.copyOf(sensorTypes);
    require(patients >= 0, "patients must be >= 0, got " + patients);
    require(patientOffset >= 0, "patient offset must be >= 0, got " + patientOffset);
    require(meters >= 0, "meters must be >= 0, got " + meters);
    require(meterOffset >= 0, "meter offset must be >= 0, got " + meterOffset);
    List<SensorType> notBody =
        sensorTypes.stream().filter(t -> !allBodyTypes().contains(t)).toList();
    require(
        notBody.isEmpty(),
        "body sensor types must be of the catalogue's BODY domain "
            + allBodyTypes()
            + ", got "
            + notBody);
    require(cadence == null || cadence.toMillis() >= 1, "cadence must be at least 1 ms");
    require(meterInterval.toMillis() >= 1000, "meter interval must be at least 1 s");
    require(episodesPerHour >= 0, "episode rate must be >= 0, got " + episodesPerHour);
    require(sensorDrainPerReading >= 0, "sensor drain must be >= 0");
    require(sequenceOrigin >= 0, "sequence origin must be >= 0, got " + sequenceOrigin);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /**
   * The ten body sensor types, in catalogue order: those of the catalogue's {@code BODY} domain,
   * never a meter or an actuator (FAN, VALVE), whose readings are not a patient's body.
   */
  public static List<SensorType> allBodyTypes() {
    return BODY_TYPES;
  }

  private static final List<SensorType> BODY_TYPES =
      SensorCatalog.standard().domain("BODY").stream().map(SensorTypeSpec::type).toList();

  /** Default abnormal episodes per sensor per simulated hour. */
  public static final double DEFAULT_EPISODES_PER_HOUR = 0.5;

  /** Default interval between two samples of a meter. */
  public static final Duration DEFAULT_METER_INTERVAL = Duration.ofMinutes(15);

  /** Default battery percent a body sensor spends per reading. */
  public static final double DEFAULT_SENSOR_DRAIN_PER_READING = 0.0012;

  /**
   * A builder for a run with {@code seed} starting at {@code simStart}: no patients and no meters
   * until set, every body type at its catalogue cadence, both sinks relaying, and the defaults
   * above.
   */
  public static Builder builder(long seed, long simStart) {
    return new Builder(seed, simStart);
  }

  /** Names what a call site sets; everything else keeps its default. */
  public static final class Builder {
    private final long seed;
    private final long simStart;
    private int patients;
    private int patientOffset;
    private List<SensorType> sensorTypes = allBodyTypes();
    private Duration cadence;
    private boolean redundant = true;
    private double episodesPerHour = DEFAULT_EPISODES_PER_HOUR;
    private int meters;
    private int meterOffset;
    private Duration meterInterval = DEFAULT_METER_INTERVAL;
    private SinkBatteryConfig sinkBattery = SinkBatteryConfig.defaults();
    private double sensorDrainPerReading = DEFAULT_SENSOR_DRAIN_PER_READING;
    private long sequenceOrigin;
    private boolean actuators;

    private Builder(long seed, long simStart) {
      this.seed = seed;
      this.simStart = simStart;
    }

    public Builder patients(int patients) {
      this.patients = patients;
      return this;
    }

    public Builder patientOffset(int patientOffset) {
      this.patientOffset = patientOffset;
      return this;
    }

    public Builder sensorTypes(List<SensorType> sensorTypes) {
      this.sensorTypes = sensorTypes;
      return this;
    }

    /** Null for each type's catalogue cadence. */
    public Builder cadence(Duration cadence) {
      this.cadence = cadence;
      return this;
    }

    public Builder redundant(boolean redundant) {
      this.redundant = redundant;
      return this;
    }

    public Builder episodesPerHour(double episodesPerHour) {
      this.episodesPerHour = episodesPerHour;
      return this;
    }

    public Builder meters(int meters) {
      this.meters = meters;
      return this;
    }

    public Builder meterOffset(int meterOffset) {
      this.meterOffset = meterOffset;
      return this;
    }

    public Builder meterInterval(Duration meterInterval) {
      this.meterInterval = meterInterval;
      return this;
    }

    public Builder sinkBattery(SinkBatteryConfig sinkBattery) {
      this.sinkBattery = sinkBattery;
      return this;
    }

    public Builder sensorDrainPerReading(double sensorDrainPerReading) {
      this.sensorDrainPerReading = sensorDrainPerReading;
      return this;
    }

    /** The first sequence number of every device; 0 unless set. */
    public Builder sequenceOrigin(long sequenceOrigin) {
      this.sequenceOrigin = sequenceOrigin;
      return this;
    }

    /** Fans and valves too; none unless set. */
    public Builder actuators(boolean actuators) {
      this.actuators = actuators;
      return this;
    }

    /**
     * The config.
     *
     * @throws IllegalArgumentException naming a value out of range
     */
    public SimulationConfig build() {
      return new SimulationConfig(
          seed,
          simStart,
          patients,
          patientOffset,
          sensorTypes,
          cadence,
          redundant,
          episodesPerHour,
          meters,
          meterOffset,
          meterInterval,
          sinkBattery,
          sensorDrainPerReading,
          sequenceOrigin,
          actuators);
    }
  }

  /** Number of body sensors. */
  public long bodySensors() {
    return (long) patients * sensorTypes.size();
  }
}
