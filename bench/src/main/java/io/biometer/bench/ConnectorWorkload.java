package io.biometer.bench;

import io.biometer.Topics;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.CleanReading;
import io.biometer.avro.Provenance;
import io.biometer.avro.RelayKind;
import io.biometer.avro.SensorType;
import io.biometer.devstack.LocalStack;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What the connector bench feeds the sink: a backlog of clean blood-pressure readings (two rows
 * each) for the throughput rounds, and live readings for the latency run.
 */
final class ConnectorWorkload {

  private ConnectorWorkload() {}

  /** The topic the backlog and the live readings go to: the sink's input. */
  static final String TOPIC = Topics.READINGS_CLEAN;

  /** The connector config key of the table the readings land in. */
  static final String TABLE_KEY = Landing.table(TOPIC);

  private static final int DEVICES = 1000;

  /** The latency run's readings numbers start here, above any backlog reading's sequence. */
  static final long LATENCY_SEQUENCE_BASE = 1_000_000_000L;

  /**
   * Produces the backlog, {@code readings} blood-pressure readings of 1,000 devices over the last
   * 50 minutes, and returns their rows pre-built in memory, as the sink writes them.
   */
  static List<IlpRow> backlog(LocalStack stack, int readings) {
    Instant base = Instant.now().minus(Duration.ofMinutes(50)).truncatedTo(ChronoUnit.MILLIS);
    List<IlpRow> prebuilt = new ArrayList<>(readings * 2);
    try (KafkaProducer<String, CleanReading> p = AvroProducers.create(stack, 10)) {
      for (int i = 0; i < readings; i++) {
        CleanReading r =
            reading(i % DEVICES, i / DEVICES, base.plusMillis(i * 2_400_000L / readings));
        p.send(new ProducerRecord<>(TOPIC, r.getDeviceId(), r));
        IlpRow.addRows(r, prebuilt);
      }
    }
    return prebuilt;
  }

  /** The live reading number {@code sent} of the latency run, measured at {@code t}. */
  static CleanReading live(long sent, Instant t) {
    return reading((int) (sent % DEVICES), LATENCY_SEQUENCE_BASE + sent, t);
  }

  /**
   * A blood-pressure reading with two channels, so two rows: device {@code device}, its {@code
   * sequence}, measured at {@code t}.
   */
  static CleanReading reading(int device, long sequence, Instant t) {
    return CleanReading.newBuilder()
        .setDeviceId(String.format("bench-%04d.blood_pressure", device))
        .setOwnerId(String.format("patient-%04d", device))
        .setSensorType(SensorType.BLOOD_PRESSURE)
        .setSequence(sequence)
        .setEventTime(t)
        .setValues(
            List.of(
                new ChannelValue("systolic", 110.0 + (sequence % 30)),
                new ChannelValue("diastolic", 70.0 + (sequence % 20))))
        .setBatteryPercent(90f)
        .setProvenance(new Provenance(RelayKind.SINK, "sink-a", t.plusMillis(40), false))
        .setValidatedAt(t.plusMillis(80))
        .build();
  }
}
