package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.Topics;
import io.biometer.avro.BodyReading;
import io.biometer.avro.MeterReading;
import io.biometer.devstack.*;
import io.biometer.registry.MockSchemaRegistry;
import io.biometer.serde.AvroDeserializer;
import io.biometer.serde.AvroSerdeConfig;
import io.biometer.simulator.SimulatorRun;
import io.biometer.simulator.SimulatorSettings;
import io.biometer.simulator.engine.SimulationConfig;
import io.biometer.simulator.model.SinkBatteryConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulator against a real broker: copies, late batches, and an outage of the broker. */
class SimulatorIT {

  @TempDir Path data;

  private static final long MIDNIGHT = Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();

  private static SimulationConfig population(int patients, int meters, Duration cadence) {
    return SimulationConfig.builder(11, MIDNIGHT)
        .patients(patients)
        .cadence(cadence)
        .meters(meters)
        .sinkBattery(SinkBatteryConfig.everlasting())
        .build();
  }

  private static SimulatorSettings settings(
      String bootstrap,
      String registry,
      SimulationConfig sim,
      double speed,
      Path spool,
      Map<String, Object> producer) {
    return new SimulatorSettings(
        bootstrap, registry, sim, speed, 2, spool, 64L << 20, null, true, producer);
  }

  @Test
  void redundantCopiesArriveWithEqualDeviceAndSequenceAndDifferentProvenance() throws Exception {
    try (LocalStack stack = LocalStack.start(StackFixture.config(data, false))) {
      SimulatorRun run =
          SimulatorRun.start(
              settings(
                  stack.bootstrapServers(),
                  stack.registryUrl(),
                  population(2, 0, Duration.ofSeconds(1)),
                  20,
                  data.resolve("spool"),
                  Map.of()));
      Poll.until(
          Duration.ofSeconds(30), "200 readings sent", () -> run.counters().readings.sum() >= 200);
      run.close();
      long copies = run.counters().copies.sum();
      assertThat(run.stats().acked.sum()).isGreaterThanOrEqualTo(copies);

      List<ConsumerRecord<String, BodyReading>> got =
          Clients.read(
              stack,
              Topics.BODY_READINGS,
              (int) copies,
              Clients.deserializer(stack, BodyReading.class),
              Duration.ofSeconds(30));
      assertThat(got).hasSize((int) copies);
      Map<String, List<BodyReading>> byReading =
          got.stream()
              .map(ConsumerRecord::value)
              .collect(Collectors.groupingBy(r -> r.getDeviceId() + "#" + r.getSequence()));
      assertThat(byReading.values())
          .allSatisfy(
              c -> {
                assertThat(c).hasSize(2);
                assertThat(c.get(0).getProvenance().getRelayId())
                    .isNotEqualTo(c.get(1).getProvenance().getRelayId());
                assertThat(c.get(0).getValues()).isEqualTo(c.get(1).getValues());
              });
      assertThat(got).allSatisfy(r -> assertThat(r.key()).isEqualTo(r.value().getDeviceId()));
    }
  }

  @Test
  void meterBatchArrivesWithEventTimesSpanningThePreviousSimulatedDay() throws Exception {
    try (LocalStack stack = LocalStack.start(StackFixture.config(data, false))) {
      // Two simulated days in a few wall seconds.
      SimulatorRun run =
          SimulatorRun.start(
              settings(
                  stack.bootstrapServers(),
                  stack.registryUrl(),
                  population(0, 2, null),
                  40_000,
                  data.resolve("spool"),
                  Map.of()));
      Poll.until(
          Duration.ofSeconds(60),
          "two meter batches uploaded",
          () -> run.counters().meterBatches.sum() >= 2);
      run.close();
      long samples = run.counters().meterSamplesUploaded.sum();
      List<ConsumerRecord<String, MeterReading>> got =
          Clients.read(
              stack,
              Topics.METER_READINGS,
              (int) samples,
              Clients.deserializer(stack, MeterReading.class),
              Duration.ofSeconds(30));
      Map<String, List<MeterReading>> batches =
          got.stream()
              .map(ConsumerRecord::value)
              .collect(Collectors.groupingBy(m -> m.getProvenance().getRelayId()));
      assertThat(batches).containsKeys("meter-0000/2026-11-01", "meter-0001/2026-11-01");
      for (List<MeterReading> batch :
          List.of(batches.get("meter-0000/2026-11-01"), batches.get("meter-0001/2026-11-01"))) {
        Instant first =
            batch.stream().map(MeterReading::getEventTime).min(Instant::compareTo).orElseThrow();
        Instant last =
            batch.stream().map(MeterReading::getEventTime).max(Instant::compareTo).orElseThrow();
        Instant uploaded = batch.get(0).getProvenance().getRelayedAt();
        assertThat(first).isBefore(Instant.parse("2026-11-01T00:15:00Z"));
        assertThat(last)
            .isAfter(Instant.parse("2026-11-01T23:45:00Z"))
            .isBefore(Instant.parse("2026-11-02T00:00:00Z"));
        assertThat(LocalDate.ofInstant(uploaded, ZoneOffset.UTC))
            .isEqualTo(LocalDate.parse("2026-11-02"));
      }
    }
  }

