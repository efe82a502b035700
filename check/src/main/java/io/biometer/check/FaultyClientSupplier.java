package io.biometer.check;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;

/**
 * Kafka clients for Kafka Streams whose producers fail chosen transactions, the way a broker or a
 * transaction coordinator can:
 *
 * <ul>
 *   <li>a commit that is aborted instead: the real transaction is aborted, and the commit throws
 *       the fencing error the plan names: Kafka Streams closes every task dirty and creates new
 *       ones;
 *   <li>a commit that times out, after which the producer refuses every call but the commit's
 *       retry, as Kafka's does: Kafka Streams replaces the stream thread;
 *   <li>a send that fails for good ({@code OutOfOrderSequenceException}, a fencing): the record
 *       never reaches Kafka, and the send's callback gets the exception, as from the producer.
 * </ul>
 *
 * Sends and commits are counted across every producer the supplier hands out (Kafka Streams
 * replaces a producer after fencing), from 1. A send counts as made in a punctuation when a
 * punctuator is on the calling thread's stack.
 */
public final class FaultyClientSupplier implements KafkaClientSupplier {

  /** When to fail: each fault is off until set, and counts from 1. */
  public static final class Plan {
    private int abortCommit;
    private Supplier<RuntimeException> abortError;
    private int timeOutCommit;
    private int abortPunctuationCommit;
    private Supplier<RuntimeException> punctuationAbortError;
    private int failSend;
    private Supplier<RuntimeException> sendError;
    private int failPunctuationSend;
    private Supplier<RuntimeException> punctuationSendError;

    /** How many faults this plan injects. */
    public int faults() {
      return (abortCommit > 0 ? 1 : 0)
          + (timeOutCommit > 0 ? 1 : 0)
          + (abortPunctuationCommit > 0 ? 1 : 0)
          + (failSend > 0 ? 1 : 0)
          + (failPunctuationSend > 0 ? 1 : 0);
    }

    /** Commit {@code n} is aborted by the coordinator and answered with {@code error}. */
    public Plan abortCommit(int n, Supplier<RuntimeException> error) {
      abortCommit = n;
      abortError = error;
      return this;
    }

    /**
     * Commit {@code n} times out before it reaches the coordinator, and the producer then behaves
     * as Kafka's does: until the commit is retried, every other transactional call fails with
     * IllegalStateException. Kafka Streams marks the tasks corrupted, its next call fails, and the
     * stream thread dies and is replaced; the open transaction is aborted by the coordinator when
     * it times out.
     */
    public Plan timeOutCommit(int n) {
      timeOutCommit = n;
      return this;
    }

    /** The {@code n}th commit of a transaction holding a punctuation's output is aborted. */
    public Plan abortPunctuationCommit(int n, Supplier<RuntimeException> error) {
      abortPunctuationCommit = n;
      punctuationAbortError = error;
      return this;
    }

    /** Send {@code n} fails with {@code error}. */
    public Plan failSend(int n, Supplier<RuntimeException> error) {
      failSend = n;
      sendError = error;
      return this;
    }

    /** The {@code n}th send made in a punctuation fails with {@code error}. */
    public Plan failPunctuationSend(int n, Supplier<RuntimeException> error) {
      failPunctuationSend = n;
      punctuationSendError = error;
      return this;
    }
  }

  private final Plan plan;
  private final List<String> fired = new ArrayList<>();
  private int commits;
  private int commitsAfterPunctuation;
  private int sends;
  private int punctuationSends;

  public FaultyClientSupplier(Plan plan) {
    this.plan = plan;
  }

  /** What was injected, in order, for the test to check that every planned fault happened. */
  public synchronized List<String> fired() {
    return List.copyOf(fired);
  }

  @Override
  public Admin getAdmin(Map<String, Object> config) {
    return Admin.create(config);
  }

