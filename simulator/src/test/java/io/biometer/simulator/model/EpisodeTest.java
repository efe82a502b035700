package io.biometer.simulator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.avro.SensorType;
import io.biometer.catalog.ChannelSpec;
import io.biometer.catalog.SensorCatalog;
import io.biometer.catalog.SensorTypeSpec;
import org.junit.jupiter.api.Test;

class EpisodeTest {

  private static final long MIN = 60_000L;

  @Test
  void weightRampsInHoldsAndRampsOut() {
    Episode e = new Episode(EpisodeKind.FEVER, 0, 10 * MIN, 2 * MIN);
    assertThat(e.weight(0)).isZero();
    assertThat(e.weight(MIN)).isEqualTo(0.5);
    assertThat(e.weight(5 * MIN)).isEqualTo(1.0);
    assertThat(e.weight(9 * MIN)).isEqualTo(0.5);
    assertThat(e.weight(10 * MIN)).isZero();
  }

  @Test
  void everyEpisodeDrivesItsChannelOutOfTheNormalRangeAndBack() {
    SensorCatalog catalog = SensorCatalog.standard();
    for (EpisodeKind kind : EpisodeKind.values()) {
      Episode e = new Episode(kind, 10 * MIN, 30 * MIN, 5 * MIN);
      for (ChannelSpec c : catalog.spec(kind.sensorType()).channels()) {
        if (kind.target(c.name()) == null) {
          continue;
        }
        double base = SignalModel.baseline(c, 0.5);
        double before = SignalModel.value(c, base, 5 * MIN, 0, e);
        double during = SignalModel.value(c, base, 20 * MIN, 0, e);
        double after = SignalModel.value(c, base, 35 * MIN, 0, e);
        assertThat(c.isNormal(before)).as(kind + " " + c.name() + " before").isTrue();
        assertThat(c.isNormal(during)).as(kind + " " + c.name() + " during: " + during).isFalse();
        assertThat(c.isPossible(during)).as(kind + " " + c.name() + " possible").isTrue();
        assertThat(c.isNormal(after)).as(kind + " " + c.name() + " after").isTrue();
      }
    }
  }

  @Test
  void everyBodySensorTypeHasAnEpisode() {
    // The catalogue's BODY domain: meters and actuators (FAN, VALVE) have no episodes.
    assertThat(SensorCatalog.standard().domain("BODY")).hasSize(10);
    for (SensorTypeSpec spec : SensorCatalog.standard().domain("BODY")) {
      assertThat(EpisodeKind.of(spec.type())).as(spec.type().name()).isNotNull();
    }
  }

  @Test
  void noiseAndCircadianDriftStayNormalWithoutAnEpisode() {
    ChannelSpec temp = SensorCatalog.standard().spec(SensorType.BODY_TEMPERATURE).channels().get(0);
    double base = SignalModel.baseline(temp, 0.5);
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    for (long t = 0; t < 86_400_000L; t += 600_000L) {
      double v = SignalModel.value(temp, base, t, 0, null);
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertThat(max - min).as("circadian swing").isGreaterThan(0.2);
    assertThat(temp.isNormal(min) && temp.isNormal(max)).isTrue();
  }
}
