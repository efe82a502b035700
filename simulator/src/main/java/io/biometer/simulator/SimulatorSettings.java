package io.biometer.simulator;

import io.biometer.simulator.engine.SimulationConfig;
import io.biometer.simulator.gateway.GatewaySettings;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything a simulator run needs besides the population.
 *
 * @param bootstrapServers Kafka's bootstrap.servers
 * @param registryUrl the schema registry's base URL
 * @param simulation the population and its behaviour
 * @param speed simulated milliseconds per wall millisecond
 * @param threads scheduler threads
 * @param spoolDir folder of the on-disk spool
 * @param spoolMaxBytes the most unsent bytes the spool keeps
 * @param groundTruth file to append the ground truth to, or null
 * @param registerDevices whether to publish the devices to telemetry.devices at start
 * @param producerOverrides Kafka producer settings that replace the defaults
 * @param gateway how readings reach Kafka: straight, or through the ingress gateway as devices
 */
public record SimulatorSettings(
    String bootstrapServers,
    String registryUrl,
    SimulationConfig simulation,
    double speed,
    int threads,
    Path spoolDir,
    long spoolMaxBytes,
    Path groundTruth,
    boolean registerDevices,
    Map<String, Object> producerOverrides,
    GatewaySettings gateway) {

  /** Copies the overrides. */
  public SimulatorSettings {
    producerOverrides = Map.copyOf(producerOverrides);
    if (gateway == null) {
      gateway = GatewaySettings.kafka();
    }
    if (gateway.via().throughGateway() && !registerDevices) {
      throw new IllegalArgumentException(
          "through the gateway the simulator registers its devices and their credentials:"
              + " register must be true");
    }
  }

  /** Settings of a run that produces to Kafka itself. */
  public SimulatorSettings(
      String bootstrapServers,
      String registryUrl,
      SimulationConfig simulation,
      double speed,
      int threads,
      Path spoolDir,
      long spoolMaxBytes,
      Path groundTruth,
      boolean registerDevices,
      Map<String, Object> producerOverrides) {
    this(
        bootstrapServers,
        registryUrl,
        simulation,
        speed,
        threads,
        spoolDir,
        spoolMaxBytes,
        groundTruth,
        registerDevices,
        producerOverrides,
        GatewaySettings.kafka());
  }
}
