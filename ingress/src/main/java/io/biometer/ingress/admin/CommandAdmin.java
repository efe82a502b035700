package io.biometer.ingress.admin;

import io.biometer.Topics;
import io.biometer.avro.CommandGrant;
import io.biometer.avro.CommandResponse;
import io.biometer.avro.DeviceCommand;
import io.biometer.ingress.commands.AccessMap;
import io.biometer.ingress.kafka.CompactedView;
import io.biometer.ingress.kafka.ReadingProducer;
import io.biometer.serde.AvroDeserializer;
import io.biometer.serde.AvroSerdeConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Commands by hand and the access map, for {@code ./biometer devices command|grant|ungrant|grants}
 * and for tests: writes {@code DeviceCommand}s and {@code CommandGrant}s and follows {@code
 * telemetry.command.responses}.
 */
public final class CommandAdmin implements AutoCloseable {

  private final ReadingProducer producer;
  private final Map<String, Object> kafka;
  private final Map<String, Object> serde = new HashMap<>();

  public CommandAdmin(String bootstrap, String registryUrl, Map<String, Object> kafka) {
    serde.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, registryUrl);
    serde.put(AvroSerdeConfig.SPECIFIC_AVRO_READER_CONFIG, true);
    serde.putAll(AvroSerdeConfig.clientSettings(kafka));
    this.kafka = new HashMap<>(kafka);
    this.kafka.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    Map<String, Object> p = new HashMap<>(this.kafka);
    p.put("client.id", "biometer-commands-admin");
    this.producer = new ReadingProducer(p, serde);
  }

  /**
   * Lets {@code principal} send {@code commands} to {@code devices} (patterns with {@code *}),
   * replacing what it was granted before.
   */
  public CommandGrant grant(
      String principal, List<String> devices, List<String> commands, String note) throws Exception {
    checkPrincipal(principal);
    if (devices.isEmpty()) {
      throw new IllegalArgumentException("name at least one device or pattern (e.g. '*.fan')");
    }
    CommandGrant g =
        CommandGrant.newBuilder()
            .setPrincipal(principal)
            .setDevices(new ArrayList<>(devices))
            .setCommands(new ArrayList<>(commands.isEmpty() ? List.of("*") : commands))
            .setGrantedAt(Instant.now())
            .setNote(note)
            .build();
    producer.send(Topics.COMMAND_ACCESS, principal, g).get(30, TimeUnit.SECONDS);
    return g;
  }

  /**
   * @throws IllegalArgumentException unless {@code principal} is {@code user:<name>}, {@code
   *     rule:<name>} or {@code device:<id>}
   */
  public static void checkPrincipal(String principal) {
    if (principal == null || !principal.matches("(user|rule|device):.+")) {
      throw new IllegalArgumentException(
          "a principal is user:<name>, rule:<name> or device:<id>, got " + principal);
    }
  }

  /** Takes every right of {@code principal} away (a tombstone). */
  public void ungrant(String principal) throws Exception {
    producer.send(Topics.COMMAND_ACCESS, principal, (byte[]) null).get(30, TimeUnit.SECONDS);
  }

  /** The access map as it is in Kafka now. */
  public Map<String, CommandGrant> grants() throws Exception {
    AccessMap map = new AccessMap();
    AvroDeserializer<CommandGrant> d = new AvroDeserializer<>(CommandGrant.class);
    d.configure(serde, false);
    try (CompactedView v =
        new CompactedView(
            Topics.COMMAND_ACCESS,
            kafka,
            (k, bytes) -> map.put(k, d.deserialize(Topics.COMMAND_ACCESS, bytes)))) {
      v.start().awaitLoaded(Duration.ofSeconds(30));
    }
    return map.entries();
  }

  /** A command ready to send: a new correlation id, issued now, expiring after {@code ttl}. */
  public static DeviceCommand command(
      String deviceId,
      String name,
      Map<String, String> arguments,
      String issuedBy,
      Duration ttl,
      String cause) {
    Instant now = Instant.now();
    return DeviceCommand.newBuilder()
        .setCommandId(UUID.randomUUID().toString())
        .setDeviceId(deviceId)
        .setName(name)
        .setArguments(new HashMap<>(arguments))
        .setIssuedBy(issuedBy)
        .setIssuedAt(now)
        .setExpiresAt(now.plus(ttl))
        .setCause(cause)
        .build();
  }

  /** Writes {@code c} to {@code telemetry.commands} and waits until Kafka has it. */
  public void send(DeviceCommand c) throws Exception {
    producer.send(Topics.COMMANDS, c.getDeviceId().toString(), c).get(30, TimeUnit.SECONDS);
  }

  /**
   * Sends {@code c} and follows its responses until one that is final (any but DELIVERED) or {@code
   * wait} passes.
   *
   * @param each called with every response of {@code c}, as it comes
   * @return the final response, or null if none came in time
   */
  public CommandResponse sendAndWait(DeviceCommand c, Duration wait, Consumer<CommandResponse> each)
      throws Exception {
    AvroDeserializer<CommandResponse> d = new AvroDeserializer<>(CommandResponse.class);
    d.configure(serde, false);
    Map<String, Object> p = new HashMap<>(kafka);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      consumer
          .partitionsFor(Topics.COMMAND_RESPONSES, Duration.ofSeconds(30))
          .forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
      consumer.assign(parts);
      consumer.seekToEnd(parts);
      parts.forEach(consumer::position); // fixes "the end" before the command is sent
      send(c);
      long deadline = System.nanoTime() + wait.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          CommandResponse resp = d.deserialize(r.topic(), r.value());
          if (resp == null || !resp.getCommandId().toString().equals(c.getCommandId().toString())) {
            continue;
          }
          each.accept(resp);
          if (resp.getStatus() != io.biometer.avro.CommandStatus.DELIVERED) {
            return resp;
          }
        }
      }
      return null;
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
