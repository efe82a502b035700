package io.biometer.ingress.commands;

import io.biometer.Topics;
import io.biometer.avro.CommandResponse;
import io.biometer.avro.DeviceCommand;
import io.biometer.ingress.IngressMetrics;
import io.biometer.ingress.kafka.RecordSender;
import io.biometer.serde.AvroDeserializer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code telemetry.commands} into the {@link CommandRouter}, on a thread of its own.
 *
 * <p>At start it reads back, from {@code commands.max.ttl} ago to the end, the responses written
 * (so that no command is delivered twice across a restart) and then the commands of that span: any
 * of them still unanswered and unexpired waits for its device again. It reads every partition (no
 * consumer group): the gateway that holds a device's connection has to see its commands.
 *
 * <p>A record that is not a command (not Avro, another schema) goes to {@code telemetry.dlq} with
 * the reason and where it came from, and is counted; the feed goes on.
 */
public final class CommandFeed implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CommandFeed.class);

  private final CommandRouter router;
  private final RecordSender sender;
  private final IngressMetrics metrics;
  private final Map<String, Object> consumerProps;
  private final AvroDeserializer<DeviceCommand> commands =
      new AvroDeserializer<>(DeviceCommand.class);
  private final AvroDeserializer<CommandResponse> responses =
      new AvroDeserializer<>(CommandResponse.class);
  private final long maxTtlMillis;
  private final CountDownLatch loaded = new CountDownLatch(1);
  private final Thread thread;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private volatile boolean closed;
  private volatile RuntimeException failure;

  public CommandFeed(
      CommandRouter router,
      RecordSender sender,
      IngressMetrics metrics,
      Map<String, Object> consumerProps,
      Map<String, ?> serde,
      long maxTtlMillis) {
    this.router = router;
    this.sender = sender;
    this.metrics = metrics;
    this.maxTtlMillis = maxTtlMillis;
    Map<String, Object> p = new HashMap<>(consumerProps);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "biometer-ingress-commands");
    // The streams app writes its rules' commands in transactions: an aborted one commands nothing.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    this.consumerProps = p;
    commands.configure(serde, false);
    responses.configure(serde, false);
    this.thread = new Thread(this::run, "commands-feed");
    this.thread.setDaemon(true);
  }

  /** Starts reading. */
  public CommandFeed start() {
    thread.start();
    return this;
  }

  /**
   * Waits until the responses and commands of the last {@code commands.max.ttl} are read.
   *
   * @throws TimeoutException naming the topics
   */
  public void awaitLoaded(Duration timeout) throws TimeoutException, InterruptedException {
    if (!loaded.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      RuntimeException f = failure;
      throw new TimeoutException(
          "could not read "
              + Topics.COMMAND_RESPONSES
              + " and "
              + Topics.COMMANDS
              + " within "
              + timeout
              + (f == null ? "" : ": " + f.getMessage()));
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Why the feed stopped, or null while it runs. */
  public RuntimeException failure() {
    return failure;
  }

  private void run() {
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer = c;
      if (closed) {
        return;
      }
      long since = System.currentTimeMillis() - maxTtlMillis;
      int answered = readAnswered(c, since);
      List<TopicPartition> parts = partitions(c, Topics.COMMANDS);
      c.assign(parts);
      seek(c, parts, since);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      int backlog = 0;
      while (!closed && !caughtUp(c, end)) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          take(r);
          backlog++;
        }
      }
      log.info(
          "commands: {} answered and {} issued in the last {} read back; {} waiting",
          answered,
          backlog,
          Duration.ofMillis(maxTtlMillis),
          router.waiting());
      loaded.countDown();
      while (!closed) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
          take(r);
        }
      }
    } catch (WakeupException e) {
      // closed
    } catch (RuntimeException e) {
      if (!closed) {
        failure = e;
        log.error("commands: the feed of {} stopped: {}", Topics.COMMANDS, e.toString());
      }
    } finally {
      loaded.countDown();
    }
  }

  private int readAnswered(KafkaConsumer<String, byte[]> c, long since) {
    List<TopicPartition> parts = partitions(c, Topics.COMMAND_RESPONSES);
    c.assign(parts);
    seek(c, parts, since);
    Map<TopicPartition, Long> end = c.endOffsets(parts);
    int n = 0;
    while (!closed && !caughtUp(c, end)) {
      for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
        try {
          router.answered(responses.deserialize(r.topic(), r.value()).getCommandId().toString());
          n++;
        } catch (RuntimeException e) {
          log.warn(
              "commands: skipped an undecodable response at {}-{}@{} ({})",
              r.topic(),
              r.partition(),
              r.offset(),
              e.getMessage());
        }
      }
    }
    return n;
  }

  private void take(ConsumerRecord<String, byte[]> r) {
    DeviceCommand command;
    try {
      command = commands.deserialize(r.topic(), r.value());
      if (command == null) {
        throw new IllegalArgumentException("a null value (tombstone) is not a command");
      }
    } catch (RuntimeException e) {
      deadLetter(r, e);
      return;
    }
    router.offer(command);
  }

  private void deadLetter(ConsumerRecord<String, byte[]> r, RuntimeException e) {
    metrics.command("malformed");
    String reason = "not a DeviceCommand: " + e.getMessage();
    log.warn(
        "commands: {}-{}@{} to {}: {}", r.topic(), r.partition(), r.offset(), Topics.DLQ, reason);
    ProducerRecord<String, byte[]> dlq = new ProducerRecord<>(Topics.DLQ, r.key(), r.value());
    // The streams app's DLQ headers (io.biometer.streams.DlqHeaders), so one reader reads both.
    header(dlq, "biometer.dlq.reason", "not-a-command");
    header(dlq, "biometer.dlq.source.topic", r.topic());
    header(dlq, "biometer.dlq.source.partition", Integer.toString(r.partition()));
    header(dlq, "biometer.dlq.source.offset", Long.toString(r.offset()));
    header(dlq, "biometer.dlq.source.timestamp", Long.toString(r.timestamp()));
    header(dlq, "biometer.dlq.exception.class", e.getClass().getName());
    header(dlq, "biometer.dlq.exception.message", String.valueOf(e.getMessage()));
    header(dlq, "biometer.dlq.processor", "ingress-commands");
    header(dlq, "biometer.dlq.rejected.at", Long.toString(System.currentTimeMillis()));
    sender
        .send(dlq)
        .whenComplete(
            (md, x) -> {
              if (x != null) {
                log.error(
                    "commands: could not write {}-{}@{} to the DLQ: {}",
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    x.toString());
              }
            });
  }

  private static void header(ProducerRecord<String, byte[]> r, String name, String value) {
    r.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c, String topic) {
    List<TopicPartition> out = new ArrayList<>();
    var infos = c.partitionsFor(topic, Duration.ofSeconds(30));
    if (infos == null || infos.isEmpty()) {
      throw new IllegalStateException("topic " + topic + " does not exist: create it first");
    }
    infos.forEach(i -> out.add(new TopicPartition(topic, i.partition())));
    return out;
  }

  private static void seek(KafkaConsumer<String, byte[]> c, List<TopicPartition> parts, long t) {
    Map<TopicPartition, Long> query = new HashMap<>();
    parts.forEach(p -> query.put(p, t));
    Map<TopicPartition, OffsetAndTimestamp> at = c.offsetsForTimes(query);
    Map<TopicPartition, Long> end = c.endOffsets(parts);
    for (TopicPartition p : parts) {
      OffsetAndTimestamp o = at.get(p);
      c.seek(p, o == null ? end.get(p) : o.offset());
    }
  }

  private static boolean caughtUp(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (c.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    closed = true;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    commands.close();
    responses.close();
  }
}
