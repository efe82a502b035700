package io.biometer.simulator.kafka;

import io.biometer.Topics;
import io.biometer.avro.BodyReading;
import io.biometer.avro.CommandGrant;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceCredential;
import io.biometer.avro.MeterReading;
import io.biometer.avro.Provenance;
import io.biometer.avro.SinkStatus;
import io.biometer.ingress.auth.Directory;
import io.biometer.serde.AvroSerializer;
import io.biometer.simulator.engine.GroundTruth;
import io.biometer.simulator.engine.Output;
import io.biometer.simulator.spool.DiskSpool;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the simulation's records to Kafka as Avro in the Confluent wire format, sharing one
 * producer between the scheduler threads.
 *
 * <p>When Kafka cannot be reached (a send fails with a retriable error or times out), the record
 * goes to the {@link DiskSpool} and so does every later record, keeping their order. A drainer
 * thread probes the cluster; once it answers, the spool is replayed in order and sending goes
 * direct again. A record is lost only when the spool is full, and that is counted in {@link
 * RunStats#lostSpoolFull}. Records that failed while others were in flight may be replayed after
 * later ones: consumers key on (device id, sequence), not on arrival order.
 */
public final class KafkaOutput implements Output, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KafkaOutput.class);
  private static final int REPLAY_BATCH = 1000;

  private final KafkaProducer<byte[], byte[]> producer;
  private final AvroSerializer<SpecificRecord> values = new AvroSerializer<>();
  private final DiskSpool spool;
  private final RunStats stats;
  private final GroundTruth truth;
  private final Map<String, Object> adminProps;
  private final Object modeLock = new Object();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread drainer;
  private volatile boolean spooling;

  /**
   * @param producerProps Kafka producer settings (bootstrap.servers and any overrides)
   * @param serdeProps serializer settings (schema.registry.url, ...)
   */
  public KafkaOutput(
      Map<String, Object> producerProps,
      Map<String, ?> serdeProps,
      DiskSpool spool,
      RunStats stats,
      GroundTruth truth) {
    Map<String, Object> p = new HashMap<>(defaults());
    p.putAll(producerProps);
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    this.values.configure(serdeProps, false);
    this.spool = spool;
    this.stats = stats;
    this.truth = truth;
    Map<String, Object> admin = new HashMap<>();
    // The producer's way in (security.protocol, SASL, TLS) is the admin's too.
    p.forEach(
        (k, v) -> {
          if (k.startsWith("security.") || k.startsWith("sasl.") || k.startsWith("ssl.")) {
            admin.put(k, v);
          }
        });
    admin.put(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, p.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
    admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
    admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
    this.adminProps = Map.copyOf(admin);
    this.spooling = spool.pendingRecords() > 0;
    this.drainer = new Thread(this::drainLoop, "simulator-spool-drainer");
    drainer.setDaemon(true);
    drainer.start();
  }

  /** The producer settings used unless overridden. */
  public static Map<String, Object> defaults() {
    Map<String, Object> d = new HashMap<>();
    d.put(ProducerConfig.ACKS_CONFIG, "all");
    d.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    d.put(ProducerConfig.LINGER_MS_CONFIG, 10);
    d.put(ProducerConfig.BATCH_SIZE_CONFIG, 131_072);
    d.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    d.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    d.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    d.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    d.put(ProducerConfig.CLIENT_ID_CONFIG, "biometer-simulator");
    return d;
  }

  @Override
  public void body(BodyReading copy) {
    send(Topics.BODY_READINGS, copy.getDeviceId(), copy, copy.getSequence());
  }

  @Override
  public void meter(MeterReading sample) {
    send(Topics.METER_READINGS, sample.getDeviceId(), sample, sample.getSequence());
  }

  @Override
  public void sinkStatus(SinkStatus status) {
    send(Topics.SINK_STATUS, status.getSinkId(), status, -1);
  }

  @Override
  public void device(Device device) {
    send(Topics.DEVICES, device.getDeviceId(), device, -1);
  }

  /** Keyed as the gateway looks it up: {@code <type>/<authId>}. */
  @Override
  public void credential(DeviceCredential c) {
    send(Topics.CREDENTIALS, Directory.credentialKey(c.getType(), c.getAuthId()), c, -1);
  }

  /** Keyed by its principal, as the gateway's access map reads it. */
  @Override
  public void grant(CommandGrant g) {
    send(Topics.COMMAND_ACCESS, g.getPrincipal(), g, -1);
  }

  /** Waits until Kafka acknowledged (or the spool took) every record sent so far. */
  @Override
  public void flush() {
    producer.flush();
  }

  /** True while records go to the spool rather than to Kafka. */
  public boolean spooling() {
    return spooling;
  }

  /** Records waiting in the spool. */
  public long spoolSize() {
    return spool.pendingRecords();
  }

  private void send(String topic, String key, SpecificRecord value, long seq) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    synchronized (modeLock) {
      if (spooling) {
        toSpool(new DiskSpool.Entry(topic, k, values.serialize(topic, spooled(value))), seq);
        return;
      }
    }
    sendDirect(new DiskSpool.Entry(topic, k, values.serialize(topic, value)), value, seq);
  }

  /**
   * A reading as it goes to the spool: its provenance says so ({@code spooled=true}), as the
   * contract asks of a relay that kept it on disk. Other records as they are.
   */
  private static SpecificRecord spooled(SpecificRecord value) {
    if (value instanceof BodyReading b && !b.getProvenance().getSpooled()) {
      return BodyReading.newBuilder(b).setProvenance(marked(b.getProvenance())).build();
    }
    if (value instanceof MeterReading m && !m.getProvenance().getSpooled()) {
      return MeterReading.newBuilder(m).setProvenance(marked(m.getProvenance())).build();
    }
    return value;
  }

  private static Provenance marked(Provenance p) {
    return Provenance.newBuilder(p).setSpooled(true).build();
  }

  private void sendDirect(DiskSpool.Entry e, SpecificRecord value, long seq) {
    long start = System.nanoTime();
    try {
      producer.send(
          new ProducerRecord<>(e.topic(), e.key(), e.value()),
          (meta, ex) -> {
            if (ex == null) {
              stats.acked.increment();
              stats.bytes.add(e.value().length + e.key().length);
              stats.recordLatencyNanos(System.nanoTime() - start);
            } else {
              failed(e, value, seq, ex);
            }
          });
    } catch (RuntimeException ex) {
      // send() itself times out (no metadata, buffer full) while the cluster is away.
      failed(e, value, seq, ex);
    }
  }

  private void failed(DiskSpool.Entry e, SpecificRecord value, long seq, Exception ex) {
    stats.errors.increment();
    if (ex instanceof RetriableException
        || ex instanceof org.apache.kafka.common.errors.TimeoutException) {
      synchronized (modeLock) {
        if (!spooling) {
          log.warn("Kafka unreachable ({}); spooling records to {}", ex.toString(), spool.dir());
        }
        spooling = true;
        toSpool(
            new DiskSpool.Entry(e.topic(), e.key(), values.serialize(e.topic(), spooled(value))),
            seq);
      }
    } else {
      stats.rejected.increment();
      truth.lost(e.topic(), key(e), seq, ex.toString());
      log.error("Kafka refused a record for {} for good: {}", e.topic(), ex.toString());
    }
  }

  private void toSpool(DiskSpool.Entry e, long seq) {
    if (spool.append(e)) {
      stats.spooled.increment();
      truth.spooled(e.topic(), key(e), seq);
    } else {
      stats.lostSpoolFull.increment();
      truth.lost(e.topic(), key(e), seq, "spool full");
    }
  }

  private static String key(DiskSpool.Entry e) {
    return new String(e.key(), StandardCharsets.UTF_8);
  }

  private void drainLoop() {
    try (Admin admin = Admin.create(adminProps)) {
      while (!closed.get()) {
        if (!spooling || !reachable(admin)) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
          continue;
        }
        if (!replayBatch()) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
        }
      }
    } catch (RuntimeException e) {
      log.error("spool drainer stopped: {}", e.toString(), e);
    }
  }

  private static boolean reachable(Admin admin) {
    try {
      admin
          .describeCluster(new DescribeClusterOptions().timeoutMs(2000))
          .nodes()
          .get(3, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /** Sends one batch from the spool and waits for it; true if it all went through. */
  private boolean replayBatch() {
    List<DiskSpool.Spooled> batch = spool.peek(REPLAY_BATCH);
    if (batch.isEmpty()) {
      synchronized (modeLock) {
        if (spool.pendingRecords() == 0) {
          spooling = false;
          log.info("Kafka reachable again; spool drained, sending directly");
        }
      }
      return true;
    }
    CountDownLatch done = new CountDownLatch(batch.size());
    AtomicBoolean ok = new AtomicBoolean(true);
    for (DiskSpool.Spooled s : batch) {
      DiskSpool.Entry e = s.entry();
      try {
        producer.send(
            new ProducerRecord<>(e.topic(), e.key(), e.value()),
            (meta, ex) -> {
              if (ex != null) {
                ok.set(false);
              }
              done.countDown();
            });
      } catch (RuntimeException ex) {
        ok.set(false);
        done.countDown();
      }
    }
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    if (!ok.get()) {
      // Some went through, some did not: replay the whole batch later; duplicates are keyed away.
      return false;
    }
    spool.ack(batch);
    stats.replayed.add(batch.size());
    stats.acked.add(batch.size());
    return true;
  }

  /**
   * Waits up to {@code timeout} for the spool to drain, then flushes and closes the producer. What
   * is still in the spool stays on disk for the next run.
   */
  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  /** See {@link #close()}. */
  public void close(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (spooling && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
    producer.flush();
    closed.set(true);
    try {
      drainer.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(10));
    if (spool.pendingRecords() > 0) {
      log.warn(
          "{} records stay in the spool {} for the next run", spool.pendingRecords(), spool.dir());
    }
  }
}
