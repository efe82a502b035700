package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.Topics;
import io.biometer.avro.Alert;
import io.biometer.avro.AlertKind;
import io.biometer.avro.AlertState;
import io.biometer.avro.BodyReading;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.CleanReading;
import io.biometer.avro.DailyAggregate;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.Provenance;
import io.biometer.avro.RelayKind;
import io.biometer.avro.SensorType;
import io.biometer.devstack.*;
import io.biometer.serde.AvroDeserializer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A known input for the exactly-once ITs, and what the outputs must be, derived from the input
 * alone (never from the code under test):
 *
 * <ul>
 *   <li>4 body-temperature and 4 blood-pressure sensors, registered before the app starts;
 *   <li>{@value #READINGS} readings each, 20 minutes apart from 30 days ago (a simulation's event
 *       times), over two calendar days, every reading relayed by two sinks;
 *   <li>three episodes per device, readings {@code [10, 15)}, {@code [40, 45)}, {@code [70, 75)},
 *       far outside the normal range (39.5 °C; 160/100 mmHg), the rest far inside it;
 *   <li>one closing reading per device two days later, which closes the first two days.
 * </ul>
 *
 * Every reading must reach {@code telemetry.readings.clean} exactly once; each value rule must
 * raise at an episode's first reading and clear at the first reading after it, three times; every
 * (device, channel, day) of the first two days must have exactly one final aggregate, equal to the
 * statistics of its clean readings; nothing may reach the DLQ.
 */
final class FaultWorkload {

  static final int READINGS = 96;
  static final List<String> TEMPS = List.of("temp-0", "temp-1", "temp-2", "temp-3");
  static final List<String> PRESSURES = List.of("bp-0", "bp-1", "bp-2", "bp-3");
  private static final int[] EPISODES = {10, 40, 70};
  private static final int EPISODE_LENGTH = 5;

