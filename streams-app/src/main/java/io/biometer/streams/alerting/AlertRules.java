package io.biometer.streams.alerting;

import io.biometer.avro.Alert;
import io.biometer.avro.AlertKind;
import io.biometer.avro.AlertState;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.CleanReading;
import io.biometer.avro.Device;
import io.biometer.avro.SensorType;
import io.biometer.avro.Severity;
import io.biometer.catalog.SensorCatalog;
import io.biometer.streams.StreamsAppConfig;
import io.biometer.streams.internal.DeviceCache;
import io.biometer.streams.internal.PipelineMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
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
                Stores.persistentKeyValueStore(STATE_STORE), Serdes.String(), Serdes.String())
            .withCachingEnabled());
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(LAST_SEEN_STORE), Serdes.String(), Serdes.String())
            .withCachingEnabled());
    RuleBook rules = config.ruleBook();
    return readings.process(
        () -> new AlertRulesProcessor(config, rules, metrics, devicesStore),
        Named.as("alert-rules"),
        STATE_STORE,
        LAST_SEEN_STORE);
  }

  /** The processor alone, for tests that drive it directly (a restart over kept stores). */
  public static Processor<String, CleanReading, String, Alert> processor(
      StreamsAppConfig config, PipelineMetrics metrics, String devicesStore) {
    return new AlertRulesProcessor(config, config.ruleBook(), metrics, devicesStore);
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

  private static final class AlertRulesProcessor
      implements Processor<String, CleanReading, String, Alert> {
    private final RuleBook rules;
    private final PipelineMetrics metrics;
    private final PipelineMetrics.StepMeters meters;
    private final PipelineMetrics.Latency latency;
    private final String devicesStoreName;
    private final long lateAfter;
    private final double silentFactor;
    private final long meterSilentAfter;
    private final long checkInterval;
    private final long cacheMs;
    private final SensorCatalog catalog = SensorCatalog.standard();
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, String> states;
    private KeyValueStore<String, String> lastSeen;
    private DeviceCache devices;
    // The states of the rules that are not NORMAL, by device and rule id: a copy of the store
    // (keys deviceId|ruleId; rule ids hold no '|'), which this processor alone writes. Reloaded
    // on every init, which also follows a restore.
    private final Map<String, Map<String, RuleState>> notNormal = new java.util.HashMap<>();
    // Last-seen times of this task's devices; written to the store when a flag changes or at
    // most once a second per device, so a restart loses at most a second of it.
    private final java.util.Map<String, Seen> seenDevices = new java.util.HashMap<>();

    AlertRulesProcessor(
        StreamsAppConfig config, RuleBook rules, PipelineMetrics metrics, String devicesStoreName) {
      this.rules = rules;
      this.metrics = metrics;
      this.meters = metrics.step(STEP);
      this.latency = metrics.latency("alert");
      this.devicesStoreName = devicesStoreName;
      this.lateAfter = config.lateAfterMs();
      this.silentFactor = config.silentFactor();
      this.meterSilentAfter = config.silentMeterAfterMs();
      this.checkInterval = config.silentCheckIntervalMs();
      this.cacheMs = config.registryCacheMs();
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
      this.context = context;
      this.states = context.getStateStore(STATE_STORE);
      this.lastSeen = context.getStateStore(LAST_SEEN_STORE);
      TimestampedKeyValueStore<String, Device> store = context.getStateStore(devicesStoreName);
      this.devices = new DeviceCache(store, cacheMs);
      notNormal.clear();
      try (KeyValueIterator<String, String> it = states.all()) {
        it.forEachRemaining(
            kv -> {
              int bar = kv.key.lastIndexOf('|');
              notNormal
                  .computeIfAbsent(kv.key.substring(0, bar), d -> new java.util.HashMap<>())
                  .put(kv.key.substring(bar + 1), decode(kv.value));
            });
      }
      seenDevices.clear();
      try (KeyValueIterator<String, String> it = lastSeen.all()) {
        it.forEachRemaining(kv -> seenDevices.put(kv.key, Seen.decode(kv.value)));
      }
      // Wall clock on purpose: a device is silent when nothing arrives, which no event time shows.
      context.schedule(
          Duration.ofMillis(checkInterval), PunctuationType.WALL_CLOCK_TIME, this::findSilent);
    }

    @Override
    public void process(Record<String, CleanReading> record) {
      meters.in();
      CleanReading r = record.value();
      long now = context.currentSystemTimeMs();
      long t = r.getEventTime().toEpochMilli();
      boolean late = now - t > lateAfter;
      Device device = devices.get(r.getDeviceId(), now);
      seen(r, device, now, late);
      for (ThresholdRule rule : rules.rules(r.getSensorType(), device)) {
        Double v =
            rule.channel() == null
                ? Double.valueOf(r.getBatteryPercent())
                : value(r, rule.channel());
        if (v == null) {
          continue;
        }
        Map<String, RuleState> abnormal = notNormal.get(r.getDeviceId());
        RuleState before = abnormal == null ? null : abnormal.get(rule.id());
        if (before == null) {
          before = RuleState.NORMAL;
        }
        AlertStateMachine.Outcome step = AlertStateMachine.step(rule, before, v, t);
        if (!step.state().equals(before)) {
          String key = r.getDeviceId() + "|" + rule.id();
          if (step.state().status() == RuleState.Status.NORMAL) {
            states.delete(key);
            if (abnormal != null) {
              abnormal.remove(rule.id());
              if (abnormal.isEmpty()) {
                notNormal.remove(r.getDeviceId());
              }
            }
          } else {
            states.put(key, step.state().status() + ":" + step.state().since());
            notNormal
                .computeIfAbsent(r.getDeviceId(), d -> new java.util.HashMap<>())
                .put(rule.id(), step.state());
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
      meters.out();
    }

    private static String describe(ThresholdRule rule, AlertState transition) {
      if (transition == AlertState.RAISED) {
        return rule.high() ? "above" : "below";
      }
      return rule.high() ? "back below" : "back above";
    }

    private void emit(Alert a, long now, long eventTime) {
      metrics.alert(a.getKind(), a.getState(), a.getLate());
      latency.record(now - eventTime);
      context.forward(new Record<>(a.getDeviceId(), a, Math.max(0, eventTime)));
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
      Seen s = seenDevices.get(r.getDeviceId());
      if (s == null) {
        s = new Seen();
        seenDevices.put(r.getDeviceId(), s);
      }
      boolean wasSilent = s.silent;
      if (wasSilent) {
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
      s.last = now;
      s.silent = false;
      s.owner = r.getOwnerId();
      s.type = r.getSensorType();
      s.silentAfter = silentAfter(r.getSensorType(), device);
      if (wasSilent || now - s.storedAt >= 1000) {
        s.storedAt = now;
        lastSeen.put(r.getDeviceId(), s.encode());
      }
    }

    private long silentAfter(SensorType type, Device device) {
      if (type == SensorType.SOIL_METER) {
        return meterSilentAfter;
      }
      long cadence =
          device != null && device.getCadenceMillis() != null
              ? device.getCadenceMillis()
              : catalog.contains(type) ? catalog.spec(type).cadence().toMillis() : 60_000L;
      return (long) (cadence * silentFactor);
    }

    private void findSilent(long now) {
      for (Map.Entry<String, Seen> e : seenDevices.entrySet()) {
        Seen s = e.getValue();
        if (!s.silent && now - s.last > s.silentAfter) {
          emit(
              alert(
                  e.getKey(),
                  s.owner,
                  s.type,
                  AlertKind.DEVICE_SILENT,
                  AlertState.RAISED,
                  Severity.MEDIUM,
                  "device.silent",
                  null,
                  null,
                  (double) s.silentAfter,
                  now,
                  now,
                  false,
                  "no reading from "
                      + e.getKey()
                      + " for "
                      + (now - s.last) / 1000
                      + " s (expected within "
                      + s.silentAfter / 1000
                      + " s)"),
              now,
              now);
          s.silent = true;
          s.storedAt = now;
          lastSeen.put(e.getKey(), s.encode());
        }
      }
    }

    /** When a device was last heard of, as kept in the last-seen store. */
    private static final class Seen {
      long last;
      long silentAfter;
      boolean silent;
      String owner;
      SensorType type;
      long storedAt;

      String encode() {
        return last + "|" + silentAfter + "|" + (silent ? 1 : 0) + "|" + owner + "|" + type;
      }

      static Seen decode(String v) {
        String[] f = v.split("\\|");
        Seen s = new Seen();
        s.last = Long.parseLong(f[0]);
        s.silentAfter = Long.parseLong(f[1]);
        s.silent = f[2].equals("1");
        s.owner = f[3];
        s.type = SensorType.valueOf(f[4]);
        s.storedAt = s.last;
        return s;
      }
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
