package io.biometer.streams;

import io.biometer.Topics;
import io.biometer.avro.Alert;
import io.biometer.avro.BodyReading;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.CleanReading;
import io.biometer.avro.ConnectionEvent;
import io.biometer.avro.ConnectionState;
import io.biometer.avro.DailyAggregate;
import io.biometer.avro.DataCompleteness;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceCommand;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.MeterReading;
import io.biometer.avro.Provenance;
import io.biometer.avro.RelayKind;
import io.biometer.avro.SensorType;
import io.biometer.avro.SinkState;
import io.biometer.avro.SinkStatus;
import io.biometer.registry.MockSchemaRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/** The real topology in a TopologyTestDriver, with helpers to feed it and read it. */
final class Driver implements AutoCloseable {

  static final Instant WALL = Instant.parse("2026-11-20T12:00:00Z");

  final StreamsAppConfig config;
  final TelemetrySerdes serdes;
  final PipelineMetrics metrics = PipelineMetrics.noop();
  final TopologyTestDriver driver;
  final TestInputTopic<String, Device> devices;
  final TestInputTopic<String, BodyReading> body;
  final TestInputTopic<String, MeterReading> meter;
  final TestInputTopic<String, SinkStatus> sinkStatus;
  final TestInputTopic<String, byte[]> rawBody;
  final TestInputTopic<String, ConnectionEvent> connections;
  final TestOutputTopic<String, DeviceCommand> commands;
  final TestOutputTopic<String, CleanReading> clean;
  final TestOutputTopic<String, Alert> alerts;
  final TestOutputTopic<String, DailyAggregate> aggregates;
  final TestOutputTopic<String, DataCompleteness> completeness;
  final TestOutputTopic<byte[], byte[]> dlq;
  private final String scope = "driver-" + UUID.randomUUID();
  private final Path stateDir =
      Path.of(System.getProperty("java.io.tmpdir"), "biometer-ttd-" + scope);

  Driver() {
    this(Map.of());
  }

  Driver(Map<String, Object> overrides) {
    Map<String, Object> values = new HashMap<>();
    values.put(StreamsAppConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://" + scope);
    values.put(StreamsAppConfig.APPLICATION_ID_CONFIG, "test");
    values.put(StreamsAppConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    values.put(StreamsAppConfig.STATE_DIR_CONFIG, stateDir.toString());
    values.put(StreamsAppConfig.AGGREGATION_UPDATE_INTERVAL_MS_CONFIG, 0L);
    // The driver loses records that the deserialization handler sends to the DLQ inside an
    // exactly-once transaction (they never reach its output), so these tests run at-least-once;
    // StreamsAppIT checks the DLQ under exactly_once_v2 on a real broker.
    values.put(StreamsAppConfig.PROCESSING_GUARANTEE_CONFIG, "at_least_once");
    values.putAll(overrides);
    config = new StreamsAppConfig(values);
    serdes = new TelemetrySerdes(config.registryUrl());
    driver =
        new TopologyTestDriver(
            TelemetryTopology.build(config, serdes, metrics),
            StreamsApp.properties(config, metrics),
            WALL);
    StringSerializer keys = new StringSerializer();
    devices = driver.createInputTopic(Topics.DEVICES, keys, serdes.device.serializer());
    body = driver.createInputTopic(Topics.BODY_READINGS, keys, serdes.body.serializer());
    meter = driver.createInputTopic(Topics.METER_READINGS, keys, serdes.meter.serializer());
    sinkStatus = driver.createInputTopic(Topics.SINK_STATUS, keys, serdes.sinkStatus.serializer());
    rawBody = driver.createInputTopic(Topics.BODY_READINGS, keys, new ByteArraySerializer());
    connections = driver.createInputTopic(Topics.CONNECTIONS, keys, serdes.connection.serializer());
    StringDeserializer k = new StringDeserializer();
    clean = driver.createOutputTopic(Topics.READINGS_CLEAN, k, serdes.clean.deserializer());
    alerts = driver.createOutputTopic(Topics.ALERTS, k, serdes.alert.deserializer());
    aggregates =
        driver.createOutputTopic(Topics.AGGREGATES_DAILY, k, serdes.aggregate.deserializer());
    completeness =
        driver.createOutputTopic(Topics.COMPLETENESS_DAILY, k, serdes.completeness.deserializer());
    commands = driver.createOutputTopic(Topics.COMMANDS, k, serdes.command.deserializer());
    dlq =
        driver.createOutputTopic(
            Topics.DLQ, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Registers a body sensor of {@code type} for patient-1. */
  Driver register(String deviceId, SensorType type) {
    return register(deviceId, type, DeviceKind.BODY_SENSOR, "patient-1", null);
  }

  Driver register(String deviceId, SensorType type, DeviceKind kind, String owner, Long cadence) {
    devices.pipeInput(
        deviceId,
        Device.newBuilder()
            .setDeviceId(deviceId)
            .setKind(kind)
            .setSensorType(type)
            .setOwnerId(owner)
            .setCadenceMillis(cadence)
            .setRegisteredAt(WALL.minus(Duration.ofDays(1)))
            .build());
    return this;
  }

  void register(Device d) {
    devices.pipeInput(d.getDeviceId(), d);
  }

  static BodyReading reading(
      String deviceId, SensorType type, long seq, Instant at, String sink, double... values) {
    List<ChannelValue> vs = new ArrayList<>();
    List<String> channels = io.biometer.catalog.SensorCatalog.standard().spec(type).channelNames();
    for (int i = 0; i < values.length; i++) {
      vs.add(new ChannelValue(channels.get(i), values[i]));
    }
    return BodyReading.newBuilder()
        .setDeviceId(deviceId)
        .setPatientId("patient-1")
        .setSensorType(type)
        .setSequence(seq)
        .setEventTime(at)
        .setValues(vs)
        .setBatteryPercent(80f)
        .setProvenance(new Provenance(RelayKind.SINK, sink, at.plusMillis(20), false))
        .build();
  }

  /** Pipes a body reading with its event time as record timestamp. */
  void send(BodyReading r) {
    body.pipeInput(new TestRecord<>(r.getDeviceId(), r, r.getEventTime()));
  }

  void send(MeterReading r) {
    meter.pipeInput(new TestRecord<>(r.getDeviceId(), r, r.getEventTime()));
  }

  void send(String sinkId, SinkState state, Instant at) {
    sinkStatus.pipeInput(
        new TestRecord<>(
            sinkId,
            SinkStatus.newBuilder()
                .setSinkId(sinkId)
                .setPatientId("patient-1")
                .setState(state)
                .setBatteryPercent(9f)
                .setEventTime(at)
                .build(),
            at));
  }

  /**
   * Pipes the gateway's connection event of {@code deviceId}: {@code open} connections left after
   * it, over MQTT.
   */
  void connection(String deviceId, ConnectionState state, int open, String reason, Instant at) {
    connections.pipeInput(
        deviceId,
        ConnectionEvent.newBuilder()
            .setDeviceId(deviceId)
            .setState(state)
            .setProtocol("mqtt")
            .setReason(reason)
            .setOpenConnections(open)
            .setGateway("gw-1")
            .setAt(at)
            .build(),
        at);
  }

  void advanceWallClock(Duration d) {
    driver.advanceWallClockTime(d);
  }

  @Override
  public void close() {
    driver.close();
    MockSchemaRegistry.drop(scope);
    // The driver empties its state directory but leaves it behind: one per test otherwise.
    if (Files.exists(stateDir)) {
      try (Stream<Path> files = Files.walk(stateDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
