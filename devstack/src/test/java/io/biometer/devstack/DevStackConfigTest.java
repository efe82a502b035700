package io.biometer.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.registry.CompatibilityLevel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevStackConfigTest {

  @TempDir Path tmp;

  @Test
  void defaultsAreLoopbackAndTheUsualPorts() {
    DevStackConfig c = DevStackConfig.load(null, Map.of(), Map.of());
    assertThat(c.bindHost()).isEqualTo("127.0.0.1");
    assertThat(c.kafkaPort()).isEqualTo(9092);
    assertThat(c.registryPort()).isEqualTo(8081);
    assertThat(c.questdbHttpPort()).isEqualTo(9000);
    assertThat(c.registryCompatibility()).isEqualTo(CompatibilityLevel.BACKWARD);
    assertThat(c.dataDir()).isAbsolute();
  }

  @Test
  void fileThenEnvironmentThenArgumentsWin() throws Exception {
    Path file = tmp.resolve("stack.properties");
    Files.writeString(file, "kafka.port=1111\nregistry.port=2222\ntopics.partitions=5\n");
    DevStackConfig c =
        DevStackConfig.load(
            file,
            Map.of("BIOMETER_REGISTRY_PORT", "3333", "BIOMETER_TOPICS_PARTITIONS", "6"),
            Map.of("topics.partitions", "7"));
    assertThat(c.kafkaPort()).isEqualTo(1111);
    assertThat(c.registryPort()).isEqualTo(3333);
    assertThat(c.topicPartitions()).isEqualTo(7);
  }

  @Test
  void unknownKeyIsAnErrorThatNamesTheSource() throws Exception {
    Path file = tmp.resolve("stack.properties");
    Files.writeString(file, "kafka.prot=1111\n");
    assertThatThrownBy(() -> DevStackConfig.load(file, Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("kafka.prot")
        .hasMessageContaining(file.toString());
  }

  @Test
  void outOfRangePortIsAnError() {
    assertThatThrownBy(() -> DevStackConfig.load(null, Map.of(), Map.of("kafka.port", "70000")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("kafka.port");
  }

  @Test
  void unknownCompatibilityLevelIsAnError() {
    assertThatThrownBy(
            () ->
                DevStackConfig.load(null, Map.of(), Map.of("registry.compatibility", "SOMETIMES")))
        .hasMessageContaining("SOMETIMES");
  }

  @Test
  void unknownCompatibilityLevelIsOneLineWithTheLevelsAndTheSource() {
    assertThatThrownBy(
            () ->
                DevStackConfig.load(
                    null, Map.of("BIOMETER_REGISTRY_COMPATIBILITY", "SIDEWAYS"), Map.of()))
        .isExactlyInstanceOf(ConfigException.class)
        .hasMessage(
            "registry.compatibility must be one of NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD,"
                + " FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE, got SIDEWAYS"
                + " (from env BIOMETER_REGISTRY_COMPATIBILITY)");
  }

  @Test
  void compatibilityLevelIgnoresCase() {
    assertThat(
            DevStackConfig.load(null, Map.of(), Map.of("registry.compatibility", "full"))
                .registryCompatibility())
        .isEqualTo(CompatibilityLevel.FULL);
  }

  @Test
  void theKafkaLogLevelAndTheWorkersJavaOptionsAreKeysSetByTheirVariables() {
    DevStackConfig c =
        DevStackConfig.load(
            null,
            Map.of(
                "BIOMETER_KAFKA_LOG_LEVEL", "warn",
                "BIOMETER_CONNECT_JAVA_OPTS", " -Xmx1g  -XX:+UseG1GC "),
            Map.of());
    assertThat(c.kafkaLogLevel()).isEqualTo("WARN");
    assertThat(c.connect().javaOpts()).containsExactly("-Xmx1g", "-XX:+UseG1GC");
    DevStackConfig defaults = DevStackConfig.load(null, Map.of(), Map.of());
    assertThat(defaults.kafkaLogLevel()).isEqualTo("ERROR");
    assertThat(defaults.connect().javaOpts()).containsExactly("-Xms64m", "-Xmx768m");
  }

  @Test
  void aBadKafkaLogLevelIsOneLineNamingTheVariable() {
    assertThatThrownBy(
            () -> DevStackConfig.load(null, Map.of("BIOMETER_KAFKA_LOG_LEVEL", "LOUD"), Map.of()))
        .hasMessage(
            "kafka.log.level must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF, got LOUD (from"
                + " env BIOMETER_KAFKA_LOG_LEVEL)");
  }

  @Test
  void theKafkaLogLevelSetsTheKafkaLoggers() {
    DevStackApp.applyKafkaLogLevel("WARN");
    try {
      for (String name : DevStackApp.KAFKA_LOGGERS) {
        assertThat(
                ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(name))
                    .getLevel())
            .as(name)
            .isEqualTo(ch.qos.logback.classic.Level.WARN);
      }
    } finally {
      DevStackApp.applyKafkaLogLevel("ERROR");
    }
  }

  @Test
  void environmentNamesAreDerivedFromKeys() {
    assertThat(DevStackConfig.envName("questdb.http.port")).isEqualTo("BIOMETER_QUESTDB_HTTP_PORT");
  }

  @Test
  void everyKeyHasADocWithItsDefault() {
    DevStackConfig.CONFIG_DEF
        .configKeys()
        .values()
        .forEach(k -> assertThat(k.documentation).as(k.name).contains("Default"));
  }
}
