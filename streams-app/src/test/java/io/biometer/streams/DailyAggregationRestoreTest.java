package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.avro.CleanReading;
import io.biometer.avro.DailyAggregate;
import io.biometer.avro.SensorType;
import io.biometer.streams.aggregation.DailyAggregation;
import io.biometer.streams.aggregation.DayStatsSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * Daily aggregation reads recent aggregates from objects it keeps, a copy of the store it alone
 * writes. When Kafka Streams wipes and restores the store under it and initializes the processor
 * again, the aggregates must come from the restored store, not from the objects.
 */
class DailyAggregationRestoreTest {

  private static final Instant DAY = Instant.parse("2026-11-19T00:00:00Z");

  @Test
  void aggregatesComeFromTheRestoredStoreAfterInit() {
    StreamsAppConfig config =
        new StreamsAppConfig(
            Map.of(
                StreamsAppConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://aggregation-restore",
                StreamsAppConfig.AGGREGATION_GRACE_MS_CONFIG, 0L,
                StreamsAppConfig.AGGREGATION_UPDATE_INTERVAL_MS_CONFIG, 0L));
    MockProcessorContext<String, DailyAggregate> context = new MockProcessorContext<>();
    KeyValueStore<String, DayStatsSerde.Value> store =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(DailyAggregation.STORE),
                Serdes.String(),
                new DayStatsSerde(DailyAggregation.STORE))
            .withLoggingDisabled()
            .build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    Processor<String, CleanReading, String, DailyAggregate> p =
        DailyAggregation.processor(config, PipelineMetrics.noop());
    p.init(context);

    send(context, p, 0, DAY.plusSeconds(60), 96);
    send(context, p, 1, DAY.plusSeconds(120), 97);
    // Restored to an empty store (as if those two never committed), then initialized again.
    try (var it = store.all()) {
      it.forEachRemaining(kv -> store.delete(kv.key));
    }
    p.init(context);
    send(context, p, 2, DAY.plusSeconds(180), 98);

    context.resetForwards();
    // The next day's first reading moves stream time past the day's end (grace 0): it closes.
    send(context, p, 3, DAY.plus(Duration.ofDays(1)).plusSeconds(1), 99);
    assertThat(context.forwarded()).hasSize(1);
    DailyAggregate closed = context.forwarded().get(0).record().value();
    assertThat(closed.getIsFinal()).isTrue();
    assertThat(closed.getCount()).isEqualTo(1);
    assertThat(closed.getMin()).isEqualTo(98.0);
  }

  @Test
  void aRunningUpdateRolledBackIsSentAgainAfterInit() {
    StreamsAppConfig config =
        new StreamsAppConfig(
            Map.of(
                StreamsAppConfig.SCHEMA_REGISTRY_URL_CONFIG,
                "mock://aggregation-restore",
                StreamsAppConfig.AGGREGATION_UPDATE_INTERVAL_MS_CONFIG,
                1000L));
    MockProcessorContext<String, DailyAggregate> context = new MockProcessorContext<>();
    KeyValueStore<String, DayStatsSerde.Value> store =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(DailyAggregation.STORE),
                Serdes.String(),
                new DayStatsSerde(DailyAggregation.STORE))
            .withLoggingDisabled()
            .build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    Processor<String, CleanReading, String, DailyAggregate> p =
        DailyAggregation.processor(config, PipelineMetrics.noop());
    p.init(context);
    send(context, p, 0, DAY.plusSeconds(60), 96);
    // The transaction that would have carried the running update aborts; the task starts over
    // on its store (which kept the reading: it was committed earlier) and is initialized again.
    context.resetForwards();
    p.init(context);
    context.scheduledPunctuators().stream()
        .filter(
            s -> s.getType() == org.apache.kafka.streams.processor.PunctuationType.WALL_CLOCK_TIME)
        .forEach(s -> s.getPunctuator().punctuate(0));
    assertThat(context.forwarded()).hasSize(1);
    DailyAggregate running = context.forwarded().get(0).record().value();
    assertThat(running.getIsFinal()).isFalse();
    assertThat(running.getCount()).isEqualTo(1);
  }

  private static void send(
      MockProcessorContext<String, DailyAggregate> context,
      Processor<String, CleanReading, String, DailyAggregate> p,
      long seq,
      Instant at,
      double value) {
    context.setCurrentStreamTimeMs(at.toEpochMilli());
    context.setCurrentSystemTimeMs(at.toEpochMilli());
    CleanReading r =
        NormalizedReadings.fromBody(
            Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, seq, at, "s", value));
    p.process(new Record<>(r.getDeviceId(), r, at.toEpochMilli()));
  }
}
