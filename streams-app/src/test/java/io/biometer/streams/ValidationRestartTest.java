package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.Topics;
import io.biometer.avro.BodyReading;
import io.biometer.avro.CleanReading;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.SensorType;
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
 * Readings waiting for their device live in the wait store; the processor's index of them is
 * rebuilt from the store on every init. A new processor over the kept store (a restart) releases
 * what waited before it; a processor initialized again over a store restored to an earlier state (a
 * revive after an aborted transaction) forgets what the store lost.
 */
class ValidationRestartTest {

  private final StreamsAppConfig config =
      new StreamsAppConfig(
          Map.of(StreamsAppConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://validation-restart"));
  private final TelemetrySerdes serdes = new TelemetrySerdes(config.registryUrl());
  private final PipelineMetrics metrics = PipelineMetrics.noop();
  private final MockProcessorContext<String, CleanReading> context = new MockProcessorContext<>();
  private final TimestampedKeyValueStore<String, Device> devices;
  private final KeyValueStore<byte[], byte[]> waits;

  ValidationRestartTest() {
    context.setCurrentSystemTimeMs(Driver.WALL.toEpochMilli());
    context.setRecordMetadata(Topics.BODY_READINGS, 0, 0);
    waits =
        add(
            Stores.keyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore(Validation.WAIT_STORE),
                    Serdes.ByteArray(),
                    Serdes.ByteArray())
                .withLoggingDisabled()
                .build());
    devices =
        add(
            Stores.timestampedKeyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore(TelemetryTopology.DEVICES_STORE),
                    Serdes.String(),
                    serdes.device)
                .withLoggingDisabled()
                .build());
  }

  private <S extends StateStore> S add(S store) {
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    return store;
  }

  private Processor<String, ReceivedReading, String, CleanReading> start() {
    Processor<String, ReceivedReading, String, CleanReading> p =
        Validation.processor(
            config, metrics, TelemetryTopology.DEVICES_STORE, serdes.reading.deserializer());
    p.init(context);
    return p;
  }

  private void send(Processor<String, ReceivedReading, String, CleanReading> p, long seq) {
    Instant at = Driver.WALL.minusSeconds(60 - seq);
    BodyReading r = Driver.reading("new-1", SensorType.BLOOD_OXYGEN, seq, at, "s", 97);
    byte[] bytes = serdes.body.serializer().serialize(Topics.BODY_READINGS, r);
    p.process(
        new Record<>(
            "new-1",
            serdes.reading.deserializer().deserialize(Topics.BODY_READINGS, bytes),
            at.toEpochMilli()));
  }

  private void register() {
    devices.put(
        "new-1",
        ValueAndTimestamp.make(
            Device.newBuilder()
                .setDeviceId("new-1")
                .setKind(DeviceKind.BODY_SENSOR)
                .setSensorType(SensorType.BLOOD_OXYGEN)
                .setOwnerId("patient-1")
                .setRegisteredAt(Driver.WALL.minus(Duration.ofDays(1)))
                .build(),
            0L));
  }

  /** Runs the wait check, as the wall-clock punctuator does, and returns what it passed on. */
  private List<Long> check() {
    context.resetForwards();
    context
        .scheduledPunctuators()
        .get(context.scheduledPunctuators().size() - 1)
        .getPunctuator()
        .punctuate(Driver.WALL.plusSeconds(1).toEpochMilli());
    return context.forwarded().stream().map(f -> f.record().value().getSequence()).toList();
  }

  @Test
  void readingsThatWaitedBeforeARestartAreReleasedAfterIt() {
    Processor<String, ReceivedReading, String, CleanReading> first = start();
    send(first, 0);
    send(first, 1);
    assertThat(metrics.waiting()).isEqualTo(2);
    first.close();
    assertThat(metrics.waiting()).isZero();

    Processor<String, ReceivedReading, String, CleanReading> second = start();
    assertThat(metrics.waiting()).as("picked up from the store").isEqualTo(2);
    send(second, 2);
    register();
    assertThat(check()).containsExactly(0L, 1L, 2L);
    assertThat(metrics.waiting()).isZero();
  }

  @Test
  void theCheckIsScheduledOnlyWhileReadingsWait() {
    // A punctuation makes its task commit: an idle check would cost a transaction every 250 ms.
    Processor<String, ReceivedReading, String, CleanReading> p = start();
    assertThat(context.scheduledPunctuators()).isEmpty();
    send(p, 0);
    assertThat(context.scheduledPunctuators()).hasSize(1);
    send(p, 1);
    assertThat(context.scheduledPunctuators()).as("one check for all").hasSize(1);
    register();
    assertThat(check()).containsExactly(0L, 1L);
    assertThat(context.scheduledPunctuators().get(0).cancelled()).isTrue();
  }

  @Test
  void initAgainOverARestoredStoreForgetsWhatTheStoreLost() {
    Processor<String, ReceivedReading, String, CleanReading> p = start();
    send(p, 0);
    // As if the transaction that parked it was aborted: the store is restored without it.
    try (var it = waits.all()) {
      it.forEachRemaining(kv -> waits.delete(kv.key));
    }
    p.close();
    p.init(context);
    assertThat(metrics.waiting()).isZero();
    register();
    send(p, 1);
    assertThat(context.forwarded())
        .extracting(f -> f.record().value().getSequence())
        .containsExactly(1L);
    assertThat(check()).as("nothing waits").isEmpty();
  }
}
