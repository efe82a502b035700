package io.biometer.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.avro.SensorType;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SensorCatalogTest {

  private final SensorCatalog catalog = SensorCatalog.standard();

  @Test
  void everySensorTypeButUnknownIsDescribed() {
    Arrays.stream(SensorType.values())
        .filter(t -> t != SensorType.UNKNOWN)
        .forEach(t -> assertThat(catalog.contains(t)).as(t.name()).isTrue());
    assertThat(catalog.contains(SensorType.UNKNOWN)).isFalse();
  }

  @Test
  void tenBodyTypesAndTheSoilMeter() {
    assertThat(catalog.domain("BODY")).hasSize(10);
    assertThat(catalog.domain("SOIL"))
        .extracting(SensorTypeSpec::type)
        .containsExactly(SensorType.SOIL_METER);
  }

  @Test
  void bloodPressureHasSystolicAndDiastolicInMmHg() {
    SensorTypeSpec bp = catalog.spec(SensorType.BLOOD_PRESSURE);
    assertThat(bp.channelNames()).containsExactly("systolic", "diastolic");
    assertThat(bp.channels()).allSatisfy(c -> assertThat(c.unit()).isEqualTo("mmHg"));
  }

  @Test
  void theActuatorsReportTheirStateAsOneOnOffChannelThatNeverAlerts() {
    assertThat(catalog.domain("ACTUATOR"))
        .extracting(SensorTypeSpec::type)
        .containsExactly(SensorType.FAN, SensorType.VALVE);
    for (SensorTypeSpec spec : catalog.domain("ACTUATOR")) {
      assertThat(spec.channels()).hasSize(1);
      ChannelSpec state = spec.channels().get(0);
      assertThat(state.unit()).isEqualTo("on/off");
      assertThat(state.isNormal(0)).isTrue();
      assertThat(state.isNormal(1)).isTrue();
      assertThat(state.isPossible(2)).isFalse();
    }
  }

  @Test
  void soilMeterHasTemperatureAndHumidity() {
    assertThat(catalog.spec(SensorType.SOIL_METER).channelNames())
        .containsExactly("soil_temperature", "soil_humidity");
  }

  @Test
  void everyChannelHasAUnitAndAHysteresisInsideItsNormalBand() {
    catalog
        .all()
        .forEach(
            spec ->
                spec.channels()
                    .forEach(
                        c -> {
                          assertThat(c.unit()).as(spec.type() + "." + c.name()).isNotBlank();
                          assertThat(c.hysteresis())
                              .as(spec.type() + "." + c.name())
                              .isLessThan(c.normalMax() - c.normalMin());
                          assertThat(spec.cadence()).isPositive();
                        }));
  }

  @Test
  void possibleAndNormalRangesClassifyValues() {
    ChannelSpec spo2 = catalog.spec(SensorType.BLOOD_OXYGEN).channels().get(0);
    assertThat(spo2.isPossible(101)).isFalse();
    assertThat(spo2.isPossible(Double.NaN)).isFalse();
    assertThat(spo2.isPossible(85)).isTrue();
    assertThat(spo2.isNormal(85)).isFalse();
    assertThat(spo2.isNormal(98)).isTrue();
  }

  @Test
  void unknownTypeIsRefusedWithTheCataloguesName() {
    assertThatThrownBy(() -> catalog.spec(SensorType.UNKNOWN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(SensorCatalog.RESOURCE);
  }

  @Test
  void disorderedRangesAreRefused() {
    assertThatThrownBy(() -> new ChannelSpec("x", "u", "", 0, 10, 5, 4, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("possibleMin <= normalMin < normalMax <= possibleMax");
  }
}
