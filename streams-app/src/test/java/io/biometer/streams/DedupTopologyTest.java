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

  /**
   * spo2-1's reading {@code seq}, measured {@code seq} seconds after t, relayed by {@code sink}.
   */
  private void relay(long seq, String sink) {
    d.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, seq, t.plusSeconds(seq), sink, 97.0));
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
      relay(seq, "patient-1.sink-a");
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
      relay(seq, "patient-1.sink-a");
    }
    for (int seq = 35; seq >= 13; seq--) {
      relay(seq, "patient-1.sink-b");
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

  /**
   * With a 60 s horizon: spo2-1's sequence 1 an hour ago, then {@code mover}'s sequence 2 a minute
   * ago (stream time moves past the horizon), then spo2-1's sequence 1 again.
   */
  private static List<CleanReading> aCopyAfterTheHorizon(String mover) {
    try (Driver shortHorizon =
        new Driver(java.util.Map.of(StreamsAppConfig.DEDUP_HORIZON_MS_CONFIG, 60_000L))) {
      shortHorizon.register("spo2-1", SensorType.BLOOD_OXYGEN);
      shortHorizon.register("spo2-2", SensorType.BLOOD_OXYGEN);
      Instant old = Driver.WALL.minusSeconds(3600);
      shortHorizon.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, 1, old, "s", 97.0));
      shortHorizon.send(
          Driver.reading(
              mover, SensorType.BLOOD_OXYGEN, 2, Driver.WALL.minusSeconds(60), "s", 97.0));
      shortHorizon.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, 1, old, "s", 97.0));
      return shortHorizon.clean.readValuesToList();
    }
  }

  @Test
  void aCopyBeyondTheHorizonPassesAgain() {
    // The horizon has passed in stream time: the store no longer knows sequence 1.
    assertThat(aCopyAfterTheHorizon("spo2-1"))
        .extracting(CleanReading::getSequence)
        .containsExactly(1L, 2L, 1L);
  }

  @Test
  void aDeviceQuietPastTheHorizonIsForgottenToo() {
    // Another device moves stream time past the horizon; spo2-1's block is dropped, also from
    // memory, so nothing of a quiet device is kept beyond the horizon.
    assertThat(aCopyAfterTheHorizon("spo2-2"))
        .extracting(CleanReading::getDeviceId)
        .containsExactly("spo2-1", "spo2-2", "spo2-1");
  }
}
