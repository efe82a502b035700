package io.biometer.connect.questdb;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Lands records in QuestDB tables: one table per topic (or a {@code ${topic}} template), rows
 * mapped from the records' fields, every table deduplicated on upsert keys so that Connect's
 * at-least-once delivery gives each row once. See {@link QuestDbSinkConfig} for the keys and {@link
 * QuestDbSinkTask} for delivery and failures.
 */
public class QuestDbSinkConnector extends SinkConnector {

  private Map<String, String> props;

  @Override
  public void start(Map<String, String> props) {
    // Fails the connector with every error at once if the configuration is not valid.
    new QuestDbSinkConfig(props);
    this.props = Map.copyOf(props);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return QuestDbSinkTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<Map<String, String>> configs = new ArrayList<>(maxTasks);
    for (int i = 0; i < maxTasks; i++) {
      configs.add(props);
    }
    return configs;
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return QuestDbSinkConfig.CONFIG_DEF;
  }

  /**
   * Every error at once: those {@link ConfigDef} finds per key, and those of the keys it cannot see
   * (the client configuration, per-topic keys, missing dedup keys).
   */
  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Config config = super.validate(connectorConfigs);
    List<ConfigValue> values = new ArrayList<>(config.configValues());
    QuestDbSinkConfig.perKeyErrors(connectorConfigs)
        .forEach(
            (key, errors) -> {
              ConfigValue existing =
                  values.stream().filter(v -> v.name().equals(key)).findFirst().orElse(null);
              if (existing == null) {
                existing =
                    new ConfigValue(key, connectorConfigs.get(key), List.of(), new ArrayList<>());
                values.add(existing);
              }
              errors.forEach(existing::addErrorMessage);
            });
    return new Config(values);
  }

  @Override
  public String version() {
    return Versions.PLUGIN;
  }
}
