package io.biometer.bench;

import io.biometer.avro.ChannelValue;
import io.biometer.avro.CleanReading;
import io.biometer.avro.Provenance;
import io.questdb.client.Sender;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** One row of a clean reading as the QuestDB sink writes it, already decoded. */
record IlpRow(
    String deviceId,
    String ownerId,
    String sensorType,
    String relayKind,
    String channel,
    long sequence,
    double batteryPercent,
    String relayId,
    long relayedAtMicros,
    boolean spooled,
    long validatedAtMicros,
    double value,
    long tsMicros) {

  static IlpRow of(CleanReading r, ChannelValue v) {
    Provenance p = r.getProvenance();
    return new IlpRow(
        r.getDeviceId(),
        r.getOwnerId(),
        r.getSensorType().name(),
        p.getRelayKind().name(),
        v.getChannel(),
        r.getSequence(),
        r.getBatteryPercent(),
        p.getRelayId(),
        p.getRelayedAt().toEpochMilli() * 1000L,
        p.getSpooled(),
        r.getValidatedAt().toEpochMilli() * 1000L,
        v.getValue(),
        r.getEventTime().toEpochMilli() * 1000L);
  }

  static void addRows(CleanReading r, List<IlpRow> into) {
    for (ChannelValue v : r.getValues()) {
      into.add(of(r, v));
    }
  }

  void write(Sender s, String table) {
    s.table(table)
        .symbol("device_id", deviceId)
        .symbol("owner_id", ownerId)
        .symbol("sensor_type", sensorType)
        .symbol("relay_kind", relayKind)
        .symbol("channel", channel)
        .longColumn("sequence", sequence)
        .doubleColumn("battery_percent", batteryPercent)
        .stringColumn("relay_id", relayId)
        .timestampColumn("relayed_at", relayedAtMicros, ChronoUnit.MICROS)
        .boolColumn("spooled", spooled)
        .timestampColumn("validated_at", validatedAtMicros, ChronoUnit.MICROS)
        .doubleColumn("value", value)
        .at(tsMicros, ChronoUnit.MICROS);
  }

  /**
   * Writes the rows of {@code r} as the sink does: the symbols first, then the other columns in
   * field order, the event time as the designated timestamp. Returns the number of rows.
   */
  static int write(Sender s, String table, CleanReading r) {
    List<ChannelValue> values = r.getValues();
    for (ChannelValue v : values) {
      of(r, v).write(s, table);
    }
    return values.size();
  }
}
