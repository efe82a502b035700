package io.biometer.devstack.security;

import io.biometer.Topics;
import io.biometer.avro.Alert;
import io.biometer.avro.BodyReading;
import io.biometer.avro.CleanReading;
import io.biometer.avro.CommandGrant;
import io.biometer.avro.CommandResponse;
import io.biometer.avro.ConnectionEvent;
import io.biometer.avro.DailyAggregate;
import io.biometer.avro.DataCompleteness;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceCommand;
import io.biometer.avro.DeviceCredential;
import io.biometer.avro.MeterReading;
import io.biometer.avro.SinkStatus;
import io.biometer.config.http.EndpointSecurity;
import io.biometer.registry.HttpSchemaRegistryClient;
import io.biometer.registry.SchemaRegistryClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Deploy-time schema registration: in secure mode the runtime clients do not auto-register (their
 * registry users may only read), so the admin registers the value schema of every Avro topic before
 * they start, under Confluent's subject {@code <topic>-value}.
 */
public final class SchemaDeploy {

  /** The value schema of every Avro topic. */
  public static final Map<String, Schema> VALUE_SCHEMAS = valueSchemas();

  private SchemaDeploy() {}

  private static Map<String, Schema> valueSchemas() {
    Map<String, Schema> m = new LinkedHashMap<>();
    m.put(Topics.BODY_READINGS, BodyReading.getClassSchema());
    m.put(Topics.METER_READINGS, MeterReading.getClassSchema());
    m.put(Topics.SINK_STATUS, SinkStatus.getClassSchema());
    m.put(Topics.DEVICES, Device.getClassSchema());
    m.put(Topics.CREDENTIALS, DeviceCredential.getClassSchema());
    m.put(Topics.COMMANDS, DeviceCommand.getClassSchema());
    m.put(Topics.COMMAND_RESPONSES, CommandResponse.getClassSchema());
    m.put(Topics.COMMAND_ACCESS, CommandGrant.getClassSchema());
    m.put(Topics.CONNECTIONS, ConnectionEvent.getClassSchema());
    m.put(Topics.READINGS_CLEAN, CleanReading.getClassSchema());
    m.put(Topics.ALERTS, Alert.getClassSchema());
    m.put(Topics.AGGREGATES_DAILY, DailyAggregate.getClassSchema());
    m.put(Topics.COMPLETENESS_DAILY, DataCompleteness.getClassSchema());
    return Map.copyOf(m);
  }

  /**
   * Registers every value schema at the registry {@code url} as {@code admin} (trusting the local
   * CA for an {@code https} URL): the deploy step of the local run and of {@code ./biometer
   * security apply|schemas}. Returns how many subjects it holds.
   */
  public static int registerAll(LocalSecurity security, String url) throws java.io.IOException {
    try (HttpSchemaRegistryClient admin =
        new HttpSchemaRegistryClient(
            new HttpSchemaRegistryClient.Settings(
                List.of(url),
                Duration.ofSeconds(5),
                Duration.ofSeconds(10),
                5,
                Duration.ofMillis(500),
                Duration.ofSeconds(5),
                security.registryUserInfo("admin"),
                url.startsWith("https:")
                    ? EndpointSecurity.trusting(security.truststore(), security.storePassword())
                    : null))) {
      return registerAll(admin);
    }
  }

  /**
   * Registers every value schema with {@code admin} (a client with the registry's write role); a
   * schema already registered keeps its id. Returns how many subjects it holds.
   */
  public static int registerAll(SchemaRegistryClient admin) {
    for (Map.Entry<String, Schema> e : VALUE_SCHEMAS.entrySet()) {
      admin.register(e.getKey() + "-value", e.getValue());
    }
    return VALUE_SCHEMAS.size();
  }
}
