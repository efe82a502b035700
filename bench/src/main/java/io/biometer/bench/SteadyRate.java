package io.biometer.bench;

import io.biometer.devstack.LocalStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * The steady rate of a Kafka Streams run: the time its output takes from 10% to 90% of its records,
 * read from the output topic's end offsets every 10 ms.
 */
final class SteadyRate {

  private SteadyRate() {}

  /**
   * Starts an app and returns its steady rate in input records/s: the time its {@code output} takes
   * from 10% to 90% of {@code outputs} new records, interpolated between samples taken every 10 ms,
   * scaled to the {@code input} records those outputs stand for. Start-up, rebalances (a second
   * stream thread joins while the first one already works) and the last partition's straggling tail
   * fall outside the window, for every topology alike.
   */
  static double of(LocalStack stack, Runnable start, String output, long outputs, long input)
      throws Exception {
    try (EndOffsets ends = new EndOffsets(stack, output)) {
      long before = ends.sum();
      List<long[]> samples = new ArrayList<>(); // {nanoTime, new records}
      start.run();
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      long done = 0;
      samples.add(new long[] {System.nanoTime(), 0});
      while (done < outputs) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              String.format(
                  "benchmark reached %,d of %,d records on %s within 3 minutes",
                  done, outputs, output));
        }
        LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        done = ends.sum() - before;
        samples.add(new long[] {System.nanoTime(), done});
      }
      double seconds = (crossing(samples, outputs * 0.9) - crossing(samples, outputs * 0.1)) / 1e9;
      return input * 0.8 / seconds;
    }
  }

  /** When the samples' count first reached {@code level}, interpolated between two samples. */
  static double crossing(List<long[]> samples, double level) {
    for (int i = 1; i < samples.size(); i++) {
      long[] a = samples.get(i - 1);
      long[] b = samples.get(i);
      if (b[1] >= level) {
        double f = b[1] == a[1] ? 1 : (level - a[1]) / (double) (b[1] - a[1]);
        return a[0] + f * (b[0] - a[0]);
      }
    }
    throw new IllegalArgumentException("the samples never reach " + level);
  }

  /** The summed end offsets of one topic, through one admin client for a whole measurement. */
  static final class EndOffsets implements AutoCloseable {
    private final Admin admin;
    private final Map<TopicPartition, OffsetSpec> query = new HashMap<>();

    EndOffsets(LocalStack stack, String topic) throws Exception {
      admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()));
      int partitions =
          admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      for (int i = 0; i < partitions; i++) {
        query.put(new TopicPartition(topic, i), OffsetSpec.latest());
      }
    }

    long sum() throws Exception {
      return admin.listOffsets(query).all().get().values().stream()
          .mapToLong(r -> r.offset())
          .sum();
    }

    @Override
    public void close() {
      admin.close();
    }
  }
}
