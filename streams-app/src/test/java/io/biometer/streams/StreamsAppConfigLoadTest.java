package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.avro.SensorType;
import io.biometer.avro.Severity;
import io.biometer.streams.alerting.ThresholdRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the streams app run on its own reads its config: file, env, arguments, one-line errors. */
class StreamsAppConfigLoadTest {

  @TempDir Path tmp;

  @Test
  void theLocalStacksStreamsEnabledVariableIsNotReadAsAKey() {
    StreamsAppConfig c =
        StreamsAppConfig.load(
            null,
            Map.of("BIOMETER_STREAMS_ENABLED", "false", "BIOMETER_STREAMS_METRICS_PORT", "9"),
            Map.of());
    assertThat(c.metricsPort()).isEqualTo(9);
    assertThat(c.originals()).doesNotContainKey("enabled");
  }

  @Test
  void fileThenEnvironmentThenArgumentsWin() throws Exception {
    Path file = tmp.resolve("streams.properties");
    Files.writeString(file, "metrics.port=1\nnum.stream.threads=2\nalerts.silent.factor=4\n");
    StreamsAppConfig c =
        StreamsAppConfig.load(
            file,
            Map.of(
                "BIOMETER_STREAMS_NUM_STREAM_THREADS",
                "3",
                "BIOMETER_STREAMS_KAFKA_LINGER_MS",
                "7"),
            Map.of("alerts.silent.factor", "100"));
    assertThat(c.metricsPort()).isEqualTo(1);
    assertThat(c.getInt(StreamsAppConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo(3);
    assertThat(c.silentFactor()).isEqualTo(100.0);
    assertThat(c.streamsProperties()).containsEntry("linger.ms", "7");
  }

  @Test
  void aBadValueNamesKeyValueAllowedAndEnvironmentVariable() {
    assertThatThrownBy(
            () ->
                StreamsAppConfig.load(
                    null, Map.of("BIOMETER_STREAMS_PROCESSING_GUARANTEE", "maybe"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "processing.guarantee must be one of exactly_once_v2, at_least_once, got maybe (from"
                + " env BIOMETER_STREAMS_PROCESSING_GUARANTEE)");
  }

  @Test
  void anUnknownKeyIsRefusedWithTheClosestKey() {
    assertThatThrownBy(() -> StreamsAppConfig.load(null, Map.of(), Map.of("dedup.horizon", "1000")))
        .hasMessage(
            "unknown key 'dedup.horizon', got 1000 (from argument); did you mean dedup.horizon.ms?");
  }

  @Test
  void aBadPerTypeAlertKeyNamesItsSource() {
    assertThatThrownBy(
            () -> StreamsAppConfig.load(null, Map.of(), Map.of("alerts.NOPE.severity", "LOW")))
        .hasMessage("alerts.NOPE.severity: 'NOPE' is not a sensor type, got LOW (from argument)");
  }

  @Test
  void aBadPerTypeAlertValueIsRefusedAtLoadNamingKeyValueAllowedAndSource() {
    assertThatThrownBy(
            () -> StreamsAppConfig.load(null, Map.of(), Map.of("alerts.ECG.heart_rate.high", "x")))
        .isExactlyInstanceOf(ConfigException.class)
        .hasMessage("alerts.ECG.heart_rate.high must be a number, got x (from argument)");
  }

  @Test
  void aBadSeverityFromAFileNamesTheFile() throws Exception {
    Path file = tmp.resolve("streams.properties");
    Files.writeString(file, "alerts.EMG.severity=URGENT\n");
    assertThatThrownBy(() -> StreamsAppConfig.load(file, Map.of(), Map.of()))
        .hasMessage(
            "alerts.EMG.severity must be one of LOW, MEDIUM, HIGH, got URGENT (from file "
                + file
                + ")");
  }

  @Test
  void aNegativeMinimumDurationPerTypeIsRefused() {
    assertThatThrownBy(
            () ->
                StreamsAppConfig.load(
                    null, Map.of("BIOMETER_STREAMS_ALERTS_ECG_MIN_DURATION_MS", "-5"), Map.of()))
        .hasMessage(
            "alerts.ECG.min.duration.ms must be an integer >= 0, got -5 (from env"
                + " BIOMETER_STREAMS_ALERTS_ECG_MIN_DURATION_MS)");
  }

  @Test
  void aChannelNotInTheCatalogueIsRefused() {
    assertThatThrownBy(
            () -> StreamsAppConfig.load(null, Map.of(), Map.of("alerts.ECG.typo.low", "40")))
        .hasMessage(
            "alerts.ECG.typo.low: 'typo' is not a channel of ECG (channels: heart_rate), got 40"
                + " (from argument)");
  }

  @Test
  void anAlertVariableIsReadWithTheSensorTypeAndChannelAsSpelled() {
    StreamsAppConfig c =
        StreamsAppConfig.load(
            null,
            Map.of(
                "BIOMETER_STREAMS_ALERTS_ECG_HEART_RATE_HIGH",
                "150",
                "BIOMETER_STREAMS_ALERTS_PACEMAKER_PACED_HEART_RATE_LOW",
                "45",
                "BIOMETER_STREAMS_ALERTS_EMG_SEVERITY",
                "high"),
            Map.of());
    assertThat(c.originals())
        .containsEntry("alerts.ECG.heart_rate.high", "150")
        .containsEntry("alerts.PACEMAKER.paced_heart_rate.low", "45");
    assertThat(c.ruleBook().rules(SensorType.ECG, null))
        .filteredOn(r -> r.id().equals("ECG.heart_rate.high"))
        .singleElement()
        .extracting(ThresholdRule::threshold)
        .isEqualTo(150.0);
    assertThat(c.ruleBook().rules(SensorType.PACEMAKER, null))
        .filteredOn(r -> r.id().equals("PACEMAKER.paced_heart_rate.low"))
        .singleElement()
        .extracting(ThresholdRule::threshold)
        .isEqualTo(45.0);
    assertThat(c.ruleBook().rules(SensorType.EMG, null))
        .filteredOn(r -> r.id().equals("EMG.rms_amplitude.high"))
        .singleElement()
        .extracting(ThresholdRule::severity)
        .isEqualTo(Severity.HIGH);
  }

  @Test
  void anAlertVariableNamingNoKeyIsRefusedNamingTheVariable() {
    assertThatThrownBy(
            () ->
                StreamsAppConfig.load(
                    null, Map.of("BIOMETER_STREAMS_ALERTS_ECG_HEART_RATE_HIHG", "150"), Map.of()))
        .hasMessageContaining("(from env BIOMETER_STREAMS_ALERTS_ECG_HEART_RATE_HIHG)");
  }
}
