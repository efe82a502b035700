package io.biometer.devstack;

import io.biometer.config.ConfigKeys;
import io.biometer.config.LayeredConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Configuration of the connector runner, the local {@link ConnectWorker} with the QuestDB sink.
 * Loaded as every app's ({@link LayeredConfig}): defaults, a properties file, environment variables
 * ({@code BIOMETER_CONNECT_} + the key in upper case with dots as underscores), {@code key=value}.
 * In the local stack the same keys are {@code connect.*}. Keys starting {@code worker.} pass to the
 * worker's properties without the prefix (e.g. {@code worker.offset.flush.interval.ms}).
 */
public final class ConnectWorkerConfig extends AbstractConfig {

  public static final String ENV_PREFIX = "BIOMETER_CONNECT_";
  public static final String WORKER_PREFIX = "worker.";

  public static final String PORT_CONFIG = "port";
  public static final String PORT_DOC = "Port of Kafka Connect's REST API. Default: 8083.";
  public static final int PORT_DEFAULT = 8083;

  public static final String METRICS_PORT_CONFIG = "metrics.port";
  public static final String METRICS_PORT_DOC =
      "Port of the Connect worker's Prometheus /metrics (Prometheus' JMX exporter, loaded as a"
          + " java agent: the connector's tasks, its consumer, the worker's JVM). Default: 9404.";
  public static final int METRICS_PORT_DEFAULT = 9404;

  public static final String PLUGIN_PATH_CONFIG = "plugin.path";
  public static final String PLUGIN_PATH_DOC =
      "The worker's plugin.path: a folder holding the biometer-connect-<version> plugin folder"
          + " (connector, converter, their jars and etc/questdb-sink.json). Default: empty, the"
          + " plugin the build unpacked into devstack/target/connect-plugins.";

  public static final String CONNECTOR_CONFIG_CONFIG = "connector.config";
  public static final String CONNECTOR_CONFIG_DOC =
      "The QuestDB sink's connector config (JSON), submitted with PUT"
          + " /connectors/questdb-sink/config; its registry URL and QuestDB address are replaced"
          + " by the local run's. Default: empty, etc/questdb-sink.json of the plugin (a copy of"
          + " sink-connectors/config/questdb-sink.json).";

  public static final String JAVA_OPTS_CONFIG = "java.opts";
  public static final String JAVA_OPTS_DOC =
      "JVM options of the Connect worker's child JVM, separated by blanks; they replace the"
          + " default (e.g. to profile it with JFR). Default: -Xms64m -Xmx768m.";
  public static final String JAVA_OPTS_DEFAULT = "-Xms64m -Xmx768m";

  /** The definition of every fixed key, with its doc and default. */
  public static final ConfigDef CONFIG_DEF =
      new ConfigDef()
          .define(
              PORT_CONFIG,
              Type.INT,
              PORT_DEFAULT,
              Range.between(1, 65535),
              Importance.MEDIUM,
              PORT_DOC)
          .define(
              METRICS_PORT_CONFIG,
              Type.INT,
              METRICS_PORT_DEFAULT,
              Range.between(1, 65535),
              Importance.LOW,
              METRICS_PORT_DOC)
          .define(PLUGIN_PATH_CONFIG, Type.STRING, "", Importance.LOW, PLUGIN_PATH_DOC)
          .define(CONNECTOR_CONFIG_CONFIG, Type.STRING, "", Importance.LOW, CONNECTOR_CONFIG_DOC)
          .define(JAVA_OPTS_CONFIG, Type.STRING, JAVA_OPTS_DEFAULT, Importance.LOW, JAVA_OPTS_DOC);

  /** Every key the connector runner reads and the environment variables that set them. */
  public static final ConfigKeys KEYS = ConfigKeys.of(ENV_PREFIX, CONFIG_DEF, WORKER_PREFIX);

  /** A config from explicit values over the defaults. */
  public ConnectWorkerConfig(Map<?, ?> values) {
    super(CONFIG_DEF, values, false);
  }

  /**
   * The config of {@code layers} (of {@link #KEYS}).
   *
   * @throws ConfigException one line naming the key, the value, what is allowed and the source
   */
  public static ConnectWorkerConfig from(LayeredConfig layers) {
    return layers.build(ConnectWorkerConfig::new);
  }

  public int port() {
    return getInt(PORT_CONFIG);
  }

  public int metricsPort() {
    return getInt(METRICS_PORT_CONFIG);
  }

  /** The configured plugin path, or null for the one the build unpacked. */
  public Path pluginPath() {
    String p = getString(PLUGIN_PATH_CONFIG);
    return p.isBlank() ? null : Path.of(p).toAbsolutePath().normalize();
  }

  /** The configured connector config file, or null for the plugin's own. */
  public Path connectorConfig() {
    String p = getString(CONNECTOR_CONFIG_CONFIG);
    return p.isBlank() ? null : Path.of(p).toAbsolutePath().normalize();
  }

  /** {@value #JAVA_OPTS_CONFIG}: the worker JVM's options, one per element. */
  public List<String> javaOpts() {
    String opts = getString(JAVA_OPTS_CONFIG).trim();
    return opts.isEmpty() ? List.of() : List.of(opts.split("\\s+"));
  }

  /** The worker properties set through {@code worker.*} keys, without the prefix. */
  public Map<String, String> workerOverrides() {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    originalsWithPrefix(WORKER_PREFIX).forEach((k, v) -> m.put(k, String.valueOf(v)));
    return m;
  }
}
