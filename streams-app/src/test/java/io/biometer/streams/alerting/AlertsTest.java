package io.biometer.streams.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.avro.Alert;
import io.biometer.avro.AlertKind;
import io.biometer.avro.AlertState;
import io.biometer.avro.SensorType;
import io.biometer.avro.Severity;
import java.time.Instant;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The alert builder and the alerts.* key checks, without Kafka. */
class AlertsTest {

  @Test
  void theBuilderSetsEveryFieldAndLeavesTheOptionalOnesNull() {
    Alert a =
        Alerts.raised(AlertKind.DEVICE_SILENT, "device.silent")
            .about("temp-1", "patient-1", SensorType.BODY_TEMPERATURE)
            .severity(Severity.MEDIUM)
            .at(10, 20, true)
            .message("no reading")
            .build();
    assertThat(a.getState()).isEqualTo(AlertState.RAISED);
    assertThat(a.getRule()).isEqualTo("device.silent");
    assertThat(a.getDeviceId()).isEqualTo("temp-1");
    assertThat(a.getEventTime()).isEqualTo(Instant.ofEpochMilli(10));
    assertThat(a.getDetectedAt()).isEqualTo(Instant.ofEpochMilli(20));
    assertThat(a.getLate()).isTrue();
    assertThat(a.getChannel()).isNull();
    assertThat(a.getValue()).isNull();
    assertThat(a.getThreshold()).isNull();
  }

  @Test
  void anAlertWithoutItsSeverityFailsNamingIt() {
    assertThatThrownBy(
            () ->
                Alerts.cleared(AlertKind.SINK_DOWN, "sink.down")
                    .about("sink-1", "patient-1", null)
                    .at(1, 2, false)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("sink.down")
        .hasMessageContaining("severity");
  }

  @Test
  void aKeyPerSensorTypeIsCheckedForItsShape() {
    assertThat(AlertsConfig.checkKey("alerts.ECG.heart_rate.high", "150")).hasSize(4);
    assertThat(AlertsConfig.checkKey("alerts.ECG.min.duration.ms", "1000")).hasSize(5);
    assertThatThrownBy(() -> AlertsConfig.checkKey("alerts.NOPE.severity", "HIGH"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("alerts.NOPE.severity")
        .hasMessageContaining("'NOPE' is not a sensor type");
    assertThatThrownBy(() -> AlertsConfig.checkKey("alerts.ECG.heart_rate.max", "1"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("<channel>.low|high|hysteresis");
  }
}
