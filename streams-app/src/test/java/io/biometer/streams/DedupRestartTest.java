package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.avro.CleanReading;
import io.biometer.avro.SensorType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.InternalFixedKeyRecordFactory;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * Dedup keeps each device's block in use as an object, a copy of its store. A new processor over
 * the same store (a restart) must still drop the copies of what passed before it, and a processor
 * initialized again over a store restored to an earlier state must forget what the store lost.
 */
class DedupRestartTest {

  private static final String DEVICE = "spo2-1";
  private static final Instant T0 = Driver.WALL.minusSeconds(600);

  private final StreamsAppConfig config =
      new StreamsAppConfig(Map.of(StreamsAppConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://dedup"));
  private final MockProcessorContext<String, CleanReading> mock = new MockProcessorContext<>();
  private final List<Long> passed = new ArrayList<>();
  private final KeyValueStore<Bytes, byte[]> store =
      Stores.keyValueStoreBuilder(
              Stores.inMemoryKeyValueStore(Dedup.STORE), Serdes.Bytes(), Serdes.ByteArray())
          .withLoggingDisabled()
          .build();

  @SuppressWarnings("unchecked")
  private final FixedKeyProcessorContext<String, CleanReading> context =
      (FixedKeyProcessorContext<String, CleanReading>)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {FixedKeyProcessorContext.class},
              (proxy, method, args) -> {
                // MockProcessorContext has no fixed-key twin: forwards are captured here, the
                // rest (stores, clocks, schedule) is the mock's.
                if (method.getName().equals("forward")) {
                  passed.add(
                      ((FixedKeyRecord<String, CleanReading>) args[0]).value().getSequence());
                  return null;
                }
                try {
                  return MockProcessorContext.class
                      .getMethod(method.getName(), method.getParameterTypes())
                      .invoke(mock, args);
                } catch (InvocationTargetException e) {
                  throw e.getCause();
                }
              });

  DedupRestartTest() {
    mock.setCurrentSystemTimeMs(Driver.WALL.toEpochMilli());
    store.init(mock.getStateStoreContext(), store);
    mock.addStateStore(store);
  }

  private FixedKeyProcessor<String, CleanReading, CleanReading> start() {
    FixedKeyProcessor<String, CleanReading, CleanReading> p =
        Dedup.processor(config, PipelineMetrics.noop());
    p.init(context);
    return p;
  }

  private List<Long> send(
      FixedKeyProcessor<String, CleanReading, CleanReading> p, String sink, long... seqs) {
    passed.clear();
    for (long seq : seqs) {
      Instant at = T0.plusSeconds(seq);
      CleanReading r =
          NormalizedReadings.fromBody(
              Driver.reading(DEVICE, SensorType.BLOOD_OXYGEN, seq, at, sink, 97.0));
      p.process(InternalFixedKeyRecordFactory.create(new Record<>(DEVICE, r, at.toEpochMilli())));
    }
    return List.copyOf(passed);
  }

  @Test
  void copiesOfWhatPassedBeforeARestartAreDroppedAfterIt() {
    FixedKeyProcessor<String, CleanReading, CleanReading> first = start();
    assertThat(send(first, "sink-a", 14, 15, 16, 17)).containsExactly(14L, 15L, 16L, 17L);
    first.close();

    FixedKeyProcessor<String, CleanReading, CleanReading> second = start();
    assertThat(send(second, "sink-b", 17, 16, 15, 14)).as("all copies").isEmpty();
    assertThat(send(second, "sink-b", 18, 13)).as("new sequences, old blocks kept").hasSize(2);
    assertThat(send(second, "sink-a", 13, 14, 17, 18)).isEmpty();
  }

  @Test
  void initAgainOnTheSameProcessorForgetsWhatTheStoreLost() {
    FixedKeyProcessor<String, CleanReading, CleanReading> p = start();
    assertThat(send(p, "sink-a", 1)).containsExactly(1L);
    try (var it = store.all()) {
      it.forEachRemaining(kv -> store.delete(kv.key)); // as if restored to before sequence 1
    }
    p.init(context);
    assertThat(send(p, "sink-b", 1)).containsExactly(1L);
  }
}