  @Override
  public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
    return new FaultyProducer(
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()));
  }

  @Override
  public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @Override
  public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
    return getConsumer(config);
  }

  @Override
  public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
    return getConsumer(config);
  }

  private static boolean inPunctuation() {
    return StackWalker.getInstance()
        .walk(
            frames ->
                frames.anyMatch(
                    f ->
                        f.getClassName().endsWith(".StreamTask")
                            && f.getMethodName().equals("punctuate")));
  }

  private final class FaultyProducer implements Producer<byte[], byte[]> {
    private final Producer<byte[], byte[]> real;
    private boolean punctuatedInTransaction;
    private boolean pendingCommit;

    FaultyProducer(Producer<byte[], byte[]> real) {
      this.real = real;
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
      failIfCommitPending("send");
      RuntimeException failure = null;
      boolean punctuation = inPunctuation();
      synchronized (FaultyClientSupplier.this) {
        sends++;
        punctuatedInTransaction |= punctuation;
        if (sends == plan.failSend) {
          failure = plan.sendError.get();
          fired.add("send " + sends + " to " + record.topic() + " failed: " + failure);
        } else if (punctuation && ++punctuationSends == plan.failPunctuationSend) {
          failure = plan.punctuationSendError.get();
          fired.add("send in a punctuation to " + record.topic() + " failed: " + failure);
        }
      }
      if (failure == null) {
        return real.send(record, callback);
      }
      // As the producer does for an error it knows at once: the callback, then a failed future.
      if (callback != null) {
        callback.onCompletion(null, failure);
      }
      return CompletableFuture.failedFuture(failure);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
      return send(record, null);
    }

    @Override
    public void commitTransaction() {
      if (pendingCommit) {
        pendingCommit = false;
        real.commitTransaction();
        return;
      }
      RuntimeException aborted = null;
      boolean timedOut = false;
      synchronized (FaultyClientSupplier.this) {
        commits++;
        if (commits == plan.abortCommit) {
          aborted = plan.abortError.get();
          fired.add("commit " + commits + " aborted: " + aborted);
        } else if (commits == plan.timeOutCommit) {
          timedOut = true;
          fired.add("commit " + commits + " timed out");
        } else if (punctuatedInTransaction
            && ++commitsAfterPunctuation == plan.abortPunctuationCommit) {
          aborted = plan.punctuationAbortError.get();
          fired.add("commit " + commits + " of a punctuation's output aborted: " + aborted);
        }
      }
      if (timedOut) {
        pendingCommit = true;
        throw new TimeoutException("injected: commitTransaction timed out");
      }
      punctuatedInTransaction = false;
      if (aborted == null) {
        real.commitTransaction();
        return;
      }
      real.abortTransaction();
      // Kafka Streams still believes its transaction open, and aborts it: an empty one.
      real.beginTransaction();
      throw aborted;
    }

    /** As Kafka's producer after a commit timed out: only the commit may be called again. */
    private void failIfCommitPending(String operation) {
      if (pendingCommit) {
        throw new IllegalStateException(
            "Cannot attempt operation `"
                + operation
                + "` because the previous call to `commitTransaction` timed out and must be"
                + " retried");
      }
    }

    @Override
    public void abortTransaction() {
      failIfCommitPending("abortTransaction");
      punctuatedInTransaction = false;
      real.abortTransaction();
    }

    @Override
    public void initTransactions() {
      real.initTransactions();
    }

    @Override
    public void beginTransaction() {
      failIfCommitPending("beginTransaction");
      real.beginTransaction();
    }

    @Override
    public void sendOffsetsToTransaction(
        Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata groupMetadata) {
      failIfCommitPending("sendOffsetsToTransaction");
      real.sendOffsetsToTransaction(offsets, groupMetadata);
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
      real.registerMetricForSubscription(metric);
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
      real.unregisterMetricFromSubscription(metric);
    }

    @Override
    public void flush() {
      real.flush();
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
      return real.partitionsFor(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
      return real.metrics();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
      return real.clientInstanceId(timeout);
    }

    @Override
    public void close() {
      real.close();
    }

    @Override
    public void close(Duration timeout) {
      real.close(timeout);
    }
  }
}
