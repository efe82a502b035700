package io.biometer.streams.alerting;

import io.biometer.avro.Alert;
import io.biometer.avro.AlertKind;
import io.biometer.avro.AlertState;
import io.biometer.avro.Severity;
import io.biometer.avro.SinkState;
import io.biometer.avro.SinkStatus;
import io.biometer.streams.PipelineMetrics;
import io.biometer.streams.StreamsAppConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * SINK_DOWN alerts from sink state changes: RAISED when a sink falls asleep or goes down, CLEARED
 * when it is up (or charging and relaying) again. One state per sink in a changelogged store. Input
 * keyed by sink id.
 */
public final class SinkAlerts {

  public static final String STEP = "sink-alerts";
  public static final String STORE = "sink-alert-store";

  /** The processor, named so other steps can follow it in the topology. */
  public static final String NODE = "sink-alerts";

  /** The {@code Alert.rule} id of SINK_DOWN alerts. */
  public static final String RULE = "sink.down";

  private SinkAlerts() {}

  public static KStream<String, Alert> apply(
      StreamsBuilder builder,
      KStream<String, SinkStatus> statuses,
      StreamsAppConfig config,
      PipelineMetrics metrics) {
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STORE), Serdes.String(), new SinkDownSerde(STORE))
            .withCachingEnabled());
    long lateAfter = config.lateAfterMs();
    return statuses.process(
        () -> new SinkAlertsProcessor(lateAfter, metrics), Named.as(NODE), STORE);
  }

  private static final class SinkAlertsProcessor
      implements Processor<String, SinkStatus, String, Alert> {
    private final long lateAfter;
    private final PipelineMetrics metrics;
    private final PipelineMetrics.StepMeters meters;
    private final PipelineMetrics.Latency latency;
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, Long> raised;

    SinkAlertsProcessor(long lateAfter, PipelineMetrics metrics) {
      this.lateAfter = lateAfter;
      this.metrics = metrics;
      this.meters = metrics.step(STEP);
      this.latency = metrics.latency("alert");
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
      this.context = context;
      this.raised = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, SinkStatus> record) {
      meters.in();
      SinkStatus s = record.value();
      if (s == null) {
        return;
      }
      boolean down = s.getState() == SinkState.SLEEPING || s.getState() == SinkState.DOWN;
      boolean wasDown = raised.get(s.getSinkId()) != null;
      if (down == wasDown) {
        return;
      }
      long now = context.currentSystemTimeMs();
      long t = s.getEventTime().toEpochMilli();
      AlertState state = down ? AlertState.RAISED : AlertState.CLEARED;
      if (down) {
        raised.put(s.getSinkId(), t);
      } else {
        raised.delete(s.getSinkId());
      }
      boolean late = now - t > lateAfter;
      Alert a =
          Alerts.of(AlertKind.SINK_DOWN, state, RULE)
              .about(s.getSinkId(), s.getPatientId(), null)
              .severity(Severity.MEDIUM)
              .value(null, (double) s.getBatteryPercent(), null)
              .at(t, now, late)
              .message(
                  "sink "
                      + s.getSinkId()
                      + " is "
                      + s.getState()
                      + (s.getReason() == null ? "" : " (" + s.getReason() + ")"))
              .build();
      metrics.alert(AlertKind.SINK_DOWN, state, late);
      latency.record(now - t);
      meters.out();
      context.forward(new Record<>(s.getSinkId(), a, t));
    }
  }
}
