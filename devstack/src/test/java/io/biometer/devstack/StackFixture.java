package io.biometer.devstack;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Local-stack configurations for tests (here and, through the test jar, the cross-module ITs): free
 * loopback ports, a given data folder.
 */
public final class StackFixture {

  private StackFixture() {}

  /** Config values for a stack in {@code dir} on ports that are free now. */
  public static Map<String, String> values(Path dir, boolean questdb) {
    Map<String, String> v = new HashMap<>();
    v.put(DevStackConfig.DATA_DIR_CONFIG, dir.toString());
    v.put(DevStackConfig.KAFKA_PORT_CONFIG, Integer.toString(freePort()));
    v.put(DevStackConfig.KAFKA_CONTROLLER_PORT_CONFIG, Integer.toString(freePort()));
    v.put(DevStackConfig.REGISTRY_PORT_CONFIG, Integer.toString(freePort()));
    v.put(DevStackConfig.QUESTDB_ENABLED_CONFIG, Boolean.toString(questdb));
    v.put(DevStackConfig.QUESTDB_HTTP_PORT_CONFIG, Integer.toString(freePort()));
    v.put(DevStackConfig.QUESTDB_HTTP_MIN_PORT_CONFIG, Integer.toString(freePort()));
    v.put(DevStackConfig.QUESTDB_PG_PORT_CONFIG, Integer.toString(freePort()));
    v.put(DevStackConfig.QUESTDB_ILP_PORT_CONFIG, Integer.toString(freePort()));
    v.put(DevStackConfig.TOPICS_PARTITIONS_CONFIG, "2");
    v.put(DevStackConfig.SIMULATOR_ENABLED_CONFIG, "false");
    v.put(DevStackConfig.STREAMS_ENABLED_CONFIG, "false");
    v.put(DevStackConfig.STREAMS_METRICS_PORT_CONFIG, Integer.toString(freePort()));
    v.put(DevStackConfig.INGRESS_ENABLED_CONFIG, "false");
    v.put(DevStackConfig.INGRESS_HTTP_PORT_CONFIG, Integer.toString(freePort()));
    v.put(DevStackConfig.INGRESS_MQTT_PORT_CONFIG, Integer.toString(freePort()));
    v.put(DevStackConfig.INGRESS_GRPC_PORT_CONFIG, Integer.toString(freePort()));
    v.put(DevStackConfig.INGRESS_UDP_PORT_CONFIG, Integer.toString(freePort()));
    // The Connect worker is a child JVM: only the tests about landing start it.
    v.put(DevStackConfig.CONNECT_ENABLED_CONFIG, "false");
    v.put(DevStackConfig.CONNECT_PORT_CONFIG, Integer.toString(freePort()));
    v.put(DevStackConfig.CONNECT_METRICS_PORT_CONFIG, Integer.toString(freePort()));
    return v;
  }

  /**
   * Config values for the whole pipeline in {@code dir}: QuestDB, the streams app, the Connect
   * worker and a seeded simulator of 2 patients and {@code meters} meters at {@code speed}.
   */
  public static Map<String, String> pipelineValues(Path dir, int meters, double speed, long seed) {
    Map<String, String> v = values(dir, true);
    v.put(DevStackConfig.CONNECT_ENABLED_CONFIG, "true");
    v.put(DevStackConfig.STREAMS_ENABLED_CONFIG, "true");
    v.put(DevStackConfig.SIMULATOR_ENABLED_CONFIG, "true");
    v.put(DevStackConfig.SIMULATOR_PATIENTS_CONFIG, "2");
    v.put(DevStackConfig.SIMULATOR_METERS_CONFIG, Integer.toString(meters));
    v.put(DevStackConfig.SIMULATOR_SPEED_CONFIG, Double.toString(speed));
    v.put(DevStackConfig.SIMULATOR_SEED_CONFIG, Long.toString(seed));
    return v;
  }

  public static DevStackConfig config(Path dir, boolean questdb) {
    return new DevStackConfig(values(dir, questdb));
  }

  public static int freePort() {
    return FreePorts.pick();
  }
}
