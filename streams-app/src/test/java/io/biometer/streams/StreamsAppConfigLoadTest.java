package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
