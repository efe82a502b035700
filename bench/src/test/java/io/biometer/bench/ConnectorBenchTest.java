package io.biometer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The connector bench's steady-rate window over rows that land in steps, and its arguments. */
class ConnectorBenchTest {

  @Test
  void theRateCountsTheRowsBetweenTheStepsPast10AndPast90Percent() {
    // {nanoTime, rows visible}: flushes of 300 rows land at 1, 2, 3 and 4 s (1,200 rows in all).
    List<long[]> samples =
        List.of(
            new long[] {0, 0},
            new long[] {1_000_000_000L, 300},
            new long[] {2_000_000_000L, 600},
            new long[] {3_000_000_000L, 900},
            new long[] {4_000_000_000L, 1200});
    // Past 10% (120) at 1 s with 300 rows, past 90% (1,080) at 4 s with 1,200: 900 rows in 3 s.
    assertThat(LandedRate.rate(samples, 1200)).isEqualTo(300.0);
  }

  @Test
  void oneStepPastBothLevelsHasNoRate() {
    List<long[]> samples = List.of(new long[] {0, 0}, new long[] {1_000_000L, 1000});
    assertThat(LandedRate.rate(samples, 1000)).isNaN();
  }

  @Test
  void theBaselinesFlushEvery50000RowsOrAnEighthOfTheRows() {
    assertThat(ConnectorWriters.flushRows(400_000)).isEqualTo(50_000);
    assertThat(ConnectorWriters.flushRows(100_000)).isEqualTo(12_500);
  }

  @Test
  void argumentsSetSizesAndConnectorConfig() {
    ConnectorOptions o =
        ConnectorOptions.parse(
            new String[] {"--quick", "--readings=5000", "--seconds=3", "allowed.lag=100"});
    assertThat(o.readings()).isEqualTo(5000);
    assertThat(o.rounds()).isEqualTo(5);
    assertThat(o.latencyRun()).isEqualTo(Duration.ofSeconds(3));
    assertThat(o.config()).isEqualTo(Map.of("allowed.lag", "100"));
    assertThat(ConnectorOptions.parse(new String[0]).readings()).isEqualTo(200_000);
  }

  @Test
  void aWrongArgumentIsNamed() {
    assertThatThrownBy(() -> ConnectorOptions.parse(new String[] {"--fast"}))
        .hasMessageContaining("--fast");
    assertThatThrownBy(() -> ConnectorOptions.parse(new String[] {"--rounds=0"}))
        .hasMessageContaining("--rounds=0");
    assertThatThrownBy(
            () -> ConnectorOptions.parse(new String[] {"topic.telemetry.readings.clean.table=x"}))
        .hasMessageContaining("sets topic.telemetry.readings.clean.table");
  }
}
