package io.biometer.bench;

import io.biometer.avro.DeviceCommand;
import io.biometer.ingress.admin.CommandAdmin;
import io.biometer.ingress.kafka.ReadingProducer;
import io.biometer.serde.AvroSerdeConfig;
import io.biometer.serde.AvroSerializer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The commands bench's load: {@code set_power} commands for the bench's fans, one device after the
 * other, at a steady rate from one thread, through one producer of the class and settings that
 * {@code ./biometer devices command} sends with ({@link CommandAdmin}: {@link ReadingProducer},
 * idempotent, acks=all, lz4, linger 2 ms). The same load goes to {@code telemetry.commands} for the
 * gateway and to a scratch topic of the same partitions for the baseline, so both carry records of
 * the same size at the same pace.
 */
final class CommandLoad implements AutoCloseable {

  /** The principal that issues the bench's commands; the bench grants it every device. */
  static final String PRINCIPAL = "user:bench";

  /** The command's name, as a fan knows it (docs/commands.md). */
  static final String NAME = "set_power";

  private final ReadingProducer producer;
  private final List<String> devices;
  private final AvroSerializer<DeviceCommand> size = new AvroSerializer<>();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicReference<Throwable> firstError = new AtomicReference<>();
  private long next;

  /**
   * What a run sent.
   *
   * @param records commands handed to the producer
   * @param lateMs the latest a send came after it was due, in ms
   */
  record Sent(long records, double lateMs) {}

  CommandLoad(BenchStack bench, List<String> devices) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bench.stack.bootstrapServers());
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "biometer-bench-commands");
    Map<String, Object> serde =
        Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, bench.stack.registryUrl());
    this.producer = new ReadingProducer(props, serde);
    this.devices = List.copyOf(devices);
    size.configure(serde, false);
  }

  /** Fetches the metadata of {@code topics} now, so that the first sends do not wait for it. */
  void warmUp(List<String> topics) {
    producer.warmUp(topics);
  }

  /** The next command: the next device in turn, its fan on or off. */
  private DeviceCommand next() {
    long n = next++;
    String device = devices.get((int) (n % devices.size()));
    boolean on = (n / devices.size()) % 2 == 0;
    return CommandAdmin.command(
        device, NAME, Map.of("state", on ? "on" : "off"), PRINCIPAL, CommandsOptions.TTL, null);
  }

  /** The serialized size of a command (key excluded). */
  int recordBytes(String topic) {
    return size.serialize(topic, next()).length;
  }

  /**
   * Sends to {@code topic} at {@code rate} commands/s for {@code warmUp}, then {@code measure};
   * {@code measuring} runs once, when the warm-up ends. Each command goes into {@code ledger} as
   * sent at the time it was due, before it is handed to the producer, so that a late send counts
   * its delay and a receipt never comes before its send. Returns once the last is handed over.
   */
  Sent run(
      String topic,
      int rate,
      Duration warmUp,
      Duration measure,
      CommandLedger ledger,
      Runnable measuring) {
    long t0 = System.nanoTime();
    long from = t0 + warmUp.toNanos();
    long until = from + measure.toNanos();
    double interval = 1e9 / rate;
    long late = 0;
    boolean measured = false;
    long sent = 0;
    for (long due = t0; due < until; due = t0 + (long) (++sent * interval)) {
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      } else {
        late = Math.max(late, -wait);
      }
      if (!measured && due >= from) {
        measured = true;
        measuring.run();
      }
      DeviceCommand c = next();
      ledger.sent(c.getCommandId(), due, due >= from);
      producer
          .send(topic, c.getDeviceId(), c)
          .whenComplete(
              (md, e) -> {
                if (e != null) {
                  failed.incrementAndGet();
                  firstError.compareAndSet(null, e);
                }
              });
    }
    return new Sent(sent, late / 1e6);
  }

  /** Sends Kafka refused so far, of every run. */
  long failed() {
    return failed.get();
  }

  /** The first refusal, or null. */
  String firstError() {
    Throwable e = firstError.get();
    return e == null ? null : e.toString();
  }

  @Override
  public void close() {
    producer.close();
    size.close();
  }
}
