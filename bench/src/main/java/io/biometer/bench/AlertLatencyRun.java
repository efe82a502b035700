package io.biometer.bench;

import io.biometer.Topics;
import io.biometer.avro.Alert;
import io.biometer.devstack.LocalStack;
import io.biometer.serde.AvroDeserializer;
import io.biometer.serde.AvroSerdeConfig;
import io.biometer.streams.StreamsApp;
import io.biometer.streams.StreamsAppConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One event-to-alert latency run: live readings at 10,000/s with event time now, first for a
 * warm-up (not counted), then for the run; each alert's arrival at a read_committed consumer minus
 * its reading's event time. With a landing connector, each reading's event-to-row latency too.
 */
final class AlertLatencyRun {

  private AlertLatencyRun() {}

  /**
   * Live readings at 10,000/s with event time now, first for {@code warmUp} (not counted), then for
   * {@code run}: alerts' arrival at a read_committed consumer minus the reading's event time. With
   * {@code landing}, a connector of its own lands the app's output in QuestDB meanwhile, and a
   * {@link RowPoller} measures each reading's event-to-row latency.
   */
  static AlertLatency measure(
      LocalStack stack,
      Path dir,
      Map<String, Object> config,
      String guarantee,
      Duration warmUp,
      Duration run,
      Landing.Factory landing)
      throws Exception {
    Map<String, Object> v =
        StreamsRunConfig.app(stack, dir, config, "bench-latency", guarantee, "latest");
    Histogram h = new Histogram(60_000, 3);
    Histogram visible = new Histogram(60_000, 3);
    Histogram warm = new Histogram(60_000, 3);
    long seqBase = 1_000_000;
    try (Landing sink =
            landing == null
                ? null
                : landing.start(
                    guarantee.equals(StreamsConfig.AT_LEAST_ONCE) ? "lat_alos" : "lat_eos");
        StreamsApp app = StreamsApp.start(new StreamsAppConfig(v))) {
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (app.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
        LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
      }
      AtomicBoolean stop = new AtomicBoolean();
      // Alerts for readings measured before this instant belong to the warm-up.
      AtomicLong measureFrom = new AtomicLong(Long.MAX_VALUE);
      // Rows of readings numbered from this one on are measured; those before are the warm-up.
      AtomicLong measureFromReading = new AtomicLong(Long.MAX_VALUE);
      AtomicLong published = new AtomicLong();
      int capacity = (int) (10_000 * (warmUp.toSeconds() + run.toSeconds() + 5));
      long[] eventTimes = new long[capacity];
      RowPoller rows =
          sink == null
              ? null
              : new RowPoller(
                      stack.questdb().jdbcUrl(),
                      sink.readings(),
                      "body_temperature",
                      (device, sequence) -> {
                        int d = StreamsWorkload.deviceNumber(device);
                        return d < 0 ? -1 : (sequence - seqBase) * StreamsWorkload.DEVICES + d;
                      },
                      eventTimes,
                      published,
                      measureFromReading)
                  .start();
      Thread consumer =
          new Thread(
              () -> consumeAlerts(stack, h, visible, warm, measureFrom, stop),
              "bench-alert-consumer");
      consumer.start();
      LockSupport.parkNanos(Duration.ofSeconds(2).toNanos());
      double[] commitsBefore = new double[1];
      long[] loopStart = new long[1];
      try (KafkaProducer<String, SpecificRecord> p = AvroProducers.create(stack, 5)) {
        Paced.run(
            warmUp,
            run,
            () -> {
              measureFrom.set(System.currentTimeMillis());
              measureFromReading.set(published.get());
              commitsBefore[0] = threadMetric(app, "commit-total");
              loopStart[0] = System.nanoTime();
            },
            sent -> {
              if (sent >= capacity) {
                return;
              }
              int device = (int) (sent % StreamsWorkload.DEVICES);
              long seq = seqBase + sent / StreamsWorkload.DEVICES;
              // Each device alternates normal and fever every 10 readings: one transition a second.
              double value = (seq / 10) % 2 == 0 ? 36.8 : 39.2;
              Instant now = Instant.now();
              eventTimes[(int) sent] = now.toEpochMilli();
              published.set(sent + 1);
              p.send(
                  new ProducerRecord<>(
                      Topics.BODY_READINGS,
                      null,
                      now.toEpochMilli(),
                      StreamsWorkload.id(device),
                      StreamsWorkload.reading(device, seq, now, value, "sink-a")));
            });
      }
      // The commit period over the loaded seconds only: an idle app commits nothing.
      double commits = threadMetric(app, "commit-total") - commitsBefore[0];
      double period = (System.nanoTime() - loopStart[0]) / 1e6 / Math.max(1, commits);
      // The alerts of the last readings, and with a landing connector their rows, come after the
      // last send: wait for the rows (bounded), whose alerts came before them, or a fixed 3 s.
      long unseen = rows == null ? 0 : rows.finish(Duration.ofSeconds(30));
      LockSupport.parkNanos(Duration.ofSeconds(rows == null ? 3 : 1).toNanos());
      stop.set(true);
      consumer.join();
      if (sink != null) {
        sink.failIfFailed();
      }
      return new AlertLatency(
          h,
          visible,
          warm,
          threadMetric(app, "commit-latency-avg"),
          threadMetric(app, "commit-latency-max"),
          period,
          rows == null ? null : rows.measured(),
          unseen);
    }
  }

  /** A metric of the app's (single) stream thread; NaN when it has none yet. */
  private static double threadMetric(StreamsApp app, String name) {
    for (var e : app.streams().metrics().entrySet()) {
      if (e.getKey().group().equals("stream-thread-metrics") && e.getKey().name().equals(name)) {
        return ((Number) e.getValue().metricValue()).doubleValue();
      }
    }
    return Double.NaN;
  }

  private static void consumeAlerts(
      LocalStack stack,
      Histogram h,
      Histogram visible,
      Histogram warm,
      AtomicLong measureFrom,
      AtomicBoolean stop) {
    AvroDeserializer<Alert> d = new AvroDeserializer<>(Alert.class);
    d.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, stack.registryUrl()), false);
    try (KafkaConsumer<String, Alert> consumer =
        new KafkaConsumer<>(
            StreamsRunConfig.readCommitted(stack, "latest"), new StringDeserializer(), d)) {
      consumer.subscribe(List.of(Topics.ALERTS));
      while (!stop.get()) {
        for (var r : consumer.poll(Duration.ofMillis(50))) {
          long now = System.currentTimeMillis();
          long eventTime = r.value().getEventTime().toEpochMilli();
          if (eventTime < measureFrom.get()) {
            warm.recordValue(Math.max(0, Math.min(60_000, now - eventTime)));
            continue;
          }
          h.recordValue(Math.max(0, Math.min(60_000, now - eventTime)));
          visible.recordValue(
              Math.max(0, Math.min(60_000, now - r.value().getDetectedAt().toEpochMilli())));
        }
      }
    }
  }
}
