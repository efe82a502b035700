package io.biometer.bench;

import io.biometer.avro.CleanReading;
import io.biometer.devstack.ConnectWorker;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The connector bench's latency run: event-to-queryable-row of clean readings at 10,000/s straight
 * to a fresh connector and table.
 */
final class ConnectorLatencyRun {

  private ConnectorLatencyRun() {}

  /**
   * What the latency run measured: the readings sent after the warm-up ({@code sent}) and the
   * latency of those seen; the warm-up's; readings never seen; the poller's queries.
   */
  record Latency(
      Histogram measured,
      Histogram warmUp,
      long sent,
      long unseen,
      long polls,
      double meanPollMs) {}

  /**
   * Live readings at 10,000/s with event time now, for {@code warmUp} (not counted) and then {@code
   * run}, into a fresh connector and table that start at the topic's end; a {@link RowPoller} over
   * PG wire sees when each row became visible. A reading's latency is the time its row was first
   * returned minus its event time.
   */
  static Latency measure(
      BenchStack bench,
      ConnectWorker worker,
      Map<String, String> connector,
      String jdbc,
      Duration warmUp,
      Duration run)
      throws Exception {
    String name = "bench-latency-" + ConnectorWriters.uuid();
    String table = "bench_latency_" + ConnectorWriters.uuid();
    bench.startAtEnd("connect-" + name, Landing.TOPICS);
    Map<String, String> c = new LinkedHashMap<>(connector);
    c.put(ConnectorWorkload.TABLE_KEY, table);
    worker.putConnector(name, c);
    try {
      worker.awaitRunning(name, Duration.ofSeconds(90));
      int capacity = (int) (10_000 * (warmUp.toSeconds() + run.toSeconds() + 5));
      long[] eventTimes = new long[capacity];
      AtomicLong published = new AtomicLong();
      // Readings numbered from this one on are measured; those before it are the warm-up.
      AtomicLong measureFrom = new AtomicLong(Long.MAX_VALUE);
      RowPoller poller =
          new RowPoller(
                  jdbc,
                  table,
                  "systolic",
                  (device, sequence) -> sequence - ConnectorWorkload.LATENCY_SEQUENCE_BASE,
                  eventTimes,
                  published,
                  measureFrom)
              .start();
      try (KafkaProducer<String, CleanReading> p = AvroProducers.create(bench.stack, 5)) {
        Paced.run(
            warmUp,
            run,
            () -> measureFrom.set(published.get()),
            sent -> {
              if (sent >= capacity) {
                return;
              }
              Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
              eventTimes[(int) sent] = now.toEpochMilli();
              published.set(sent + 1);
              CleanReading r = ConnectorWorkload.live(sent, now);
              p.send(new ProducerRecord<>(ConnectorWorkload.TOPIC, r.getDeviceId(), r));
            });
      }
      // The last readings land within allowed.lag and a flush; wait for them, bounded.
      long unseen = poller.finish(Duration.ofSeconds(30));
      return new Latency(
          poller.measured(),
          poller.warmUp(),
          published.get() - Math.min(measureFrom.get(), published.get()),
          unseen,
          poller.polls(),
          poller.meanPollMs());
    } finally {
      worker.deleteConnector(name, Duration.ofSeconds(60));
      QuestDbSql.execQuietly(bench, "DROP TABLE IF EXISTS \"" + table + "\"");
    }
  }
}
