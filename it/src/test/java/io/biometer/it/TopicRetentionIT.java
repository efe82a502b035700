package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.Topics;
import io.biometer.devstack.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention counts from arrival on every pipeline topic: records whose timestamps are 30 days old
 * (a simulation's event times, a late batch) survive segment rolls and retention checks of a 7-day
 * retention. A control topic stamped with the producer's time (the broker's default, and what the
 * pipeline's topics used before) loses them at the same checks, which shows the checks ran.
 */
class TopicRetentionIT {

  private static final int RECORDS = 20;
  private static final String CONTROL = "retention-control";
  private static final long THIRTY_DAYS = Duration.ofDays(30).toMillis();

  @TempDir Path data;

  @Test
  void oldEventTimesSurviveSegmentRollsAndRetentionChecks() throws Exception {
    String host = "127.0.0.1";
    try (EmbeddedKafka kafka =
            EmbeddedKafka.start(
                data,
                host,
                StackFixture.freePort(),
                StackFixture.freePort(),
                Map.of(
                    "log.retention.check.interval.ms", "500", "log.initial.task.delay.ms", "0"));
        Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      DevStackConfig config = StackFixture.config(data, false);
      // A topic an earlier version created with the producer's timestamps.
      Map<String, String> before = new HashMap<>(TopicSetup.configsFor(Topics.ALERTS, config));
      before.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime");
      admin
          .createTopics(List.of(new NewTopic(Topics.ALERTS, 2, (short) 1).configs(before)))
          .all()
          .get(30, TimeUnit.SECONDS);

      TopicSetup.Result result = TopicSetup.ensure(admin, config);
      assertThat(result.restamped()).containsExactly(Topics.ALERTS);

      List<String> deleted = new ArrayList<>(Topics.ALL);
      deleted.removeAll(Topics.COMPACTED);
      Map<String, String> control =
          Map.of(
              TopicConfig.RETENTION_MS_CONFIG,
              Long.toString(config.topicRetentionMs()),
              TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG,
              "CreateTime");
      admin
          .createTopics(List.of(new NewTopic(CONTROL, 2, (short) 1).configs(control)))
          .all()
          .get(30, TimeUnit.SECONDS);
      List<String> all = new ArrayList<>(deleted);
      all.add(CONTROL);
      rollEvery100Ms(admin, all);

      long start = System.currentTimeMillis();
      produceOld(kafka, all);
      Poll.until(
          Duration.ofSeconds(60),
          "the retention check deleting the control topic's old segments",
          () -> logStart(admin, CONTROL) > 0);
      // Once more, so that one whole retention pass ran after every topic had rolled.
      long controlStart = logStart(admin, CONTROL);
      produceOld(kafka, List.of(CONTROL));
      Poll.until(
          Duration.ofSeconds(60),
          "a second retention pass",
          () -> logStart(admin, CONTROL) > controlStart);

      for (String topic : deleted) {
        assertThat(logStart(admin, topic)).as("log start offset of %s", topic).isZero();
        List<ConsumerRecord<byte[], byte[]>> records = readAll(kafka, topic);
        assertThat(records).as("records of %s", topic).hasSize(2 * RECORDS);
        assertThat(records)
            .allSatisfy(
                r -> {
                  assertThat(r.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
                  assertThat(r.timestamp()).isGreaterThanOrEqualTo(start);
                });
      }
      assertThat(TopicSetup.ensure(admin, config).restamped()).as("a second start").isEmpty();
    }
  }

  /** Makes each topic roll to a new segment at the first append 100 ms after the last roll. */
  private static void rollEvery100Ms(Admin admin, Collection<String> topics) throws Exception {
    Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
    for (String t : topics) {
      changes.put(
          new ConfigResource(ConfigResource.Type.TOPIC, t),
          List.of(
              new AlterConfigOp(
                  new ConfigEntry(TopicConfig.SEGMENT_MS_CONFIG, "100"),
                  AlterConfigOp.OpType.SET)));
    }
    admin.incrementalAlterConfigs(changes).all().get(30, TimeUnit.SECONDS);
  }

  /**
   * Two rounds of {@link #RECORDS} records per topic and partition, stamped 30 days ago by the
   * producer, the second round after the first one's segment is older than 100 ms, so it rolls.
   */
  private static void produceOld(EmbeddedKafka kafka, Collection<String> topics) throws Exception {
    try (KafkaProducer<byte[], byte[]> p =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (int round = 0; round < 2; round++) {
        long rolled = System.currentTimeMillis() + 200;
        for (String topic : topics) {
          for (int i = 0; i < RECORDS; i++) {
            byte[] v = (topic + "#" + round + "#" + i).getBytes(StandardCharsets.UTF_8);
            long old = System.currentTimeMillis() - THIRTY_DAYS;
            p.send(new ProducerRecord<>(topic, i % 2, old, null, v)).get();
          }
        }
        Poll.until(Duration.ofSeconds(5), "segment age", () -> System.currentTimeMillis() > rolled);
      }
    }
  }

  /** The sum of the log start offsets of the topic's two partitions. */
  private static long logStart(Admin admin, String topic) {
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    for (int p = 0; p < 2; p++) {
      specs.put(new TopicPartition(topic, p), OffsetSpec.earliest());
    }
    try {
      return admin.listOffsets(specs).all().get(30, TimeUnit.SECONDS).values().stream()
          .mapToLong(i -> i.offset())
          .sum();
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the log start offsets of " + topic, e);
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(EmbeddedKafka kafka, String topic) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> tps =
          List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps);
      long deadline = System.currentTimeMillis() + 30_000;
      while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))
          && System.currentTimeMillis() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }
}
