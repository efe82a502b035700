package io.biometer.streams;

import io.biometer.Topics;
import io.biometer.avro.Alert;
import io.biometer.avro.CleanReading;
import io.biometer.avro.DailyAggregate;
import io.biometer.avro.DataCompleteness;
import io.biometer.streams.aggregation.DailyAggregation;
import io.biometer.streams.alerting.SilentDevices;
import io.biometer.streams.alerting.SinkAlerts;
import io.biometer.streams.alerting.ThresholdAlerts;
import io.biometer.streams.commands.AlertCommands;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The biometer topology, assembled from its steps:
 *
 * <pre>
 * body + meter readings -> validate -> dedup -+-> telemetry.readings.clean
 *                                             +-> silent devices (wall clock) -+-> telemetry.alerts
 *                                             +-> threshold alerts ------------+
 *                                             +-> daily aggregation -> telemetry.aggregates.daily
 * dedup (each reading, and the copies it drops) + telemetry.dlq -> loss ledger -> telemetry.completeness.daily
 * sink status -> sink alerts -> telemetry.alerts
 * the alerts (threshold, silent, sink) -> command rules -> telemetry.commands
 * telemetry.devices -> global table (the registry every step looks devices up in)
 * telemetry.connections -> global table (the gateway's connection state, for silent devices)
 * </pre>
 *
 * Validation holds a reading back until its device is registered (or the wait ends). Every rejected
 * record goes to telemetry.dlq through {@link DlqDeserializationHandler} and {@link
 * DlqProcessingHandler}. Every source, processor, store and sink is named, so {@code describe()} is
 * stable.
 */
public final class TelemetryTopology {

  public static final String DEVICES_STORE = "devices-store";
  public static final String CONNECTIONS_STORE = "connections-store";

  /** The command rules behind the two alerting steps of the readings. */
  public static final String ALERT_COMMANDS = "alert-commands";

  /** The command rules behind the sink alerts (another sub-topology: a node of its own). */
  public static final String SINK_ALERT_COMMANDS = "sink-alert-commands";

  private TelemetryTopology() {}

  public static Topology build(
      StreamsAppConfig config, TelemetrySerdes serdes, PipelineMetrics metrics) {
    StreamsBuilder builder = new StreamsBuilder();
    EventTimeExtractor eventTime = new EventTimeExtractor(config.maxFutureSkewMs());

    builder.globalTable(
        Topics.DEVICES,
        Consumed.with(Serdes.String(), serdes.device).withName("devices-source"),
        Materialized.as(DEVICES_STORE));

    // One source for both reading topics, decoded by topic into normalized readings: every record
    // saves a mapping and a merge node.
    KStream<String, ReceivedReading> readings =
        builder.stream(
            List.of(Topics.BODY_READINGS, Topics.METER_READINGS),
            Consumed.with(Serdes.String(), serdes.reading)
                .withTimestampExtractor(eventTime)
                .withName("readings-source"));

    KStream<String, CleanReading> valid =
        Validation.apply(
            builder, readings, config, metrics, DEVICES_STORE, serdes.reading.deserializer());
    KStream<String, CleanReading> clean = Dedup.apply(builder, valid, config, metrics);
    clean.to(
        Topics.READINGS_CLEAN,
        Produced.with(Serdes.String(), serdes.clean).withName("clean-readings-sink"));

    // Silent devices first: a returning device's DEVICE_SILENT CLEARED precedes the threshold
    // alerts of the same reading, as when one processor did both.
    SilentDevices.apply(builder, clean, config, metrics, DEVICES_STORE, CONNECTIONS_STORE);
    ThresholdAlerts.apply(builder, clean, config, metrics, DEVICES_STORE);

    KStream<String, DailyAggregate> aggregates =
        DailyAggregation.apply(builder, clean, config, metrics);
    aggregates.to(
        Topics.AGGREGATES_DAILY,
        Produced.with(Serdes.String(), serdes.aggregate).withName("aggregates-sink"));

    KStream<String, DataCompleteness> ledger =
        Completeness.apply(
            builder, clean, config, metrics, DEVICES_STORE, serdes.reading.deserializer());
    ledger.to(
        Topics.COMPLETENESS_DAILY,
        Produced.with(Serdes.String(), serdes.completeness).withName("completeness-sink"));

    KStream<String, Alert> sinkAlerts =
        SinkAlerts.apply(
            builder,
            builder.stream(
                Topics.SINK_STATUS,
                Consumed.with(Serdes.String(), serdes.sinkStatus)
                    .withTimestampExtractor(eventTime)
                    .withName("sink-status-source")),
            config,
            metrics);
    sinkAlerts.to(
        Topics.ALERTS, Produced.with(Serdes.String(), serdes.alert).withName("sink-alerts-sink"));
    // Compacted, so the table holds each device's latest connection event. Defined after the
    // other sources, so the existing sub-topologies (and the task ids and state directories named
    // after them) keep their numbers.
    builder.globalTable(
        Topics.CONNECTIONS,
        Consumed.with(Serdes.String(), serdes.connection).withName("connections-source"),
        Materialized.as(CONNECTIONS_STORE));
    Topology topology = builder.build();
    // One sink for both alerting steps (the DSL would add a sink or a merge node per stream).
    topology.addSink(
        "alerts-sink",
        Topics.ALERTS,
        Serdes.String().serializer(),
        serdes.alert.serializer(),
        SilentDevices.NODE,
        ThresholdAlerts.NODE);
    AlertCommands.apply(
        topology,
        ALERT_COMMANDS,
        config.commandRules(),
        serdes.command.serializer(),
        metrics,
        SilentDevices.NODE,
        ThresholdAlerts.NODE);
    AlertCommands.apply(
        topology,
        SINK_ALERT_COMMANDS,
        config.commandRules(),
        serdes.command.serializer(),
        metrics,
        SinkAlerts.NODE);
    return topology;
  }
}