  @Test
  void everyReadingArrivesOnceTheSpoolDrainsAfterTheBrokerWasAway() throws Exception {
    int port = StackFixture.freePort();
    int controller = StackFixture.freePort();
    Path kafkaDir = data.resolve("kafka");
    String scope = "simulator-it-outage";
    MockSchemaRegistry.drop(scope);
    Map<String, Object> producer = new HashMap<>();
    producer.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 4000);
    producer.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1500);
    producer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000);
    producer.put(ProducerConfig.LINGER_MS_CONFIG, 5);

    EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir, "127.0.0.1", port, controller);
    SimulatorRun run = null;
    try {
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        TopicSetup.ensure(admin, StackFixture.config(data, false));
      }
      run =
          SimulatorRun.start(
              settings(
                  kafka.bootstrapServers(),
                  "mock://" + scope,
                  population(2, 0, Duration.ofMillis(200)),
                  1,
                  data.resolve("spool"),
                  producer));
      SimulatorRun r = run;
      Poll.until(Duration.ofSeconds(30), "records acknowledged", () -> r.stats().acked.sum() > 100);

      kafka.close();
      Poll.until(
          Duration.ofSeconds(60),
          "records spooled while the broker is away",
          () -> r.spoolSize() > 200);

      kafka = EmbeddedKafka.start(kafkaDir, "127.0.0.1", port, controller);
      Poll.until(
          Duration.ofSeconds(90),
          "spool drained",
          () -> r.spoolSize() == 0 && r.stats().replayed.sum() > 0);
      run.close();
      assertThat(run.stats().lostSpoolFull.sum()).isZero();
      assertThat(run.stats().spooled.sum()).isPositive();

      long readings = run.counters().readings.sum();
      long copies = run.counters().copies.sum();
      Map<String, Object> consumer =
          new HashMap<>(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://" + scope));
      AvroDeserializer<BodyReading> values = new AvroDeserializer<>(BodyReading.class);
      values.configure(consumer, false);
      String bootstrap = kafka.bootstrapServers();
      List<ConsumerRecord<String, BodyReading>> got =
          Clients.readUntil(
              bootstrap,
              Topics.BODY_READINGS,
              values,
              Duration.ofSeconds(60),
              rs ->
                  rs.stream()
                          .map(
                              x ->
                                  x.value().getDeviceId()
                                      + "#"
                                      + x.value().getSequence()
                                      + "#"
                                      + x.value().getProvenance().getRelayId())
                          .distinct()
                          .count()
                      >= copies);
      Set<String> distinctCopies =
          got.stream()
              .map(
                  x ->
                      x.value().getDeviceId()
                          + "#"
                          + x.value().getSequence()
                          + "#"
                          + x.value().getProvenance().getRelayId())
              .collect(Collectors.toSet());
      Set<String> distinctReadings =
          got.stream()
              .map(x -> x.value().getDeviceId() + "#" + x.value().getSequence())
              .collect(Collectors.toSet());
      assertThat(distinctCopies).hasSize((int) copies);
      // A copy kept on disk says so in its provenance.
      assertThat(got.stream().filter(x -> x.value().getProvenance().getSpooled()).count())
          .isPositive();
      assertThat(distinctReadings).hasSize((int) readings);
      // Sequences have no gaps: every reading of every device is there.
      Map<String, Long> maxSeq =
          got.stream()
              .collect(
                  Collectors.toMap(
                      x -> x.value().getDeviceId(), x -> x.value().getSequence(), Math::max));
      long expectedReadings = maxSeq.values().stream().mapToLong(m -> m + 1).sum();
      assertThat(distinctReadings).hasSize((int) expectedReadings);
    } finally {
      if (run != null) {
        run.close();
      }
      kafka.close();
      MockSchemaRegistry.drop(scope);
    }
  }
}
