package io.biometer.bench;

import io.biometer.avro.BodyReading;
import io.biometer.devstack.LocalStack;
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
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The ingress bench's baseline: the records the gateway writes for the bench's readings, built the
 * same way, sent straight to Kafka from one thread by one producer of the gateway's own class and
 * settings ({@link ReadingProducer}: idempotent, acks=all, lz4, linger 2 ms, 64 KiB batches). Only
 * the reading: the gateway also writes each device's replay window after it, which is part of what
 * it costs. Its own topic has the pipeline topics' partitions and timestamps.
 */
final class DirectProducer implements AutoCloseable {

  /** The baseline's topic. */
  static final String TOPIC = "bench.ingress-direct";

  private final ReadingProducer producer;
  private final List<IngressDevices.Device> devices;
  private final AvroSerializer<BodyReading> size = new AvroSerializer<>();
  private long sequence;

  DirectProducer(BenchStack bench, List<IngressDevices.Device> devices) throws Exception {
    LocalStack stack = bench.stack;
    bench.createTopic(TOPIC);
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "biometer-bench-direct");
    // Flat out, a send may wait for buffer space longer than the gateway's 2 s allow; that wait
    // is the broker's pace, not an error.
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
    Map<String, Object> serde =
        Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, stack.registryUrl());
    this.producer = new ReadingProducer(props, serde);
    this.producer.warmUp(List.of(TOPIC));
    this.devices = devices;
    size.configure(serde, false);
  }

  private BodyReading next(long now) {
    IngressDevices.Device d = devices.get((int) (sequence % devices.size()));
    return d.record(sequence++ / devices.size(), now);
  }

  /** The serialized size of a record (key excluded), as the gateway's producer writes it. */
  int recordBytes() {
    return size.serialize(TOPIC, next(System.currentTimeMillis())).length;
  }

  /**
   * Sends {@code records} flat out; returns records/s from the first send to the last
   * acknowledgement.
   *
   * @throws IllegalStateException if Kafka refused a record
   */
  double flatOut(long records) {
    AtomicLong acked = new AtomicLong();
    AtomicReference<Throwable> error = new AtomicReference<>();
    long t0 = System.nanoTime();
    AtomicLong last = new AtomicLong(t0);
    // ReadingProducer refuses a send when QUEUE records wait for its thread already (the gateway
    // answers that as unavailable); flat out, the baseline waits for room instead, as a
    // KafkaProducer waits for buffer space.
    java.util.concurrent.Semaphore room =
        new java.util.concurrent.Semaphore(ReadingProducer.QUEUE / 2);
    for (long i = 0; i < records; i++) {
      BodyReading r = next(System.currentTimeMillis());
      room.acquireUninterruptibly();
      producer
          .send(TOPIC, r.getDeviceId(), r)
          .whenComplete(
              (md, e) -> {
                room.release();
                if (e != null) {
                  error.compareAndSet(null, e);
                }
                last.set(System.nanoTime());
                acked.incrementAndGet();
              });
    }
    await(acked, records, error);
    return records / ((last.get() - t0) / 1e9);
  }

  /**
   * Sends at {@code rate} records/s for {@code warmUp} then {@code measure}; returns send-to-ack
   * latencies (microseconds) of the records sent while measuring, from when each was due, so that a
   * late send counts its delay.
   */
  Histogram paced(double rate, Duration warmUp, Duration measure) {
    Recorder latency = new Recorder(3);
    AtomicLong acked = new AtomicLong();
    AtomicReference<Throwable> error = new AtomicReference<>();
    long t0 = System.nanoTime();
    long from = t0 + warmUp.toNanos();
    long until = from + measure.toNanos();
    long interval = (long) (1e9 / rate);
    long sent = 0;
    for (long due = t0; due < until; due += interval) {
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      long d = due;
      BodyReading r = next(System.currentTimeMillis());
      producer
          .send(TOPIC, r.getDeviceId(), r)
          .whenComplete(
              (md, e) -> {
                if (e != null) {
                  error.compareAndSet(null, e);
                } else if (d >= from) {
                  latency.recordValue(Math.max(1, (System.nanoTime() - d) / 1000));
                }
                acked.incrementAndGet();
              });
      sent++;
    }
    await(acked, sent, error);
    return latency.getIntervalHistogram();
  }

  private static void await(AtomicLong acked, long records, AtomicReference<Throwable> error) {
    long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (acked.get() < records && System.nanoTime() < end) {
      LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
    }
    if (error.get() != null) {
      throw new IllegalStateException(
          "the baseline producer: Kafka did not take a record: " + error.get(), error.get());
    }
    if (acked.get() < records) {
      throw new IllegalStateException(
          "the baseline producer: "
              + (records - acked.get())
              + " of "
              + records
              + " records unacknowledged after 120 s");
    }
  }

  @Override
  public void close() {
    producer.close();
    size.close();
  }
}
