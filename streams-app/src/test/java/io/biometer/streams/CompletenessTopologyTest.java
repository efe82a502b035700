package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.avro.DataCompleteness;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.SensorType;
import io.biometer.streams.internal.LedgerEntry;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

/** The loss ledger, on the real topology: every column from what the pipeline did. */
class CompletenessTopologyTest {

  private static final Instant DAY = Instant.parse("2026-11-18T00:00:00Z");

  private static Driver driver() {
    return new Driver(
            Map.of(
                StreamsAppConfig.AGGREGATION_GRACE_MS_CONFIG, Duration.ofHours(2).toMillis(),
                StreamsAppConfig.COMPLETENESS_UPDATE_INTERVAL_MS_CONFIG, 1000L,
                StreamsAppConfig.MAX_FUTURE_SKEW_MS_CONFIG, Duration.ofDays(4000).toMillis()))
        .register(
            "temp-1", SensorType.BODY_TEMPERATURE, DeviceKind.BODY_SENSOR, "patient-1", 60_000L);
  }

  private static void temp(Driver d, long seq, Instant at, String sink, double v) {
    d.send(Driver.reading("temp-1", SensorType.BODY_TEMPERATURE, seq, at, sink, v));
  }

  /** The latest row per key, as a store upserting on the key holds it. */
  private static Map<String, DataCompleteness> rows(Driver d) {
    Map<String, DataCompleteness> rows = new LinkedHashMap<>();
    for (KeyValue<String, DataCompleteness> kv : d.completeness.readKeyValuesToList()) {
      rows.put(kv.key, kv.value);
    }
    return rows;
  }

  @Test
  void countsReceivedCopiesGapsLateAndRejectedPerDeviceAndDay() {
    try (Driver d = driver()) {
      for (long seq = 0; seq < 10; seq++) {
        if (seq == 4) {
          continue; // never sent: a gap
        }
        Instant at = DAY.plus(Duration.ofMinutes(seq));
        temp(d, seq, at, "sink-a", 36.6);
        temp(d, seq, at, "sink-b", 36.6); // the second sink's copy
      }
      temp(d, 10, DAY.plus(Duration.ofMinutes(10)), "sink-a", 99.0); // impossible: DLQ
      d.advanceWallClock(Duration.ofSeconds(2));
      DataCompleteness row = rows(d).get("temp-1|2026-11-18");
      assertThat(row).isNotNull();
      assertThat(row.getCadenceMillis()).isEqualTo(60_000L);
      assertThat(row.getExpected()).as("minute 0 to 9 at one a minute").isEqualTo(10);
      assertThat(row.getReceived()).isEqualTo(9);
      assertThat(row.getFirstSequence()).isEqualTo(0);
      assertThat(row.getLastSequence()).isEqualTo(9);
      assertThat(row.getGaps()).isEqualTo(1);
      assertThat(row.getDuplicates()).isEqualTo(9);
      assertThat(row.getLate()).as("readings of a past day").isEqualTo(9);
      assertThat(row.getDlq()).isEqualTo(1);
      assertThat(row.getTooLate()).isZero();
      assertThat(row.getIsFinal()).isFalse();
      assertThat(row.getOwnerId()).isEqualTo("patient-1");
      assertThat(row.getSensorType()).isEqualTo(SensorType.BODY_TEMPERATURE);
      assertThat(row.getDay()).isEqualTo(LocalDate.parse("2026-11-18"));
      assertThat(row.getFirstEventTime()).isEqualTo(DAY);
      assertThat(row.getLastEventTime()).isEqualTo(DAY.plus(Duration.ofMinutes(9)));
    }
  }

  @Test
  void aDayIsFinalOnceItsAggregateClosesAndATooLateReadingStillCounts() {
    try (Driver d = driver()) {
      temp(d, 0, DAY.plus(Duration.ofHours(1)), "sink-a", 36.6);
      // Stream time passes the day's end plus the grace: the day closes.
      temp(d, 1, DAY.plus(Duration.ofHours(27)), "sink-a", 36.6);
      DataCompleteness closed = rows(d).get("temp-1|2026-11-18");
      assertThat(closed).isNotNull();
      assertThat(closed.getIsFinal()).isTrue();
      assertThat(closed.getReceived()).isEqualTo(1);
      // A reading of the closed day: too late for the aggregate, still in the ledger.
      temp(d, 2, DAY.plus(Duration.ofHours(2)), "sink-a", 36.6);
      assertThat(d.dlq.readRecordsToList()).hasSize(1);
      d.advanceWallClock(Duration.ofSeconds(2));
      DataCompleteness row = rows(d).get("temp-1|2026-11-18");
      assertThat(row.getTooLate()).isEqualTo(1);
      assertThat(row.getDlq()).isEqualTo(1);
      assertThat(row.getReceived()).as("it landed in readings all the same").isEqualTo(2);
      assertThat(row.getIsFinal()).isTrue();
    }
  }

  @Test
  void anUndecodableRecordCountsUnderItsKeyOnTheDayItWasRejected() {
    try (Driver d = driver()) {
      d.rawBody.pipeInput("temp-1", new byte[] {0, 0, 0, 0, 9, 1, 2});
      d.advanceWallClock(Duration.ofSeconds(2));
      Map<String, DataCompleteness> rows = rows(d);
      List<String> keys = List.copyOf(rows.keySet());
      assertThat(keys).hasSize(1);
      DataCompleteness row = rows.get(keys.get(0));
      assertThat(row.getDeviceId()).isEqualTo("temp-1");
      assertThat(row.getDlq()).isEqualTo(1);
      assertThat(row.getReceived()).isZero();
      assertThat(row.getOwnerId()).isNull();
    }
  }

  @Test
  void aReadingFromYearTwelveThousandCountsOnTheDayItWasRejected() {
    try (Driver d = driver()) {
      temp(d, 0, Instant.parse("+12000-01-01T00:00:00Z"), "sink-a", 36.6);
      temp(d, 1, DAY, "sink-a", 36.6);
      d.advanceWallClock(Duration.ofSeconds(2));
      Map<String, DataCompleteness> rows = rows(d);
      assertThat(rows.values()).extracting(DataCompleteness::getDlq).containsOnly(0L, 1L);
      DataCompleteness rejected =
          rows.values().stream().filter(r -> r.getDlq() == 1).findFirst().orElseThrow();
      assertThat(rejected.getDay().getYear()).isLessThan(10_000);
      assertThat(rows.get("temp-1|2026-11-18").getReceived()).isEqualTo(1);
    }
  }

  @Test
  void aStoredEntryOfAnotherFormatIsRefusedNotMisread() {
    LedgerEntry e = new LedgerEntry();
    e.received = 3;
    byte[] stored = e.encode();
    assertThat(LedgerEntry.decode(stored, "s").received).isEqualTo(3);
    stored[0] = 3;
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> LedgerEntry.decode(stored, "s"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("format 3")
        .hasMessageContaining("reads format 1");
  }
}
