package io.biometer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The steady-rate window of the streams bench: when the output crossed a level. */
class StreamsBenchTest {

  // {nanoTime, records}: 0 at 0 ns, 100 at 1,000 ns, 100 at 2,000 ns, 300 at 3,000 ns.
  private final List<long[]> samples =
      List.of(
          new long[] {0, 0},
          new long[] {1000, 100},
          new long[] {2000, 100},
          new long[] {3000, 300});

  @Test
  void aCrossingIsInterpolatedBetweenTheTwoSamplesAroundIt() {
    assertThat(SteadyRate.crossing(samples, 10)).isEqualTo(100.0);
    assertThat(SteadyRate.crossing(samples, 200)).isEqualTo(2500.0);
  }

  @Test
  void aLevelReachedExactlyIsTheFirstSampleAtIt() {
    assertThat(SteadyRate.crossing(samples, 100)).isEqualTo(1000.0);
  }

  @Test
  void aLevelNeverReachedIsAnError() {
    assertThatThrownBy(() -> SteadyRate.crossing(samples, 301))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("301");
  }

  @Test
  void aLatencyRunsRowIsNumberedByItsDeviceAndSequence() {
    assertThat(StreamsWorkload.deviceNumber("bench-0042.body_temperature")).isEqualTo(42);
    assertThat(StreamsWorkload.deviceNumber("patient-000001.ecg")).isEqualTo(-1);
    assertThat(StreamsWorkload.deviceNumber("bench-x")).isEqualTo(-1);
  }

  @Test
  void argumentsSetRoundsAndAppConfigAndAWrongKeyFailsAtOnce() {
    StreamsOptions o =
        StreamsOptions.parse(new String[] {"--quick", "--rounds=7", "kafka.commit.interval.ms=50"});
    assertThat(o.rounds()).isEqualTo(7);
    assertThat(o.quick()).isTrue();
    assertThat(o.eosThroughput()).isFalse();
    assertThat(o.overrides()).containsEntry("kafka.commit.interval.ms", "50");
    assertThat(StreamsOptions.parse(new String[0]).rounds()).isEqualTo(5);
    assertThatThrownBy(() -> StreamsOptions.parse(new String[] {"--fast"}))
        .hasMessageContaining("--fast");
    assertThatThrownBy(() -> StreamsOptions.parse(new String[] {"num.stream.threads=x"}))
        .hasMessageContaining("num.stream.threads");
  }
}
