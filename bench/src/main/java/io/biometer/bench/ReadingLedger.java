package io.biometer.bench;

import io.biometer.devstack.LocalStack;
import io.biometer.serde.AvroDeserializer;
import io.biometer.serde.AvroSerdeConfig;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The (device, sequence) pairs of a topic, read from its start to its end: records, distinct
 * readings, readings seen twice, and the channel values of the distinct readings (the rows they
 * land as).
 */
final class ReadingLedger {
  private final Map<String, BitSet[]> seen = new HashMap<>(); // {once, twice}
  private long records;
  private long distinct;
  private long twice;
  private long rows;

  /** Adds one record of reading {@code sequence} of {@code device} with {@code channels}. */
  void add(String device, long sequence, int channels) {
    if (sequence < 0 || sequence > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "sequence " + sequence + " of " + device + " is outside what the check can hold");
    }
    BitSet[] b = seen.computeIfAbsent(device, d -> new BitSet[] {new BitSet(), new BitSet()});
    int s = (int) sequence;
    records++;
    if (!b[0].get(s)) {
      b[0].set(s);
      distinct++;
      rows += channels;
    } else if (!b[1].get(s)) {
      b[1].set(s);
      twice++;
    }
  }

  long records() {
    return records;
  }

  long distinct() {
    return distinct;
  }

  long twice() {
    return twice;
  }

  long rows() {
    return rows;
  }

  /** The distinct readings of this that {@code other} lacks. */
  long missingFrom(ReadingLedger other) {
    long n = 0;
    for (var e : seen.entrySet()) {
      BitSet[] o = other.seen.get(e.getKey());
      BitSet mine = (BitSet) e.getValue()[0].clone();
      if (o != null) {
        mine.andNot(o[0]);
      }
      n += mine.cardinality();
    }
    return n;
  }

  /** Reads {@code topic} from its start to its current end. */
  static <T extends org.apache.avro.specific.SpecificRecord> ReadingLedger read(
      LocalStack stack,
      String topic,
      Class<T> type,
      String isolation,
      Function<T, String> device,
      ToLongFunction<T> sequence,
      ToIntFunction<T> channels)
      throws Exception {
    AvroDeserializer<T> d = new AvroDeserializer<>(type);
    d.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, stack.registryUrl()), false);
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    ReadingLedger t = new ReadingLedger();
    Deserializer<String> keys = new StringDeserializer();
    try (KafkaConsumer<String, T> k = new KafkaConsumer<>(c, keys, d)) {
      List<TopicPartition> parts =
          k.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      k.assign(parts);
      k.seekToBeginning(parts);
      // read_committed: the end is the last stable offset, where the app's open transaction
      // (if any) begins; it moves on with each commit.
      Map<TopicPartition, Long> ends = k.endOffsets(parts);
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (parts.stream().anyMatch(p -> k.position(p) < ends.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("reading " + topic + " took over 5 minutes");
        }
        for (var r : k.poll(Duration.ofMillis(200))) {
          T v = r.value();
          t.add(device.apply(v), sequence.applyAsLong(v), channels.applyAsInt(v));
        }
      }
    }
    return t;
  }
}
