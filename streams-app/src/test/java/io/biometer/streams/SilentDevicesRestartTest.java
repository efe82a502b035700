package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.avro.Alert;
import io.biometer.avro.AlertKind;
import io.biometer.avro.AlertState;
import io.biometer.avro.CleanReading;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.SensorType;
import io.biometer.streams.alerting.SilentDevices;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.Test;

/**
 * The silent-device step keeps its devices' last-seen times in memory as a copy of its store. A new
 * processor over the same store (a restart, or a task revived after a restore) must pick them up: a
 * device found silent before it is cleared once after it, and not found silent again meanwhile.
 */
class SilentDevicesRestartTest {

  private static final String DEVICE = "temp-1";

  private final StreamsAppConfig config =
      new StreamsAppConfig(
          Map.of(StreamsAppConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://silent-restart"));
  private final MockProcessorContext<String, Alert> context = new MockProcessorContext<>();

  SilentDevicesRestartTest() {
    context.setCurrentSystemTimeMs(Driver.WALL.toEpochMilli());
    // The processor's own serde, as the topology builds the store with it.
    add(
        SilentDevices.lastSeenStore(Stores.inMemoryKeyValueStore(SilentDevices.LAST_SEEN_STORE))
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
                .setSensorType(SensorType.BODY_TEMPERATURE)
                .setOwnerId("patient-1")
                .setCadenceMillis(10_000L)
                .setRegisteredAt(Driver.WALL.minus(Duration.ofDays(1)))
                .build(),
            0L));
    add(
        Stores.timestampedKeyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(TelemetryTopology.CONNECTIONS_STORE),
                Serdes.String(),
                new TelemetrySerdes(config.registryUrl()).connection)
            .withLoggingDisabled()
            .build());
  }

  private <S extends StateStore> S add(S store) {
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    return store;
  }

  private Processor<String, CleanReading, String, Alert> start() {
    context.resetForwards();
    Processor<String, CleanReading, String, Alert> p =
        SilentDevices.processor(
            config,
            PipelineMetrics.noop(),
            TelemetryTopology.DEVICES_STORE,
            TelemetryTopology.CONNECTIONS_STORE);
    p.init(context);
    return p;
  }

  private List<Alert> send(Processor<String, CleanReading, String, Alert> p, long seq) {
    context.resetForwards();
    Instant at = Instant.ofEpochMilli(context.currentSystemTimeMs());
    CleanReading r =
        NormalizedReadings.fromBody(
            Driver.reading(DEVICE, SensorType.BODY_TEMPERATURE, seq, at, "s", 36.8));
    p.process(new Record<>(DEVICE, r, at.toEpochMilli()));
    return context.forwarded().stream().map(f -> (Alert) f.record().value()).toList();
  }

  /** Moves the wall clock on and runs the wall-clock punctuation, as Kafka Streams would. */
  private List<Alert> after(Duration d) {
    context.resetForwards();
    context.setCurrentSystemTimeMs(context.currentSystemTimeMs() + d.toMillis());
    // The punctuator the processor in use scheduled last (a closed one's stays in the mock).
    context.scheduledPunctuators().stream()
        .filter(s -> s.getType() == PunctuationType.WALL_CLOCK_TIME)
        .reduce((a, b) -> b)
        .orElseThrow()
        .getPunctuator()
        .punctuate(context.currentSystemTimeMs());
    return context.forwarded().stream().map(f -> (Alert) f.record().value()).toList();
  }

  @Test
  void aDeviceFoundSilentBeforeARestartIsClearedOnceAfterIt() {
    Processor<String, CleanReading, String, Alert> first = start();
    assertThat(send(first, 0)).isEmpty();
    assertThat(after(Duration.ofSeconds(31)))
        .extracting(Alert::getKind, Alert::getState)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(AlertKind.DEVICE_SILENT, AlertState.RAISED));
    first.close();

    Processor<String, CleanReading, String, Alert> second = start();
    assertThat(after(Duration.ofSeconds(31))).as("still silent: not raised again").isEmpty();
    assertThat(send(second, 1))
        .extracting(Alert::getKind, Alert::getState)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(AlertKind.DEVICE_SILENT, AlertState.CLEARED));
  }
}
