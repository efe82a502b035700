package io.biometer;

import java.util.List;

/**
 * The names of biometer's Kafka topics: the one place they are spelled.
 *
 * <p>Keys and values of each topic are described in the Avro schema named beside it; every value is
 * Avro in the Confluent wire format, every key a UTF-8 string.
 */
public final class Topics {

  /** Body-sensor readings relayed by sinks, {@code BodyReading} values, keyed by device id. */
  public static final String BODY_READINGS = "telemetry.body.readings";

  /**
   * Soil-meter samples from daily upload batches, {@code MeterReading} values, keyed by device id.
   */
  public static final String METER_READINGS = "telemetry.meter.readings";

  /** State changes of body sinks, {@code SinkStatus} values, keyed by sink id. */
  public static final String SINK_STATUS = "telemetry.sink.status";

  /**
   * The device registry, {@code Device} values, keyed by device id; compacted, tombstone = gone.
   */
  public static final String DEVICES = "telemetry.devices";

  /**
   * Device credentials of the ingress gateway ({@code DeviceCredential} values), keyed by {@code
   * <type>/<authId>}; compacted.
   */
  public static final String CREDENTIALS = "telemetry.credentials";

  /**
   * The ingress gateway's replay windows: per (principal, device) the highest sequence accepted and
   * a bitmap of the ones below it, keyed by {@code <principal>|<device>}; compacted, so a restarted
   * gateway does not accept a reading twice. A small versioned binary value, not Avro.
   */
  public static final String INGRESS_REPLAY = "telemetry.ingress.replay";

  /**
   * Commands for devices ({@code DeviceCommand}), keyed by device id; the ingress gateway delivers
   * each over the connection the device holds, within the access map.
   */
  public static final String COMMANDS = "telemetry.commands";

  /**
   * What became of each command ({@code CommandResponse}: DELIVERED, the device's OK or FAILED, or
   * EXPIRED, FORBIDDEN, UNKNOWN_DEVICE, MALFORMED), keyed by device id.
   */
  public static final String COMMAND_RESPONSES = "telemetry.command.responses";

  /**
   * The access map ({@code CommandGrant}): which devices a principal may command, keyed by the
   * principal; compacted, tombstone = no rights.
   */
  public static final String COMMAND_ACCESS = "telemetry.command.access";

  /**
   * Devices connecting to and disconnecting from the ingress gateway ({@code ConnectionEvent}),
   * keyed by device id; compacted, so the latest event is each device's connection state.
   */
  public static final String CONNECTIONS = "telemetry.connections";

  /** Validated, deduplicated readings, keyed by device id. */
  public static final String READINGS_CLEAN = "telemetry.readings.clean";

  /** Alert transitions ({@code Alert}: RAISED and CLEARED), keyed by device id. */
  public static final String ALERTS = "telemetry.alerts";

  /**
   * Per device, channel and day statistics ({@code DailyAggregate}), keyed by device|channel|day.
   */
  public static final String AGGREGATES_DAILY = "telemetry.aggregates.daily";

  /**
   * The loss ledger ({@code DataCompleteness}): per device and day, readings expected, received,
   * missing, copied, late and rejected; keyed by device|day.
   */
  public static final String COMPLETENESS_DAILY = "telemetry.completeness.daily";

  /** Rejected input: the original bytes, with headers naming the reason and the source. */
  public static final String DLQ = "telemetry.dlq";

  /**
   * Records the QuestDB sink could not land (undecodable, or refused by QuestDB): Kafka Connect's
   * dead letter queue, the original bytes with Connect's {@code __connect.errors.*} headers.
   */
  public static final String CONNECT_DLQ = "telemetry.connect.dlq";

  /** Every topic of the pipeline, in the order of the data flow. */
  public static final List<String> ALL =
      List.of(
          BODY_READINGS,
          METER_READINGS,
          SINK_STATUS,
          DEVICES,
          CREDENTIALS,
          INGRESS_REPLAY,
          COMMANDS,
          COMMAND_RESPONSES,
          COMMAND_ACCESS,
          CONNECTIONS,
          READINGS_CLEAN,
          ALERTS,
          AGGREGATES_DAILY,
          COMPLETENESS_DAILY,
          DLQ,
          CONNECT_DLQ);

  /** The dead letter queues: kept longer than the other topics. */
  public static final List<String> DEAD_LETTERS = List.of(DLQ, CONNECT_DLQ);

  /** The topics that are compacted (latest value per key) rather than deleted by age. */
  public static final List<String> COMPACTED =
      List.of(DEVICES, CREDENTIALS, INGRESS_REPLAY, COMMAND_ACCESS, CONNECTIONS);

  private Topics() {}
}
