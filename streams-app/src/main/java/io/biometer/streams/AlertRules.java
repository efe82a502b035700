package io.biometer.streams;

import io.biometer.avro.Alert;
import io.biometer.avro.AlertKind;
import io.biometer.avro.AlertState;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.CleanReading;
import io.biometer.avro.Device;
import io.biometer.avro.SensorType;
import io.biometer.avro.Severity;
import io.biometer.catalog.SensorCatalog;
import io.biometer.streams.internal.PipelineMetrics;
import io.biometer.streams.rules.AlertStateMachine;
import io.biometer.streams.rules.RuleBook;
import io.biometer.streams.rules.RuleState;
import io.biometer.streams.rules.ThresholdRule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Turns clean readings into alert transitions, one state machine per (device, rule) in a
 * changelogged store: value high and low with hysteresis and optional minimum duration, battery
 * low. Also watches for silent devices: a wall-clock punctuator raises DEVICE_SILENT for a device
 * without a reading for {@code alerts.silent.factor} times its cadence (meters: {@code
 * alerts.silent.meter.after.ms}); its next reading clears it. An alert from a reading measured
 * longer ago than {@code alerts.late.after.ms} is marked late. Input keyed by device id.
 */
public final class AlertRules {

  public static final String STEP = "alerts";
  public static final String STATE_STORE = "alert-state-store";
  public static final String LAST_SEEN_STORE = "last-seen-store";

  private AlertRules() {}

