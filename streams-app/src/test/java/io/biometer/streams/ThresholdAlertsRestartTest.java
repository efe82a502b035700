package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.avro.Alert;
import io.biometer.avro.AlertState;
import io.biometer.avro.CleanReading;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.SensorType;
import io.biometer.streams.alerting.RuleState;
import io.biometer.streams.alerting.RuleStateSerde;
import io.biometer.streams.alerting.ThresholdAlerts;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.Test;

/**
 * The threshold step keeps the states of abnormal rules in memory as a copy of their store. A new
 * processor over the same stores (a restart, or a task revived after a restore) must pick them up:
 * an alert raised before it clears once after it, and nothing is raised twice.
 */
class ThresholdAlertsRestartTest {

  // A '|' in the device id: store keys are deviceId|ruleId, split at the last '|'.
  private static final String DEVICE = "ward|7.spo2";
  private static final Instant T0 = Driver.WALL.minusSeconds(60);

  private final StreamsAppConfig config =
      new StreamsAppConfig(
          Map.of(StreamsAppConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://alert-rules-restart"));
  private final MockProcessorContext<String, Alert> context = new MockProcessorContext<>();

  ThresholdAlertsRestartTest() {
    context.setCurrentSystemTimeMs(Driver.WALL.toEpochMilli());
    add(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(ThresholdAlerts.STATE_STORE),
                Serdes.String(),
                new RuleStateSerde(ThresholdAlerts.STATE_STORE))
            .withLoggingDisabled()
            .build());
    TimestampedKeyValueStore<String, Device> devices =
        add(
            Stores.timestampedKeyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore(TelemetryTopology.DEVICES_STORE),
                    Serdes.String(),
                    new TelemetrySerdes(config.registryUrl()).device)
                .withLoggingDisabled()
                .build());
    devices.put(
        DEVICE,
        ValueAndTimestamp.make(
            Device.newBuilder()
                .setDeviceId(DEVICE)
                .setKind(DeviceKind.BODY_SENSOR)
                .setSensorType(SensorType.BLOOD_OXYGEN)
                .setOwnerId("patient-1")
                .setRegisteredAt(Driver.WALL.minus(Duration.ofDays(1)))
                .build(),
            0L));
  }

  private <S extends StateStore> S add(S store) {
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    return store;
  }

  /** A new processor over the kept stores, as after a restart. */
  private Processor<String, CleanReading, String, Alert> start() {
    Processor<String, CleanReading, String, Alert> p =
        ThresholdAlerts.processor(config, PipelineMetrics.noop(), TelemetryTopology.DEVICES_STORE);
    p.init(context);
    return p;
  }

  private List<AlertState> send(
      Processor<String, CleanReading, String, Alert> p, long seq, double spo2) {
    context.resetForwards();
    Instant at = T0.plusSeconds(seq);
    CleanReading r =
        NormalizedReadings.fromBody(
            Driver.reading(DEVICE, SensorType.BLOOD_OXYGEN, seq, at, "s", spo2));
    p.process(new Record<>(DEVICE, r, at.toEpochMilli()));
    return context.forwarded().stream().map(f -> f.record().value().getState()).toList();
  }

  @Test
  void anAlertRaisedBeforeARestartClearsOnceAfterIt() {
    Processor<String, CleanReading, String, Alert> first = start();
    assertThat(send(first, 0, 97)).isEmpty();
    assertThat(send(first, 1, 90)).containsExactly(AlertState.RAISED);
    first.close();

    Processor<String, CleanReading, String, Alert> second = start();
    assertThat(send(second, 2, 89)).as("still low: not raised again").isEmpty();
    assertThat(send(second, 3, 97)).containsExactly(AlertState.CLEARED);
    second.close();

    Processor<String, CleanReading, String, Alert> third = start();
    assertThat(send(third, 4, 97)).as("cleared state was removed from the store").isEmpty();
    assertThat(send(third, 5, 90)).containsExactly(AlertState.RAISED);
  }

  @Test
  void initAgainOnTheSameProcessorReloadsFromTheStore() {
    // Kafka Streams re-initializes the same processor instance when it revives a task whose
    // state was wiped and restored: what the store no longer holds must be forgotten.
    Processor<String, CleanReading, String, Alert> p = start();
    assertThat(send(p, 0, 90)).containsExactly(AlertState.RAISED);
    KeyValueStore<String, RuleState> states = context.getStateStore(ThresholdAlerts.STATE_STORE);
    try (var it = states.all()) {
      it.forEachRemaining(kv -> states.delete(kv.key)); // as if restored to before the raise
    }
    p.init(context);
    assertThat(send(p, 1, 89)).containsExactly(AlertState.RAISED);
  }
}
