package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.check.FaultyClientSupplier;
import io.biometer.devstack.*;
import io.biometer.streams.StreamsApp;
import io.biometer.streams.StreamsAppConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once when transactions fail: the streams app runs on an embedded broker with producers
 * that abort chosen transactions or fail chosen sends ({@link FaultyClientSupplier}), at the first
 * transaction, mid-run and in a punctuation. Afterwards every clean reading, alert and final
 * aggregate is in the outputs exactly once, alerts alternate RAISED and CLEARED, and aggregates
 * equal the statistics of the clean readings ({@link FaultWorkload}). Event times are 30 days old
 * and the broker checks retention every second, as a long local run would.
 *
 * <p>Each fault is one a real broker or producer can cause. After a fencing error or a failed send
 * Kafka Streams 4.3.1 closes every task of the thread dirty (aborting the transaction, wiping the
 * stores) and creates new tasks, with new processor objects, over stores restored from the
 * changelogs; after a commit that times out, the producer refuses further calls and the stream
 * thread is replaced. (A task revived after a task-corrupted error keeps its processor objects and
 * runs their {@code init} again: the processors' restart tests cover that path.)
 */
class ExactlyOnceFaultsIT {

  @TempDir Path data;

  @Test
  void firstTransactionFailsAtItsFirstSendThenAtCommit() throws Exception {
    run(
        new FaultyClientSupplier.Plan()
            .failSend(1, () -> new OutOfOrderSequenceException("injected"))
            .abortCommit(1, () -> new InvalidProducerEpochException("injected")));
  }

  @Test
  void midRunTransactionsAbortAtCommitAndAtSend() throws Exception {
    run(
        new FaultyClientSupplier.Plan()
            .abortCommit(12, () -> new InvalidProducerEpochException("injected"))
            .failSend(900, () -> new OutOfOrderSequenceException("injected")));
  }

  @Test
  void aCommitTimesOutAndTheStreamThreadIsReplaced() throws Exception {
    run(new FaultyClientSupplier.Plan().timeOutCommit(15));
  }

  @Test
  void punctuationsFailAtSendAndAtCommit() throws Exception {
    run(
        new FaultyClientSupplier.Plan()
            .failPunctuationSend(3, () -> new ProducerFencedException("injected"))
            .abortPunctuationCommit(1, () -> new InvalidProducerEpochException("injected")));
  }

  private void run(FaultyClientSupplier.Plan plan) throws Exception {
    Map<String, String> stackValues = StackFixture.values(data.resolve("stack"), false);
    stackValues.put(DevStackConfig.TOPICS_PARTITIONS_CONFIG, "3");
    try (LocalStack stack =
        LocalStack.start(
            new DevStackConfig(stackValues),
            Map.of("log.retention.check.interval.ms", "1000", "log.initial.task.delay.ms", "0"))) {
      FaultWorkload work = new FaultWorkload(stack);
      work.register();
      FaultyClientSupplier clients = new FaultyClientSupplier(plan);
      try (StreamsApp app = StreamsApp.start(new StreamsAppConfig(values(stack)), clients);
          FaultWorkload.Outputs out = work.new Outputs()) {
        int devices = FaultWorkload.devices().size();
        int[] bursts = {0, 32, 64, FaultWorkload.READINGS};
        for (int b = 1; b < bursts.length; b++) {
          work.produce(bursts[b - 1], bursts[b]);
          int expected = devices * bursts[b];
          Poll.until(
              Duration.ofSeconds(90),
              "clean readings up to " + bursts[b] + " of every device",
              () -> out.poll().clean.size() >= expected);
        }
        work.produceClosing();
        Poll.until(
            Duration.ofSeconds(90),
            "every clean reading and final aggregate",
            () ->
                out.poll().clean.size() >= devices * (FaultWorkload.READINGS + 1)
                    && out.finals() >= work.expectedFinals());
        // Anything extra (a duplicate) would arrive within a few commits.
        long settle = System.currentTimeMillis() + 3000;
        Poll.until(Duration.ofSeconds(10), "settling", () -> System.currentTimeMillis() > settle);
        assertThat(clients.fired()).as("faults injected").hasSize(plan.faults());
        // Afterwards, everything the topics hold now, read from the start.
        try (FaultWorkload.Outputs all = work.new Outputs()) {
          all.readToEnd().check();
        }
      }
    }
  }

  private Map<String, Object> values(LocalStack stack) {
    Map<String, Object> v = new HashMap<>();
    v.put(StreamsAppConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    v.put(StreamsAppConfig.SCHEMA_REGISTRY_URL_CONFIG, stack.registryUrl());
    v.put(StreamsAppConfig.APPLICATION_ID_CONFIG, "it-" + UUID.randomUUID());
    v.put(StreamsAppConfig.STATE_DIR_CONFIG, data.resolve("state").toString());
    v.put(StreamsAppConfig.METRICS_PORT_CONFIG, 0);
    v.put(StreamsAppConfig.METRICS_HOST_CONFIG, "127.0.0.1");
    // Running aggregates and silence checks every few hundred milliseconds: punctuations that
    // write to stores and outputs all through the run.
    v.put(StreamsAppConfig.AGGREGATION_UPDATE_INTERVAL_MS_CONFIG, 200L);
    v.put(StreamsAppConfig.SILENT_CHECK_INTERVAL_MS_CONFIG, 500L);
    return v;
  }
}
