package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.avro.CleanReading;
import io.biometer.avro.DataCompleteness;
import io.biometer.avro.Device;
import io.biometer.avro.SensorType;
import io.biometer.registry.MockSchemaRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ledger keeps entries as objects and the keys awaiting emission, copies of its store. When
 * Kafka Streams rolls a task back (store restored to an earlier state, {@code init} again), both
 * must follow the store: counts come from the restored store, and a row whose emission was rolled
 * back is emitted again.
 */
class CompletenessRestartTest {

  private static final Instant DAY = Instant.parse("2026-11-19T00:00:00Z");
  private static final String SCOPE = "completeness-restart";

  private MockProcessorContext<String, DataCompleteness> context;
  private KeyValueStore<String, byte[]> store;
  private Processor<String, Completeness.Event, String, DataCompleteness> p;

  @BeforeEach
  void setUp() {
    StreamsAppConfig config =
        new StreamsAppConfig(
            Map.of(
                StreamsAppConfig.SCHEMA_REGISTRY_URL_CONFIG,
                "mock://" + SCOPE,
                StreamsAppConfig.COMPLETENESS_UPDATE_INTERVAL_MS_CONFIG,
                1000L));
    context = new MockProcessorContext<>();
    store =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(Completeness.STORE),
                Serdes.String(),
                Serdes.ByteArray())
            .withLoggingDisabled()
            .build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    TelemetrySerdes serdes = new TelemetrySerdes("mock://" + SCOPE);
    TimestampedKeyValueStore<String, Device> devices =
        Stores.timestampedKeyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("devices"), Serdes.String(), serdes.device)
            .withLoggingDisabled()
            .build();
    devices.init(context.getStateStoreContext(), devices);
    context.addStateStore(devices);
    p = Completeness.processor(config, PipelineMetrics.noop(), "devices");
    p.init(context);
  }

  @AfterEach
  void tearDown() {
    MockSchemaRegistry.drop(SCOPE);
  }

  private void received(long seq) {
    Instant at = DAY.plus(Duration.ofMinutes(seq));
    context.setCurrentStreamTimeMs(at.toEpochMilli());
    context.setCurrentSystemTimeMs(at.toEpochMilli());
    CleanReading r =
        NormalizedReadings.fromBody(
            Driver.reading("temp-1", SensorType.BODY_TEMPERATURE, seq, at, "s", 36.6));
    r.setValidatedAt(at);
    p.process(
        new Record<>(
            r.getDeviceId(),
            new Completeness.Event(Completeness.Kind.RECEIVED, r, null, null),
            at.toEpochMilli()));
  }

  /** Runs the wall-clock punctuators (the emission of changed rows); the rows they emitted. */
  private List<DataCompleteness> emit() {
    context.resetForwards();
    context.scheduledPunctuators().stream()
        .filter(s -> s.getType() == PunctuationType.WALL_CLOCK_TIME)
        .forEach(s -> s.getPunctuator().punctuate(0));
    return context.forwarded().stream().map(f -> (DataCompleteness) f.record().value()).toList();
  }

  @Test
  void countsComeFromTheRestoredStoreAfterInit() {
    received(0);
    received(1);
    // Restored to an empty store (as if those two never committed), then initialized again.
    try (var it = store.all()) {
      it.forEachRemaining(kv -> store.delete(kv.key));
    }
    context.resetForwards();
    p.init(context);
    received(2);
    List<DataCompleteness> rows = emit();
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).getReceived()).isEqualTo(1);
    assertThat(rows.get(0).getFirstSequence()).isEqualTo(2);
  }

  @Test
  void aRowWhoseEmissionWasRolledBackIsEmittedAgainAfterInit() {
    received(0);
    byte[] beforeEmission = store.get("2026-11-19|temp-1");
    assertThat(emit()).hasSize(1);
    assertThat(emit()).as("nothing changed since").isEmpty();
    // The emission's transaction aborted: the store is back to before it; init again.
    store.put("2026-11-19|temp-1", beforeEmission);
    context.resetForwards();
    p.init(context);
    List<DataCompleteness> rows = emit();
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).getReceived()).isEqualTo(1);
  }
}