  public static KStream<String, Alert> apply(
      StreamsBuilder builder,
      KStream<String, CleanReading> readings,
      StreamsAppConfig config,
      PipelineMetrics metrics,
      String devicesStore) {
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(STATE_STORE), Serdes.String(), Serdes.String()));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(LAST_SEEN_STORE), Serdes.String(), Serdes.String()));
    RuleBook rules = config.ruleBook();
    return readings.process(
        () -> new Step(config, rules, metrics, devicesStore),
        Named.as("alert-rules"),
        STATE_STORE,
        LAST_SEEN_STORE);
  }

  /** Builds an alert record. */
  static Alert alert(
      String deviceId,
      String ownerId,
      SensorType type,
      AlertKind kind,
      AlertState state,
      Severity severity,
      String rule,
      String channel,
      Double value,
      Double threshold,
      long eventTime,
      long detectedAt,
      boolean late,
      String message) {
    return Alert.newBuilder()
        .setDeviceId(deviceId)
        .setOwnerId(ownerId)
        .setSensorType(type)
        .setKind(kind)
        .setState(state)
        .setSeverity(severity)
        .setRule(rule)
        .setChannel(channel)
        .setValue(value)
        .setThreshold(threshold)
        .setEventTime(Instant.ofEpochMilli(eventTime))
        .setDetectedAt(Instant.ofEpochMilli(detectedAt))
        .setLate(late)
        .setMessage(message)
        .build();
  }

  private static final class Step implements Processor<String, CleanReading, String, Alert> {
    private final RuleBook rules;
    private final PipelineMetrics metrics;
    private final String devicesStoreName;
    private final long lateAfter;
    private final double silentFactor;
    private final long meterSilentAfter;
    private final long checkInterval;
    private final SensorCatalog catalog = SensorCatalog.standard();
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, String> states;
    private KeyValueStore<String, String> lastSeen;
    private TimestampedKeyValueStore<String, Device> devices;

    Step(
        StreamsAppConfig config, RuleBook rules, PipelineMetrics metrics, String devicesStoreName) {
      this.rules = rules;
      this.metrics = metrics;
      this.devicesStoreName = devicesStoreName;
      this.lateAfter = config.lateAfterMs();
      this.silentFactor = config.silentFactor();
      this.meterSilentAfter = config.silentMeterAfterMs();
      this.checkInterval = config.silentCheckIntervalMs();
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
      this.context = context;
      this.states = context.getStateStore(STATE_STORE);
      this.lastSeen = context.getStateStore(LAST_SEEN_STORE);
      this.devices = context.getStateStore(devicesStoreName);
      // Wall clock on purpose: a device is silent when nothing arrives, which no event time shows.
      context.schedule(
          Duration.ofMillis(checkInterval), PunctuationType.WALL_CLOCK_TIME, this::findSilent);
    }

    @Override
    public void process(Record<String, CleanReading> record) {
      metrics.in(STEP);
      CleanReading r = record.value();
      long now = context.currentSystemTimeMs();
      long t = r.getEventTime().toEpochMilli();
      boolean late = now - t > lateAfter;
      Device device = device(r.getDeviceId());
      seen(r, device, now, late);
      for (ThresholdRule rule : rules.rules(r.getSensorType(), device)) {
        Double v =
            rule.channel() == null
                ? Double.valueOf(r.getBatteryPercent())
                : value(r, rule.channel());
        if (v == null) {
          continue;
        }
        String key = r.getDeviceId() + "|" + rule.id();
        RuleState before = decode(states.get(key));
        AlertStateMachine.Step step = AlertStateMachine.step(rule, before, v, t);
        if (!step.state().equals(before)) {
          if (step.state().status() == RuleState.Status.NORMAL) {
            states.delete(key);
          } else {
            states.put(key, step.state().status() + ":" + step.state().since());
          }
        }
        if (step.transition() != null) {
          String unit =
              rule.channel() == null
                  ? "%"
                  : catalog
                      .spec(r.getSensorType())
                      .channel(rule.channel())
                      .map(c -> c.unit())
                      .orElse("");
          String message =
              String.format(
                  Locale.ROOT,
                  "%s %s %.2f %s %s %.2f %s",
                  r.getSensorType(),
                  rule.channel() == null ? "battery" : rule.channel(),
                  v,
                  unit,
                  describe(rule, step.transition()),
                  step.threshold(),
                  unit);
          emit(
              alert(
                  r.getDeviceId(),
                  r.getOwnerId(),
                  r.getSensorType(),
                  rule.kind(),
                  step.transition(),
                  rule.severity(),
                  rule.id(),
                  rule.channel(),
                  v,
                  step.threshold(),
                  t,
                  now,
                  late,
                  message),
              now,
              t);
        }
      }
      metrics.out(STEP);
    }

    private static String describe(ThresholdRule rule, AlertState transition) {
      if (transition == AlertState.RAISED) {
        return rule.high() ? "above" : "below";
      }
      return rule.high() ? "back below" : "back above";
    }

    private void emit(Alert a, long now, long eventTime) {
      metrics.alert(a.getKind(), a.getState(), a.getLate());
      metrics.latency("alert", now - eventTime);
      context.forward(new Record<>(a.getDeviceId(), a, Math.max(0, eventTime)));
    }

    private Device device(String id) {
      ValueAndTimestamp<Device> d = devices.get(id);
      return d == null ? null : d.value();
    }

    private static Double value(CleanReading r, String channel) {
      for (ChannelValue v : r.getValues()) {
        if (v.getChannel().equals(channel)) {
          return v.getValue();
        }
      }
      return null;
    }

    /** Records when the device was last heard of, and clears its silent alert if it had one. */
    private void seen(CleanReading r, Device device, long now, boolean late) {
      String previous = lastSeen.get(r.getDeviceId());
      long silentAfter;
      if (r.getSensorType() == SensorType.SOIL_METER) {
        silentAfter = meterSilentAfter;
      } else {
        long cadence =
            device != null && device.getCadenceMillis() != null
                ? device.getCadenceMillis()
                : catalog.contains(r.getSensorType())
                    ? catalog.spec(r.getSensorType()).cadence().toMillis()
                    : 60_000L;
        silentAfter = (long) (cadence * silentFactor);
      }
      if (previous != null && previous.split("\\|")[2].equals("1")) {
        emit(
            alert(
                r.getDeviceId(),
                r.getOwnerId(),
                r.getSensorType(),
                AlertKind.DEVICE_SILENT,
                AlertState.CLEARED,
                Severity.MEDIUM,
                "device.silent",
                null,
                null,
                null,
                r.getEventTime().toEpochMilli(),
                now,
                late,
                "device " + r.getDeviceId() + " is sending again"),
            now,
            r.getEventTime().toEpochMilli());
      }
      lastSeen.put(
          r.getDeviceId(),
          now + "|" + silentAfter + "|0|" + r.getOwnerId() + "|" + r.getSensorType());
    }

    private void findSilent(long now) {
      List<KeyValue<String, String>> updates = new ArrayList<>();
      try (KeyValueIterator<String, String> it = lastSeen.all()) {
        while (it.hasNext()) {
          KeyValue<String, String> kv = it.next();
          String[] f = kv.value.split("\\|");
          long last = Long.parseLong(f[0]);
          long silentAfter = Long.parseLong(f[1]);
          if (f[2].equals("0") && now - last > silentAfter) {
            SensorType type = SensorType.valueOf(f[4]);
            emit(
                alert(
                    kv.key,
                    f[3],
                    type,
                    AlertKind.DEVICE_SILENT,
                    AlertState.RAISED,
                    Severity.MEDIUM,
                    "device.silent",
                    null,
                    null,
                    (double) silentAfter,
                    now,
                    now,
                    false,
                    "no reading from "
                        + kv.key
                        + " for "
                        + (now - last) / 1000
                        + " s (expected within "
                        + silentAfter / 1000
                        + " s)"),
                now,
                now);
            updates.add(KeyValue.pair(kv.key, f[0] + "|" + f[1] + "|1|" + f[3] + "|" + f[4]));
          }
        }
      }
      updates.forEach(kv -> lastSeen.put(kv.key, kv.value));
    }

    private static RuleState decode(String s) {
      if (s == null) {
        return RuleState.NORMAL;
      }
      int colon = s.indexOf(':');
      return new RuleState(
          RuleState.Status.valueOf(s.substring(0, colon)), Long.parseLong(s.substring(colon + 1)));
    }
  }
}
