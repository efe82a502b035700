package io.biometer.bench;

import io.biometer.Topics;
import io.biometer.avro.BodyReading;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.Provenance;
import io.biometer.avro.RelayKind;
import io.biometer.avro.SensorType;
import io.biometer.devstack.LocalStack;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What the streams bench feeds the app: 1,000 registered body-temperature devices, a backlog of
 * their readings for the throughput rounds, and live readings for the latency runs.
 */
final class StreamsWorkload {

  private StreamsWorkload() {}

  /** The bench's devices: {@code bench-0000.body_temperature} to {@code bench-0999...}. */
  static final int DEVICES = 1000;

  static void register(LocalStack stack) throws Exception {
    try (KafkaProducer<String, SpecificRecord> p =
        AvroProducers.<SpecificRecord>create(stack, 10)) {
      for (int i = 0; i < DEVICES; i++) {
        p.send(
            new ProducerRecord<>(
                Topics.DEVICES,
                id(i),
                Device.newBuilder()
                    .setDeviceId(id(i))
                    .setKind(DeviceKind.BODY_SENSOR)
                    .setSensorType(SensorType.BODY_TEMPERATURE)
                    .setOwnerId("patient-" + i)
                    .setRegisteredAt(Instant.EPOCH)
                    .build()));
      }
    }
  }

  /**
   * Produces the throughput rounds' input: {@code readings} readings of the devices over the last
   * 50 minutes, every tenth second of each device's readings a fever, each relayed by two sinks.
   */
  static void backlog(LocalStack stack, int readings) {
    Instant base = Instant.now().minus(Duration.ofMinutes(50));
    try (KafkaProducer<String, SpecificRecord> p = AvroProducers.create(stack, 10)) {
      for (int i = 0; i < readings; i++) {
        int device = i % DEVICES;
        long seq = i / DEVICES;
        Instant t = base.plusMillis(i * 2_400_000L / readings);
        double v = (seq / 20) % 2 == 0 ? 36.8 : 39.2;
        for (String sink : List.of("sink-a", "sink-b")) {
          p.send(
              new ProducerRecord<>(
                  Topics.BODY_READINGS,
                  null,
                  t.toEpochMilli(),
                  id(device),
                  reading(device, seq, t, v, sink)));
        }
      }
    }
  }

  /** The number of device {@code id(n)}, or -1 for another id. */
  static int deviceNumber(String deviceId) {
    if (!deviceId.startsWith("bench-") || deviceId.length() < 10) {
      return -1;
    }
    try {
      return Integer.parseInt(deviceId.substring(6, 10));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static String id(int device) {
    return String.format("bench-%04d.body_temperature", device);
  }

  static BodyReading reading(int device, long seq, Instant t, double v, String sink) {
    return BodyReading.newBuilder()
        .setDeviceId(id(device))
        .setPatientId("patient-" + device)
        .setSensorType(SensorType.BODY_TEMPERATURE)
        .setSequence(seq)
        .setEventTime(t)
        .setValues(List.of(new ChannelValue("body_temperature", v)))
        .setBatteryPercent(90f)
        .setProvenance(new Provenance(RelayKind.SINK, sink, t, false))
        .build();
  }
}
