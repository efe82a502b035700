package io.biometer.simulator.model;

import io.biometer.avro.SensorType;
import java.util.Map;

/**
 * Abnormal episodes the simulator injects, each driving one sensor type's channels towards abnormal
 * targets (in the catalogue's units) with a ramp in, a plateau and a ramp out, so that alert rules
 * fire once and clear once.
 */
public enum EpisodeKind {
  DESATURATION(SensorType.BLOOD_OXYGEN, Map.of("spo2", 86.0)),
  HYPERTENSIVE_SPIKE(SensorType.BLOOD_PRESSURE, Map.of("systolic", 185.0, "diastolic", 115.0)),
  DEHYDRATION(SensorType.DEHYDRATION, Map.of("body_water", 40.0)),
  ARRHYTHMIA(SensorType.ECG, Map.of("heart_rate", 150.0)),
  SEIZURE_ACTIVITY(SensorType.EEG, Map.of("amplitude", 320.0)),
  MUSCLE_SPASM(SensorType.EMG, Map.of("rms_amplitude", 4.0)),
  LACTIC_ACIDOSIS(SensorType.LACTIC_ACID, Map.of("lactate", 5.5)),
  PACEMAKER_LEAD_FAULT(
      SensorType.PACEMAKER, Map.of("lead_impedance", 3500.0, "paced_heart_rate", 45.0)),
  HYPOGLYCAEMIA(SensorType.BLOOD_SUGAR, Map.of("glucose", 2.8)),
  FEVER(SensorType.BODY_TEMPERATURE, Map.of("body_temperature", 39.6));

  private final SensorType sensorType;
  private final Map<String, Double> targets;

  EpisodeKind(SensorType sensorType, Map<String, Double> targets) {
    this.sensorType = sensorType;
    this.targets = targets;
  }

  /** The sensor type this episode affects. */
  public SensorType sensorType() {
    return sensorType;
  }

  /** The value a channel reaches at the episode's plateau, or null if it is not affected. */
  public Double target(String channel) {
    return targets.get(channel);
  }

  /** The episode kind of a sensor type, or null if it has none. */
  public static EpisodeKind of(SensorType type) {
    for (EpisodeKind k : values()) {
      if (k.sensorType == type) {
        return k;
      }
    }
    return null;
  }
}