  final Instant day = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(30));
  private final LocalStack stack;

  FaultWorkload(LocalStack stack) {
    this.stack = stack;
  }

  static List<String> devices() {
    List<String> all = new ArrayList<>(TEMPS);
    all.addAll(PRESSURES);
    return all;
  }

  /** Registers every device; a cadence of 1 s makes the silent-device punctuator busy too. */
  void register() throws Exception {
    try (KafkaProducer<String, SpecificRecord> p = Clients.producer(stack)) {
      for (String id : devices()) {
        p.send(
                new ProducerRecord<>(
                    Topics.DEVICES,
                    id,
                    Device.newBuilder()
                        .setDeviceId(id)
                        .setKind(DeviceKind.BODY_SENSOR)
                        .setSensorType(type(id))
                        .setOwnerId("patient-" + id)
                        .setCadenceMillis(1000L)
                        .setRegisteredAt(Instant.EPOCH)
                        .build()))
            .get();
      }
    }
  }

  /** Readings {@code [from, to)} of every device, each sent by sink A and by sink B. */
  void produce(int from, int to) throws Exception {
    try (KafkaProducer<String, SpecificRecord> p = Clients.producer(stack)) {
      for (int seq = from; seq < to; seq++) {
        for (String id : devices()) {
          for (String sink : List.of("sink-a", "sink-b")) {
            p.send(new ProducerRecord<>(Topics.BODY_READINGS, id, reading(id, seq, sink)));
          }
        }
      }
      p.flush();
    }
  }

  /** One reading per device two days after the last, in its own day: it closes the first two. */
  void produceClosing() throws Exception {
    produce(READINGS, READINGS + 1);
  }

  static SensorType type(String id) {
    return id.startsWith("temp") ? SensorType.BODY_TEMPERATURE : SensorType.BLOOD_PRESSURE;
  }

  Instant eventTime(long seq) {
    return seq < READINGS
        ? day.plus(Duration.ofMinutes(20 * seq))
        : day.plus(Duration.ofDays(3)).plus(Duration.ofHours(13));
  }

  static boolean abnormal(long seq) {
    for (int start : EPISODES) {
      if (seq >= start && seq < start + EPISODE_LENGTH) {
        return true;
      }
    }
    return false;
  }

  static List<ChannelValue> values(String id, long seq) {
    boolean bad = abnormal(seq);
    if (type(id) == SensorType.BODY_TEMPERATURE) {
      return List.of(new ChannelValue("body_temperature", bad ? 39.5 : 36.8));
    }
    return List.of(
        new ChannelValue("systolic", bad ? 160.0 : 120.0),
        new ChannelValue("diastolic", bad ? 100.0 : 80.0));
  }

  private BodyReading reading(String id, long seq, String sink) {
    Instant t = eventTime(seq);
    return BodyReading.newBuilder()
        .setDeviceId(id)
        .setPatientId("patient-" + id)
        .setSensorType(type(id))
        .setSequence(seq)
        .setEventTime(t)
        .setValues(values(id, seq))
        .setBatteryPercent(90f)
        .setProvenance(new Provenance(RelayKind.SINK, sink, t, false))
        .build();
  }

  /** The final aggregates expected: one per device, channel and day of the first two days. */
  int expectedFinals() {
    int channels = TEMPS.size() + 2 * PRESSURES.size();
    return 2 * channels;
  }

  /** Everything committed to the output topics so far, read with read_committed. */
  final class Outputs implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    final List<CleanReading> clean = new ArrayList<>();
    final List<Alert> alerts = new ArrayList<>();
    final List<DailyAggregate> aggregates = new ArrayList<>();
    final List<ConsumerRecord<byte[], byte[]>> dlq = new ArrayList<>();
    private final AvroDeserializer<CleanReading> cleanSerde = deserializer(CleanReading.class);
    private final AvroDeserializer<Alert> alertSerde = deserializer(Alert.class);
    private final AvroDeserializer<DailyAggregate> aggregateSerde =
        deserializer(DailyAggregate.class);

    Outputs() {
      consumer =
          new KafkaConsumer<>(
              Map.of(
                  ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  stack.bootstrapServers(),
                  ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                  "read_committed"),
              new ByteArrayDeserializer(),
              new ByteArrayDeserializer());
      List<TopicPartition> tps = new ArrayList<>();
      for (String t :
          List.of(Topics.READINGS_CLEAN, Topics.ALERTS, Topics.AGGREGATES_DAILY, Topics.DLQ)) {
        consumer.partitionsFor(t).forEach(p -> tps.add(new TopicPartition(t, p.partition())));
      }
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
    }

    private <T extends SpecificRecord> AvroDeserializer<T> deserializer(Class<T> type) {
      AvroDeserializer<T> d = new AvroDeserializer<>(type);
      d.configure(Clients.serdeConfig(stack), false);
      return d;
    }

    /** Reads what has arrived since the last call. */
    Outputs poll() {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        switch (r.topic()) {
          case Topics.READINGS_CLEAN -> clean.add(cleanSerde.deserialize(r.topic(), r.value()));
          case Topics.ALERTS -> alerts.add(alertSerde.deserialize(r.topic(), r.value()));
          case Topics.AGGREGATES_DAILY ->
              aggregates.add(aggregateSerde.deserialize(r.topic(), r.value()));
          default -> dlq.add(r);
        }
      }
      return this;
    }

    /** Reads everything up to the end offsets of this moment (a fresh reader: all of it). */
    Outputs readToEnd() {
      Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
      Poll.until(
          Duration.ofSeconds(60),
          "the output topics read to their end",
          () ->
              poll().consumer.assignment().stream()
                  .allMatch(tp -> consumer.position(tp) >= end.get(tp)));
      return this;
    }

    long finals() {
      return aggregates.stream().filter(DailyAggregate::getIsFinal).count();
    }

    /** Every output as the input says it must be. */
    void check() {
      assertThat(dlq).as("DLQ records (every input is valid)").isEmpty();
      checkClean();
      checkAlerts();
      checkAggregates();
    }

    private void checkClean() {
      Map<String, Integer> seen = new TreeMap<>();
      clean.forEach(r -> seen.merge(r.getDeviceId() + "#" + r.getSequence(), 1, Integer::sum));
      Map<String, Integer> expected = new TreeMap<>();
      for (String id : devices()) {
        for (int seq = 0; seq <= READINGS; seq++) {
          expected.put(id + "#" + seq, 1);
        }
      }
      assertThat(seen).as("clean readings per (device, sequence)").isEqualTo(expected);
    }

    private void checkAlerts() {
      Map<String, List<String>> perRule = new TreeMap<>();
      Map<String, List<AlertState>> silent = new TreeMap<>();
      for (Alert a : alerts) {
        String key = a.getDeviceId() + " " + a.getRule();
        if (a.getKind() == AlertKind.DEVICE_SILENT) {
          silent.computeIfAbsent(key, k -> new ArrayList<>()).add(a.getState());
        } else {
          perRule
              .computeIfAbsent(key, k -> new ArrayList<>())
              .add(a.getState() + "@" + a.getEventTime());
        }
      }
      Map<String, List<String>> expected = new TreeMap<>();
      for (String id : devices()) {
        List<String> channels =
            type(id) == SensorType.BODY_TEMPERATURE
                ? List.of("BODY_TEMPERATURE.body_temperature")
                : List.of("BLOOD_PRESSURE.systolic", "BLOOD_PRESSURE.diastolic");
        for (String c : channels) {
          List<String> transitions = new ArrayList<>();
          for (int start : EPISODES) {
            transitions.add(AlertState.RAISED + "@" + eventTime(start));
            transitions.add(AlertState.CLEARED + "@" + eventTime(start + EPISODE_LENGTH));
          }
          expected.put(id + " " + c + ".high", transitions);
        }
      }
      assertThat(perRule).as("value alerts per (device, rule)").isEqualTo(expected);
      // Silence depends on the wall clock: its count is not known, but it must alternate.
      silent.forEach(
          (key, states) -> {
            for (int i = 0; i < states.size(); i++) {
              assertThat(states.get(i))
                  .as("silent alert %d of %s in %s", i, key, states)
                  .isEqualTo(i % 2 == 0 ? AlertState.RAISED : AlertState.CLEARED);
            }
          });
    }

    private void checkAggregates() {
      Map<String, List<DailyAggregate>> finals = new TreeMap<>();
      for (DailyAggregate a : aggregates) {
        if (a.getIsFinal()) {
          finals
              .computeIfAbsent(
                  a.getDeviceId() + "|" + a.getChannel() + "|" + a.getDay(), k -> new ArrayList<>())
              .add(a);
        }
      }
      Map<String, String> observed = new TreeMap<>();
      finals.forEach(
          (key, list) -> {
            assertThat(list).as("final aggregates of %s", key).hasSize(1);
            observed.put(key, stats(list.get(0)));
          });
      assertThat(observed)
          .as("final aggregates against the clean readings")
          .isEqualTo(recomputed());
    }

    /** Per device|channel|day of the first two days, the statistics of its clean readings. */
    private Map<String, String> recomputed() {
      Map<String, List<double[]>> values = new LinkedHashMap<>();
      for (CleanReading r : clean) {
        LocalDate d = LocalDate.ofInstant(r.getEventTime(), ZoneOffset.UTC);
        if (!d.isBefore(LocalDate.ofInstant(eventTime(READINGS), ZoneOffset.UTC))) {
          continue; // the closing day stays open
        }
        for (ChannelValue v : r.getValues()) {
          values
              .computeIfAbsent(
                  r.getDeviceId() + "|" + v.getChannel() + "|" + d, k -> new ArrayList<>())
              .add(new double[] {v.getValue(), r.getEventTime().toEpochMilli()});
        }
      }
      Map<String, String> out = new TreeMap<>();
      values.forEach(
          (key, list) -> {
            double min = list.stream().mapToDouble(x -> x[0]).min().orElseThrow();
            double max = list.stream().mapToDouble(x -> x[0]).max().orElseThrow();
            double mean = list.stream().mapToDouble(x -> x[0]).average().orElseThrow();
            long first = (long) list.stream().mapToDouble(x -> x[1]).min().orElseThrow();
            long last = (long) list.stream().mapToDouble(x -> x[1]).max().orElseThrow();
            out.put(key, format(list.size(), min, max, mean, first, last));
          });
      return out;
    }

    private static String stats(DailyAggregate a) {
      return format(
          a.getCount(),
          a.getMin(),
          a.getMax(),
          a.getMean(),
          a.getFirstEventTime().toEpochMilli(),
          a.getLastEventTime().toEpochMilli());
    }

    private static String format(
        long count, double min, double max, double mean, long first, long last) {
      return String.format(
          java.util.Locale.ROOT,
          "count=%d min=%.6f max=%.6f mean=%.6f first=%s last=%s",
          count,
          min,
          max,
          mean,
          Instant.ofEpochMilli(first),
          Instant.ofEpochMilli(last));
    }

    @Override
    public void close() {
      consumer.close();
    }
  }
}
