package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.Topics;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.DailyAggregate;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.MeterReading;
import io.biometer.avro.Provenance;
import io.biometer.avro.RelayKind;
import io.biometer.avro.SensorType;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DailyAggregationTopologyTest {

  private static final long HOUR = 3_600_000L;

  private static Driver driver(String zone, long graceMs, Instant wall) {
    return new Driver(
            Map.of(
                StreamsAppConfig.AGGREGATION_ZONE_CONFIG, zone,
                StreamsAppConfig.AGGREGATION_GRACE_MS_CONFIG, graceMs,
                // Readings in these tests are from long ago: none of them is in the future.
                StreamsAppConfig.MAX_FUTURE_SKEW_MS_CONFIG, Duration.ofDays(4000).toMillis()))
        .register("temp-1", SensorType.BODY_TEMPERATURE);
  }

  private static void temp(Driver d, long seq, Instant at, double v) {
    d.send(Driver.reading("temp-1", SensorType.BODY_TEMPERATURE, seq, at, "s", v));
  }

  @Test
  void aUtcDayIsEmittedOnceFinalWhenStreamTimePassesItsEndPlusGrace() {
    try (Driver d = driver("UTC", 2 * HOUR, Driver.WALL)) {
      Instant day = Instant.parse("2026-11-18T00:00:00Z");
      temp(d, 0, day.plus(Duration.ofHours(1)), 36.0);
      temp(d, 1, day.plus(Duration.ofHours(12)), 37.0);
      temp(d, 2, day.plus(Duration.ofHours(23)), 38.0);
      temp(d, 3, day.plus(Duration.ofHours(25)), 36.5);
      assertThat(d.aggregates.isEmpty()).as("grace not over yet").isTrue();
      temp(d, 4, day.plus(Duration.ofHours(26)), 36.5);
      List<DailyAggregate> out = d.aggregates.readValuesToList();
      assertThat(out).hasSize(1);
      assertThat(out.get(0))
          .isEqualTo(
              DailyAggregate.newBuilder()
                  .setDeviceId("temp-1")
                  .setOwnerId("patient-1")
                  .setSensorType(SensorType.BODY_TEMPERATURE)
                  .setChannel("body_temperature")
                  .setDay(LocalDate.parse("2026-11-18"))
                  .setZone("UTC")
                  .setWindowStart(day)
                  .setWindowEnd(day.plus(Duration.ofDays(1)))
                  .setCount(3)
                  .setMin(36.0)
                  .setMax(38.0)
                  .setMean(37.0)
                  .setFirstEventTime(day.plus(Duration.ofHours(1)))
                  .setLastEventTime(day.plus(Duration.ofHours(23)))
                  .setIsFinal(true)
                  .build());
    }
  }

  @Test
  void outputKeyIsDeviceChannelDaySoAStoreUpserts() {
    try (Driver d = driver("UTC", 0, Driver.WALL)) {
      Instant day = Instant.parse("2026-11-18T10:00:00Z");
      temp(d, 0, day, 36.0);
      temp(d, 1, day.plus(Duration.ofDays(1)), 36.0);
      assertThat(d.aggregates.readKeyValuesToList())
          .extracting(kv -> kv.key)
          .containsExactly("temp-1|body_temperature|2026-11-18");
    }
  }

  @Test
  void springForwardDayHas23HoursInBerlin() {
    try (Driver d = driver("Europe/Berlin", 0, Driver.WALL)) {
      // 2026-03-29 in Berlin: 00:00 CET = 23:00Z the day before; ends 00:00 CEST = 22:00Z.
      Instant start = Instant.parse("2026-03-28T23:00:00Z");
      Instant end = Instant.parse("2026-03-29T22:00:00Z");
      temp(d, 0, start, 36.0);
      temp(d, 1, end.minusMillis(1), 37.0);
      temp(d, 2, end, 36.5);
      DailyAggregate a = d.aggregates.readValue();
      assertThat(a.getDay()).isEqualTo(LocalDate.parse("2026-03-29"));
      assertThat(a.getWindowStart()).isEqualTo(start);
      assertThat(a.getWindowEnd()).isEqualTo(end);
      assertThat(Duration.between(a.getWindowStart(), a.getWindowEnd()))
          .isEqualTo(Duration.ofHours(23));
      assertThat(a.getCount()).isEqualTo(2);
      assertThat(a.getZone()).isEqualTo("Europe/Berlin");
    }
  }

  @Test
  void fallBackDayHas25HoursInBerlin() {
    try (Driver d = driver("Europe/Berlin", 0, Driver.WALL)) {
      // 2026-10-25 in Berlin: starts 22:00Z the day before (CEST), ends 23:00Z (CET).
      Instant start = Instant.parse("2026-10-24T22:00:00Z");
      Instant end = Instant.parse("2026-10-25T23:00:00Z");
      temp(d, 0, start.minusMillis(1), 35.5);
      temp(d, 1, start, 36.0);
      temp(d, 2, start.plus(Duration.ofHours(24)).plusMillis(1), 37.0);
      temp(d, 3, end, 36.5);
      List<DailyAggregate> out = d.aggregates.readValuesToList();
      DailyAggregate a =
          out.stream()
              .filter(x -> x.getDay().equals(LocalDate.parse("2026-10-25")))
              .findFirst()
              .orElseThrow();
      assertThat(Duration.between(a.getWindowStart(), a.getWindowEnd()))
          .isEqualTo(Duration.ofHours(25));
      assertThat(a.getCount()).as("the 25th hour belongs to the day").isEqualTo(2);
      assertThat(a.getMax()).isEqualTo(37.0);
    }
  }

  @Test
  void aMeterBatchADayLateIsAggregatedWithinGrace() {
    try (Driver d = driver("UTC", 36 * HOUR, Driver.WALL)) {
      d.register("meter-1", SensorType.SOIL_METER, DeviceKind.SOIL_METER, "site-1", 900_000L);
      Instant yesterday = Instant.parse("2026-11-19T00:00:00Z");
      temp(d, 0, Driver.WALL.minusSeconds(10), 36.6);
      for (int i = 0; i < 4; i++) {
        d.send(meter(i, yesterday.plus(Duration.ofHours(6L * i)), 10 + i));
      }
      assertThat(d.dlq.isEmpty()).isTrue();
      temp(d, 1, Instant.parse("2026-11-21T12:00:01Z"), 36.6);
      DailyAggregate soil =
          d.aggregates.readValuesToList().stream()
              .filter(a -> a.getChannel().equals("soil_temperature"))
              .findFirst()
              .orElseThrow();
      assertThat(soil.getCount()).isEqualTo(4);
      assertThat(soil.getMean()).isEqualTo(11.5);
    }
  }

  @Test
  void aReadingLaterThanTheGraceGoesToTheDlqAsTooLate() {
    try (Driver d = driver("UTC", HOUR, Driver.WALL)) {
      temp(d, 0, Instant.parse("2026-11-20T11:00:00Z"), 36.6);
      temp(d, 1, Instant.parse("2026-11-19T10:00:00Z"), 36.6);
      var r = d.dlq.readRecord();
      assertThat(DlqHeaders.value(r.headers(), DlqHeaders.REASON)).isEqualTo("too-late");
      assertThat(DlqHeaders.value(r.headers(), DlqHeaders.EXCEPTION_MESSAGE))
          .contains("2026-11-19");
      // The original bytes, although Kafka Streams freed them when the clean reading was sent.
      assertThat(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("temp-1");
      assertThat(d.serdes.body.deserializer().deserialize(Topics.BODY_READINGS, r.value()))
          .isEqualTo(
              Driver.reading(
                  "temp-1",
                  SensorType.BODY_TEMPERATURE,
                  1,
                  Instant.parse("2026-11-19T10:00:00Z"),
                  "s",
                  36.6));
    }
  }

  @Test
  void aReadingFromTheFutureGoesToTheDlqWithoutClosingTheDaysOfEveryoneElse() {
    try (Driver d =
        new Driver(Map.of(StreamsAppConfig.AGGREGATION_GRACE_MS_CONFIG, HOUR))
            .register("temp-1", SensorType.BODY_TEMPERATURE)) {
      Instant today = Driver.WALL.minus(Duration.ofHours(3));
      temp(d, 0, today, 36.6);
      // Two days ahead: rejected, and its event time must not become stream time.
      temp(d, 1, Instant.now().plus(Duration.ofDays(2)), 36.6);
      temp(d, 2, today.plus(Duration.ofMinutes(1)), 36.8);
      assertThat(d.dlq.readRecordsToList())
          .extracting(r -> DlqHeaders.value(r.headers(), DlqHeaders.REASON))
          .containsExactly("future-event-time");
      assertThat(d.aggregates.isEmpty()).as("no day closed").isTrue();
    }
  }

  @Test
  void aTombstoneStampedAtArrivalDoesNotCloseTheDaysAReplayIsFilling() {
    try (Driver d = driver("UTC", HOUR, Driver.WALL)) {
      temp(d, 0, Instant.parse("2026-11-19T10:00:00Z"), 36.6);
      // Stamped at arrival (the wall clock, a day later): it must not become stream time.
      d.rawBody.pipeInput(
          new org.apache.kafka.streams.test.TestRecord<>("temp-1", (byte[]) null, Driver.WALL));
      temp(d, 1, Instant.parse("2026-11-19T11:00:00Z"), 36.8);
      assertThat(d.dlq.readRecordsToList())
          .extracting(r -> DlqHeaders.value(r.headers(), DlqHeaders.REASON))
          .containsExactly("empty-value");
      assertThat(d.aggregates.isEmpty()).as("no day closed").isTrue();
    }
  }

  @Test
  void runningUpdatesAreEmittedOnTheWallClockAndMarkedNotFinal() {
    try (Driver d =
        new Driver(Map.of(StreamsAppConfig.AGGREGATION_UPDATE_INTERVAL_MS_CONFIG, 30_000L))
            .register("temp-1", SensorType.BODY_TEMPERATURE)) {
      temp(d, 0, Driver.WALL.minusSeconds(5), 36.6);
      temp(d, 1, Driver.WALL.minusSeconds(4), 37.0);
      d.advanceWallClock(Duration.ofSeconds(31));
      List<DailyAggregate> out = d.aggregates.readValuesToList();
      assertThat(out).hasSize(1);
      assertThat(out.get(0).getIsFinal()).isFalse();
      assertThat(out.get(0).getCount()).isEqualTo(2);
      d.advanceWallClock(Duration.ofSeconds(31));
      assertThat(d.aggregates.isEmpty()).as("nothing changed, nothing emitted").isTrue();
    }
  }

  private static MeterReading meter(long seq, Instant at, double temp) {
    return MeterReading.newBuilder()
        .setDeviceId("meter-1")
        .setSiteId("site-1")
        .setSequence(seq)
        .setEventTime(at)
        .setValues(
            List.of(
                new ChannelValue("soil_temperature", temp),
                new ChannelValue("soil_humidity", 30.0)))
        .setBatteryPercent(80f)
        .setProvenance(
            new Provenance(RelayKind.UPLOAD_BATCH, "meter-1/2026-11-19", Driver.WALL, false))
        .build();
  }
}
