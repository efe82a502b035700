package io.biometer.streams;

import io.biometer.avro.CleanReading;
import io.biometer.streams.internal.PipelineMetrics;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Passes the first copy of each (device id, sequence) within {@code dedup.horizon.ms} of event time
 * and drops the others (a second sink's copy, a spool replay, a re-uploaded batch), counting them
 * per relay. The seen pairs are in a changelogged window store whose retention is the horizon, so
 * the state is bounded and survives restarts. Input must be keyed by device id.
 */
public final class Dedup {

  public static final String STEP = "dedup";
  public static final String STORE = "dedup-store";

  private Dedup() {}

  public static KStream<String, CleanReading> apply(
      StreamsBuilder builder,
      KStream<String, CleanReading> readings,
      StreamsAppConfig config,
      PipelineMetrics metrics) {
    Duration horizon = Duration.ofMillis(config.dedupHorizonMs());
    builder.addStateStore(
        Stores.windowStoreBuilder(
            Stores.persistentWindowStore(STORE, horizon, horizon, false),
            Serdes.String(),
            Serdes.Long())
        // No caching: a cache would answer for pairs already past the horizon, and the keys
        // hardly ever repeat, so it would save nothing.
        );
    return readings.processValues(() -> new Step(metrics), Named.as("dedup-readings"), STORE);
  }

  private static final class Step implements FixedKeyProcessor<String, CleanReading, CleanReading> {
    private final PipelineMetrics metrics;
    private FixedKeyProcessorContext<String, CleanReading> context;
    private WindowStore<String, Long> seen;

    Step(PipelineMetrics metrics) {
      this.metrics = metrics;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, CleanReading> context) {
      this.context = context;
      this.seen = context.getStateStore(STORE);
    }

    @Override
    public void process(FixedKeyRecord<String, CleanReading> record) {
      metrics.in(STEP);
      CleanReading r = record.value();
      String key = r.getDeviceId() + "#" + r.getSequence();
      long t = r.getEventTime().toEpochMilli();
      // Every copy of a reading carries the reading's event time: a point lookup finds it.
      if (seen.fetch(key, t) != null) {
        metrics.duplicate(r.getProvenance().getRelayKind().name(), r.getProvenance().getRelayId());
        return;
      }
      seen.put(key, context.currentSystemTimeMs(), t);
      metrics.out(STEP);
      metrics.latency("clean", context.currentSystemTimeMs() - t);
      context.forward(record);
    }
  }
}
