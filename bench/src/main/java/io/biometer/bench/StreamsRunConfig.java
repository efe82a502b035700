package io.biometer.bench;

import io.biometer.devstack.LocalStack;
import io.biometer.streams.StreamsAppConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/** The config of one streams-app run of the bench, and of the consumers that watch it. */
final class StreamsRunConfig {

  private StreamsRunConfig() {}

  /**
   * The app's config for one bench run, under a new application id starting {@code kind}: {@code
   * overrides} (the command line's) win, except the input's {@code offsetReset}.
   */
  static Map<String, Object> app(
      LocalStack stack,
      Path dir,
      Map<String, Object> overrides,
      String kind,
      String guarantee,
      String offsetReset) {
    String appId = kind + "-" + UUID.randomUUID();
    Map<String, Object> v = new HashMap<>();
    v.put(StreamsAppConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    v.put(StreamsAppConfig.SCHEMA_REGISTRY_URL_CONFIG, stack.registryUrl());
    v.put(StreamsAppConfig.APPLICATION_ID_CONFIG, appId);
    v.put(StreamsAppConfig.STATE_DIR_CONFIG, dir.resolve("state-" + appId).toString());
    v.put(StreamsAppConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
    v.put(StreamsAppConfig.METRICS_PORT_CONFIG, 0);
    v.put(StreamsAppConfig.METRICS_HOST_CONFIG, "127.0.0.1");
    v.put(StreamsAppConfig.METRICS_PER_RELAY_CONFIG, false);
    v.put(StreamsAppConfig.AGGREGATION_UPDATE_INTERVAL_MS_CONFIG, 0L);
    v.putAll(overrides);
    v.put("kafka.consumer.auto.offset.reset", offsetReset);
    return v;
  }

  /** A read_committed consumer's config that fetches without waiting for more bytes. */
  static Map<String, Object> readCommitted(LocalStack stack, String offsetReset) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, offsetReset);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    return c;
  }
}
