package io.biometer.streams.alerting;

import io.biometer.avro.Alert;
import io.biometer.avro.AlertState;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.CleanReading;
import io.biometer.avro.Device;
import io.biometer.catalog.SensorCatalog;
import io.biometer.streams.PipelineMetrics;
import io.biometer.streams.StreamsAppConfig;
import io.biometer.streams.internal.DeviceCache;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;

/**
 * The threshold step: turns clean readings into alert transitions, one {@link AlertStateMachine}
 * per (device, rule) of the {@link RuleBook} in a changelogged store ({@value #STATE_STORE}, values
 * in {@link RuleStateSerde}'s format): value high and low with hysteresis and optional minimum
 * duration (event time), battery low. An alert from a reading measured longer ago than {@code
 * alerts.late.after.ms} is marked late. Input keyed by device id; output keyed by device id,
 * stamped with the reading's event time.
 */
public final class ThresholdAlerts {

  public static final String STEP = "alerts";
  public static final String NODE = "alert-rules";
  public static final String STATE_STORE = "alert-state-store";

  private ThresholdAlerts() {}

  public static KStream<String, Alert> apply(
      StreamsBuilder builder,
      KStream<String, CleanReading> readings,
      StreamsAppConfig config,
      PipelineMetrics metrics,
      String devicesStore) {
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STATE_STORE),
                Serdes.String(),
                new RuleStateSerde(STATE_STORE))
            .withCachingEnabled());
    RuleBook rules = config.ruleBook();
    return readings.process(
        () -> new ThresholdAlertsProcessor(config, rules, metrics, devicesStore),
        Named.as(NODE),
        STATE_STORE);
  }

  /** The processor alone, for tests that drive it directly (a restart over a kept store). */
  public static Processor<String, CleanReading, String, Alert> processor(
      StreamsAppConfig config, PipelineMetrics metrics, String devicesStore) {
    return new ThresholdAlertsProcessor(config, config.ruleBook(), metrics, devicesStore);
  }

  private static final class ThresholdAlertsProcessor
      implements Processor<String, CleanReading, String, Alert> {
    private final RuleBook rules;
    private final PipelineMetrics metrics;
    private final PipelineMetrics.StepMeters meters;
    private final PipelineMetrics.Latency latency;
    private final String devicesStoreName;
    private final long lateAfter;
    private final long cacheMs;
    private final SensorCatalog catalog = SensorCatalog.standard();
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, RuleState> states;
    private DeviceCache devices;
    // The states of the rules that are not NORMAL, by device and rule id: a copy of the store
    // (keys deviceId|ruleId; rule ids hold no '|'), which this processor alone writes. Reloaded
    // on every init, which also follows a restore.
    private final Map<String, Map<String, RuleState>> notNormal = new HashMap<>();

    ThresholdAlertsProcessor(
        StreamsAppConfig config, RuleBook rules, PipelineMetrics metrics, String devicesStoreName) {
      this.rules = rules;
      this.metrics = metrics;
      this.meters = metrics.step(STEP);
      this.latency = metrics.latency("alert");
      this.devicesStoreName = devicesStoreName;
      this.lateAfter = config.lateAfterMs();
      this.cacheMs = config.registryCacheMs();
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
      this.context = context;
      this.states = context.getStateStore(STATE_STORE);
      TimestampedKeyValueStore<String, Device> store = context.getStateStore(devicesStoreName);
      this.devices = new DeviceCache(store, cacheMs);
      notNormal.clear();
      try (KeyValueIterator<String, RuleState> it = states.all()) {
        it.forEachRemaining(
            kv -> {
              int bar = kv.key.lastIndexOf('|');
              notNormal
                  .computeIfAbsent(kv.key.substring(0, bar), d -> new HashMap<>())
                  .put(kv.key.substring(bar + 1), kv.value);
            });
      }
    }

    @Override
    public void process(Record<String, CleanReading> record) {
      meters.in();
      CleanReading r = record.value();
      long now = context.currentSystemTimeMs();
      long t = r.getEventTime().toEpochMilli();
      boolean late = now - t > lateAfter;
      Device device = devices.get(r.getDeviceId(), now);
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
        AlertStateMachine.Outcome outcome = AlertStateMachine.step(rule, before, v, t);
        if (!outcome.state().equals(before)) {
          String key = r.getDeviceId() + "|" + rule.id();
          if (outcome.state().status() == RuleState.Status.NORMAL) {
            states.delete(key);
            if (abnormal != null) {
              abnormal.remove(rule.id());
              if (abnormal.isEmpty()) {
                notNormal.remove(r.getDeviceId());
              }
            }
          } else {
            states.put(key, outcome.state());
            notNormal
                .computeIfAbsent(r.getDeviceId(), d -> new HashMap<>())
                .put(rule.id(), outcome.state());
          }
        }
        if (outcome.transition() != null) {
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
                  describe(rule, outcome.transition()),
                  outcome.threshold(),
                  unit);
          Alert a =
              Alerts.of(rule.kind(), outcome.transition(), rule.id())
                  .about(r.getDeviceId(), r.getOwnerId(), r.getSensorType())
                  .severity(rule.severity())
                  .value(rule.channel(), v, outcome.threshold())
                  .at(t, now, late)
                  .message(message)
                  .build();
          metrics.alert(a.getKind(), a.getState(), a.getLate());
          latency.record(now - t);
          context.forward(new Record<>(a.getDeviceId(), a, Math.max(0, t)));
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

    private static Double value(CleanReading r, String channel) {
      for (ChannelValue v : r.getValues()) {
        if (v.getChannel().equals(channel)) {
          return v.getValue();
        }
      }
      return null;
    }
  }
}
