package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.avro.BodyReading;
import io.biometer.avro.CleanReading;
import io.biometer.avro.SensorType;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DedupTopologyTest {

  private final Driver d = new Driver().register("spo2-1", SensorType.BLOOD_OXYGEN);
  private final Instant t = Driver.WALL.minusSeconds(30);

  @AfterEach
  void close() {
    d.close();
  }

  @Test
  void aReadingRelayedByBothSinksIsCleanOnceWithTheWinnersProvenance() {
    d.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, 7, t, "patient-1.sink-b", 97.0));
    d.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, 7, t, "patient-1.sink-a", 97.0));
    List<CleanReading> out = d.clean.readValuesToList();
    assertThat(out).hasSize(1);
    assertThat(out.get(0).getSequence()).isEqualTo(7);
    assertThat(out.get(0).getProvenance().getRelayId()).isEqualTo("patient-1.sink-b");
    assertThat(d.metrics.count("biometer.duplicates.dropped", "relay", "patient-1.sink-a"))
        .isEqualTo(1);
    assertThat(d.metrics.count("biometer.duplicates.dropped", "relay", "patient-1.sink-b"))
        .isZero();
  }

  @Test
  void aSpoolReplayMuchLaterIsDropped() {
    for (int seq = 0; seq < 5; seq++) {
      d.send(
          Driver.reading(
              "spo2-1",
              SensorType.BLOOD_OXYGEN,
              seq,
              t.plusSeconds(seq),
              "patient-1.sink-a",
              97.0));
    }
    // Later readings move stream time on; then the sink replays its spool.
    d.send(
        Driver.reading(
            "spo2-1", SensorType.BLOOD_OXYGEN, 100, t.plusSeconds(20), "patient-1.sink-a", 97.0));
    for (int seq = 0; seq < 5; seq++) {
      BodyReading replay =
          Driver.reading(
              "spo2-1", SensorType.BLOOD_OXYGEN, seq, t.plusSeconds(seq), "patient-1.sink-a", 97.0);
      replay.getProvenance().setSpooled(true);
      d.send(replay);
    }
    assertThat(d.clean.readValuesToList())
        .extracting(CleanReading::getSequence)
        .containsExactly(0L, 1L, 2L, 3L, 4L, 100L);
    assertThat(d.metrics.count("biometer.duplicates.dropped", "relay", "patient-1.sink-a"))
        .isEqualTo(5);
  }

  @Test
  void differentSequencesAndDevicesAreNotDuplicates() {
    d.register("spo2-2", SensorType.BLOOD_OXYGEN);
    d.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, 1, t, "s", 97.0));
    d.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, 2, t, "s", 97.0));
    d.send(Driver.reading("spo2-2", SensorType.BLOOD_OXYGEN, 1, t, "s", 97.0));
    assertThat(d.clean.readValuesToList()).hasSize(3);
  }

  @Test
  void aDeviceThatRestartedItsSequenceIsNotAReplay() {
    d.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, 0, t, "s", 97.0));
    d.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, 0, t.plusSeconds(5), "s", 97.0));
    assertThat(d.clean.readValuesToList()).hasSize(2);
  }

  @Test
  void copiesAcrossBlockBoundariesAndOutOfOrderAreDroppedOnce() {
    // Sequences 13 to 35 span three blocks of 16; sink b relays them late and backwards, so
    // its copies land in blocks the device has already left.
    for (int seq = 13; seq <= 35; seq++) {
      d.send(
          Driver.reading(
              "spo2-1",
              SensorType.BLOOD_OXYGEN,
              seq,
              t.plusSeconds(seq),
              "patient-1.sink-a",
              97.0));
    }
    for (int seq = 35; seq >= 13; seq--) {
      d.send(
          Driver.reading(
              "spo2-1",
              SensorType.BLOOD_OXYGEN,
              seq,
              t.plusSeconds(seq),
              "patient-1.sink-b",
              97.0));
    }
    d.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, 12, t.plusSeconds(12), "b", 97.0));
    List<Long> expected = new java.util.ArrayList<>();
    for (long seq = 13; seq <= 35; seq++) {
      expected.add(seq);
    }
    expected.add(12L);
    assertThat(d.clean.readValuesToList())
        .extracting(CleanReading::getSequence)
        .containsExactlyElementsOf(expected);
    assertThat(d.metrics.count("biometer.duplicates.dropped", "relay", "patient-1.sink-b"))
        .isEqualTo(23);
  }

  @Test
  void aCopyBeyondTheHorizonPassesAgain() {
    try (Driver shortHorizon =
        new Driver(java.util.Map.of(StreamsAppConfig.DEDUP_HORIZON_MS_CONFIG, 60_000L))) {
      shortHorizon.register("spo2-1", SensorType.BLOOD_OXYGEN);
      Instant old = Driver.WALL.minusSeconds(3600);
      shortHorizon.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, 1, old, "s", 97.0));
      shortHorizon.send(
          Driver.reading(
              "spo2-1", SensorType.BLOOD_OXYGEN, 2, Driver.WALL.minusSeconds(60), "s", 97.0));
      shortHorizon.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, 1, old, "s", 97.0));
      // The horizon has passed in stream time: the store no longer knows sequence 1.
      assertThat(shortHorizon.clean.readValuesToList())
          .extracting(CleanReading::getSequence)
          .containsExactly(1L, 2L, 1L);
    }
  }

  @Test
  void aDeviceQuietPastTheHorizonIsForgottenToo() {
    try (Driver shortHorizon =
        new Driver(java.util.Map.of(StreamsAppConfig.DEDUP_HORIZON_MS_CONFIG, 60_000L))) {
      shortHorizon.register("spo2-1", SensorType.BLOOD_OXYGEN);
      shortHorizon.register("spo2-2", SensorType.BLOOD_OXYGEN);
      Instant old = Driver.WALL.minusSeconds(3600);
      shortHorizon.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, 1, old, "s", 97.0));
      // Another device moves stream time past the horizon; spo2-1's block is dropped, also
      // from memory, so nothing of a quiet device is kept beyond the horizon.
      shortHorizon.send(
          Driver.reading(
              "spo2-2", SensorType.BLOOD_OXYGEN, 1, Driver.WALL.minusSeconds(60), "s", 97.0));
      shortHorizon.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, 1, old, "s", 97.0));
      assertThat(shortHorizon.clean.readValuesToList())
          .extracting(CleanReading::getDeviceId)
          .containsExactly("spo2-1", "spo2-2", "spo2-1");
    }
  }
}
