package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** The Kafka Streams properties the app derives from its config. */
class StreamsAppPropertiesTest {

  private static Properties properties(Map<String, Object> values) {
    Map<String, Object> v = new HashMap<>(values);
    v.put(StreamsAppConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://properties");
    return StreamsApp.properties(new StreamsAppConfig(v), PipelineMetrics.noop());
  }

  @Test
  void exactlyOnceTurnsTheRecordCacheOffByDefault() {
    Properties p = properties(Map.of());
    assertThat(p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
        .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
    assertThat(p.get(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG)).isEqualTo(0L);
  }

  @Test
  void aCacheSizeGivenInTheConfigWinsUnderExactlyOnce() {
    Properties p = properties(Map.of("kafka.statestore.cache.max.bytes", "1048576"));
    assertThat(p.get(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG)).isEqualTo("1048576");
    assertThat(new StreamsConfig(p).getLong(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG))
        .isEqualTo(1_048_576L);
  }

  @Test
  void atLeastOnceKeepsKafkaStreamsDefaultCache() {
    Properties p =
        properties(
            Map.of(StreamsAppConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE));
    assertThat(p).doesNotContainKey(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG);
  }

  @Test
  void theProducerLingers5MsUnlessConfigured() {
    assertThat(properties(Map.of()).get("producer.linger.ms")).isEqualTo(5);
    assertThat(properties(Map.of("kafka.producer.linger.ms", "0")).get("producer.linger.ms"))
        .isEqualTo("0");
    StreamsConfig defaults = new StreamsConfig(properties(Map.of()));
    assertThat(defaults.getProducerConfigs("client").get("linger.ms")).isEqualTo(5);
  }

  @Test
  void eventTimeDlqAndNoIdlingAreAlwaysSet() {
    Properties p = properties(Map.of());
    assertThat(p.get(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG)).isEqualTo(-1L);
    assertThat(p.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG))
        .isEqualTo(io.biometer.Topics.DLQ);
    assertThat(p.get(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG))
        .isEqualTo(EventTimeExtractor.class);
  }
}
