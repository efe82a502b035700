package io.biometer.streams.aggregation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure logic under the aggregation step, without Kafka. */
class AggregationLogicTest {

  @Test
  void dayWindowsFollowTheZonesClock() {
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    assertThat(DayWindow.of(LocalDate.parse("2026-03-29"), berlin).hours()).isEqualTo(23);
    assertThat(DayWindow.of(LocalDate.parse("2026-10-25"), berlin).hours()).isEqualTo(25);
    assertThat(DayWindow.of(LocalDate.parse("2026-06-01"), berlin).hours()).isEqualTo(24);
    assertThat(DayWindow.of(LocalDate.parse("2026-03-29"), ZoneId.of("UTC")).hours()).isEqualTo(24);
  }

  @Test
  void dailyStatsAreOrderIndependent() {
    DailyStats a = new DailyStats().add(3, 30).add(1, 10).add(2, 20);
    DailyStats b = new DailyStats().add(1, 10).add(2, 20).add(3, 30);
    assertThat(
            List.of(a.count(), a.min(), a.max(), a.mean(), (double) a.first(), (double) a.last()))
        .isEqualTo(
            List.of(b.count(), b.min(), b.max(), b.mean(), (double) b.first(), (double) b.last()));
    assertThat(a.mean()).isEqualTo(2.0);
  }
}
