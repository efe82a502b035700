package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.Topics;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.SensorType;
import io.biometer.devstack.*;
import io.biometer.registry.HttpSchemaRegistryClient;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A second start on the same data folder resumes where the first stopped. */
class LocalStackRestartIT {

  @TempDir Path data;

  @Test
  void secondStartFindsTopicsRecordsSchemaIdsAndTables() throws Exception {
    Map<String, String> values = StackFixture.values(data, true);
    Device device =
        Device.newBuilder()
            .setDeviceId("temp-9")
            .setKind(DeviceKind.BODY_SENSOR)
            .setSensorType(SensorType.BODY_TEMPERATURE)
            .setOwnerId("patient-9")
            .setRegisteredAt(Instant.ofEpochMilli(1_763_683_200_000L))
            .build();
    Schema extra =
        SchemaBuilder.record("Extra").namespace("it").fields().requiredLong("n").endRecord();
    int deviceSchemaId;
    int extraId;

    try (LocalStack first = LocalStack.start(new DevStackConfig(values))) {
      assertThat(first.topics().created()).containsExactlyElementsOf(Topics.ALL);
      assertThat(first.schemasReplayed()).isZero();
      Clients.send(first, Topics.DEVICES, device.getDeviceId(), device);
      HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(first.registryUrl());
      deviceSchemaId = registry.lookup(Topics.DEVICES + "-value", Device.getClassSchema()).id();
      extraId = registry.register("it-extra-value", extra);
      sql(
          first,
          "CREATE TABLE restart_check (ts TIMESTAMP, v DOUBLE) TIMESTAMP(ts) PARTITION BY DAY WAL");
      sql(first, "INSERT INTO restart_check VALUES ('2026-11-20T00:00:00.000000Z', 36.6)");
      awaitRowCount(first, 1);
    }

    try (LocalStack second = LocalStack.start(new DevStackConfig(values))) {
      assertThat(second.topics().created()).isEmpty();
      assertThat(second.topics().existing()).containsExactlyElementsOf(Topics.ALL);
      assertThat(second.schemasReplayed()).isEqualTo(2);

      HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(second.registryUrl());
      assertThat(registry.schemaById(deviceSchemaId)).isEqualTo(Device.getClassSchema());
      assertThat(registry.schemaById(extraId)).isEqualTo(extra);
      assertThat(registry.register(Topics.DEVICES + "-value", Device.getClassSchema()))
          .isEqualTo(deviceSchemaId);
      Schema newer =
          SchemaBuilder.record("Newer").namespace("it").fields().requiredInt("m").endRecord();
      assertThat(registry.register("it-newer-value", newer))
          .as("new ids continue after the replayed ones")
          .isEqualTo(Math.max(deviceSchemaId, extraId) + 1);

      List<ConsumerRecord<String, Device>> devices =
          Clients.read(
              second,
              Topics.DEVICES,
              1,
              Clients.deserializer(second, Device.class),
              Duration.ofSeconds(30));
      assertThat(devices).extracting(ConsumerRecord::value).containsExactly(device);
      awaitRowCount(second, 1);
    }
  }

  private static Connection connect(LocalStack stack) throws Exception {
    Properties p = new Properties();
    p.put("user", "admin");
    p.put("password", "quest");
    return DriverManager.getConnection(stack.questdb().jdbcUrl(), p);
  }

  private static void sql(LocalStack stack, String statement) throws Exception {
    try (Connection c = connect(stack);
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  /** WAL tables apply commits asynchronously: poll until the row is visible, with a deadline. */
  private static void awaitRowCount(LocalStack stack, long expected) throws Exception {
    Instant deadline = Instant.now().plusSeconds(30);
    long count = -1;
    while (Instant.now().isBefore(deadline)) {
      try (Connection c = connect(stack);
          ResultSet rs = c.createStatement().executeQuery("SELECT count() FROM restart_check")) {
        rs.next();
        count = rs.getLong(1);
      }
      if (count == expected) {
        return;
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
    assertThat(count).as("rows in restart_check").isEqualTo(expected);
  }
}
