package io.biometer.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.simulator.SimulatorConfig;
import io.biometer.simulator.SimulatorSettings;
import io.biometer.simulator.gateway.GatewaySettings;
import io.biometer.simulator.gateway.Via;
import io.biometer.streams.StreamsAppConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local stack passes simulator.*, streams.* and connect.* keys to each app's own config. */
class DevStackPassThroughTest {

  @TempDir Path tmp;

  private DevStackConfig load(Map<String, String> env, Map<String, String> args) {
    return DevStackConfig.load(null, env, args);
  }

  @Test
  void streamsAlertsAndKafkaKeysReachTheStreamsApp() {
    DevStackConfig c =
        load(
            Map.of(),
            Map.of("streams.alerts.silent.factor", "100", "streams.kafka.linger.ms", "5"));
    StreamsAppConfig streams = c.streams("127.0.0.1:1", "http://127.0.0.1:2");
    assertThat(streams.silentFactor()).isEqualTo(100.0);
    assertThat(streams.streamsProperties())
        .containsEntry("linger.ms", "5")
        .containsEntry("bootstrap.servers", "127.0.0.1:1");
    assertThat(streams.registryUrl()).isEqualTo("http://127.0.0.1:2");
    assertThat(streams.metricsHost()).isEqualTo(c.bindHost());
    assertThat(Path.of(streams.getString(StreamsAppConfig.STATE_DIR_CONFIG)))
        .isEqualTo(c.dataDir().resolve("streams"));
  }

  @Test
  void theLocalRunsSimulatorIsSmallUnlessToldOtherwise() {
    DevStackConfig c = load(Map.of(), Map.of(DevStackConfig.DATA_DIR_CONFIG, tmp.toString()));
    SimulatorSettings s = c.simulator("b:1", "http://r").settings();
    assertThat(s.simulation().patients()).isEqualTo(2);
    assertThat(s.simulation().meters()).isEqualTo(2);
    assertThat(s.threads()).isEqualTo(1);
    assertThat(s.spoolDir()).isEqualTo(tmp.toAbsolutePath().resolve("simulator-spool"));
    assertThat(s.bootstrapServers()).isEqualTo("b:1");
    assertThat(SimulatorConfig.load(null, Map.of(), Map.of()).patients()).isEqualTo(10);
  }

  @Test
  void anySimulatorKeyPassesThrough() {
    DevStackConfig c =
        load(
            Map.of("BIOMETER_SIMULATOR_THREADS", "3"),
            Map.of("simulator.patients", "5", "simulator.redundancy", "failover"));
    SimulatorSettings s = c.simulator("b:1", "http://r").settings();
    assertThat(s.simulation().patients()).isEqualTo(5);
    assertThat(s.simulation().redundant()).isFalse();
    assertThat(s.threads()).isEqualTo(3);
    assertThat(c.simulatorPatients()).isEqualTo(5);
  }

  @Test
  void aBadPassedValueNamesTheFullKeyAndItsSource() {
    assertThatThrownBy(() -> load(Map.of(), Map.of("simulator.patients", "x")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("simulator.patients must be an integer >= 0, got x (from argument)");
    assertThatThrownBy(() -> load(Map.of("BIOMETER_STREAMS_METRICS_PORT", "-1"), Map.of()))
        .hasMessage(
            "streams.metrics.port must be 0 to 65535, got -1 (from env"
                + " BIOMETER_STREAMS_METRICS_PORT)");
  }

  @Test
  void aPassedFileKeyNamesTheFile() throws Exception {
    Path file = tmp.resolve("stack.properties");
    Files.writeString(file, "connect.port=0\n");
    assertThatThrownBy(() -> DevStackConfig.load(file, Map.of(), Map.of()))
        .hasMessage("connect.port must be 1 to 65535, got 0 (from file " + file + ")");
  }

  @Test
  void anUnknownPassedKeyGetsTheClosestPrefixedKey() {
    assertThatThrownBy(() -> load(Map.of(), Map.of("simulator.patiens", "3")))
        .hasMessage(
            "unknown key 'simulator.patiens', got 3 (from argument); did you mean"
                + " simulator.patients?");
  }

  @Test
  void aTypoInAPassedFamilyKeyGetsTheFixedKey() {
    assertThatThrownBy(() -> load(Map.of(), Map.of("streams.alerts.silent.factr", "100")))
        .hasMessage(
            "unknown key 'streams.alerts.silent.factr', got 100 (from argument); did you mean"
                + " streams.alerts.silent.factor?");
  }

  @Test
  void streamsEnabledInTheEnvironmentIsTheStacksKeyNotTheStreamsApps() {
    Map<String, String> env =
        Map.of("BIOMETER_STREAMS_ENABLED", "false", "BIOMETER_STREAMS_ALERTS_SILENT_FACTOR", "7");
    DevStackConfig c = load(env, Map.of());
    assertThat(c.streamsEnabled()).isFalse();
    assertThat(c.streams("b:1", "http://r").silentFactor()).isEqualTo(7.0);
    assertThat(c.streams("b:1", "http://r").originals()).doesNotContainKey("enabled");
    assertThat(StreamsAppConfig.load(null, env, Map.of()).silentFactor()).isEqualTo(7.0);
  }

  @Test
  void theStacksOwnBrokerCannotBeOverridden() {
    assertThatThrownBy(() -> load(Map.of(), Map.of("streams.bootstrap.servers", "elsewhere:9092")))
        .hasMessageStartingWith("streams.bootstrap.servers: the local stack sets it")
        .hasMessageContaining("got elsewhere:9092 (from argument)");
  }

  @Test
  void connectWorkerKeysPassToTheWorker() {
    DevStackConfig c =
        load(
            Map.of(),
            Map.of("connect.port", "18083", "connect.worker.offset.flush.interval.ms", "1000"));
    assertThat(c.connectPort()).isEqualTo(18083);
    assertThat(c.connect().workerOverrides()).containsEntry("offset.flush.interval.ms", "1000");
  }

  @Test
  void variablesOfOtherKeysAndOfTheScriptAreNoWorkerOverrides() {
    DevStackConfig c =
        load(
            Map.of(
                "BIOMETER_CONNECT_JAVA_OPTS", "-Xmx1g",
                "BIOMETER_KAFKA_LOG_LEVEL", "INFO",
                "BIOMETER_CONFIG", "x.properties"),
            Map.of());
    assertThat(c.connect().workerOverrides()).isEmpty();
  }

  @Test
  void noKeyOfTheStackIsAlsoAKeyOfAnApp() {
    DevStackConfig.CONFIG_DEF
        .names()
        .forEach(
            k -> {
              if (k.startsWith(DevStackConfig.STREAMS_PREFIX)) {
                assertThat(StreamsAppConfig.KEYS.accepts(k.substring(8))).as(k).isFalse();
              }
            });
  }

  @Test
  void theLocalSimulatorSendsThroughTheStacksGatewayOverMqtt() {
    DevStackConfig c = load(Map.of(), Map.of(DevStackConfig.DATA_DIR_CONFIG, tmp.toString()));
    GatewaySettings g =
        c.simulator("b:1", "http://r", "127.0.0.1", 18480, 11883, 18490, 18491)
            .settings()
            .gateway();
    assertThat(g.via()).isEqualTo(Via.MQTT);
    assertThat(g.address()).isEqualTo("127.0.0.1:11883");
    assertThat(g.httpPort()).isEqualTo(18480);
    assertThat(g.grpcPort()).isEqualTo(18490);
    assertThat(g.udpPort()).isEqualTo(18491);
    assertThat(g.tls()).isFalse();
    assertThat(SimulatorConfig.load(null, Map.of(), Map.of()).via())
        .as("the simulator alone")
        .isEqualTo(Via.KAFKA);
    assertThat(
            load(Map.of(), Map.of("simulator.via", "kafka"))
                .simulator("b:1", "http://r", "127.0.0.1", 1, 2, 3, 4)
                .via())
        .isEqualTo(Via.KAFKA);
  }

  @Test
  void withoutTheGatewayTheLocalSimulatorProducesToKafkaItself() {
    assertThat(
            load(Map.of(), Map.of("ingress.enabled", "false")).simulator("b:1", "http://r").via())
        .isEqualTo(Via.KAFKA);
    assertThat(load(Map.of(), Map.of("ingress.mqtt.port", "-1")).simulator("b:1", "http://r").via())
        .as("the gateway's MQTT off")
        .isEqualTo(Via.HTTP);
    assertThatThrownBy(
            () -> load(Map.of(), Map.of("ingress.enabled", "false", "simulator.via", "mqtt")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("simulator.via and ingress.enabled: ")
        .hasMessageContaining("set simulator.via=kafka or ingress.enabled=true");
    assertThatThrownBy(
            () -> load(Map.of(), Map.of("ingress.grpc.port", "-1", "simulator.via", "grpc")))
        .hasMessageStartingWith("simulator.via and ingress.grpc.port: ")
        .hasMessageContaining("gRPC is off");
    assertThatThrownBy(
            () -> load(Map.of(), Map.of("ingress.udp.port", "-1", "simulator.via", "udp")))
        .hasMessageStartingWith("simulator.via and ingress.udp.port: ")
        .hasMessageContaining("UDP is off");
    assertThatThrownBy(
            () -> load(Map.of(), Map.of("ingress.mqtt.port", "-1", "simulator.via", "udp")))
        .hasMessageStartingWith("simulator.via and ingress.mqtt.port: ")
        .hasMessageContaining("via udp the sinks send over MQTT");
  }

  @Test
  void theStackSetsTheSimulatorsGatewayAddressAndTrustsItsOwnKeyStore() throws Exception {
    Path keystore = Files.writeString(tmp.resolve("gateway.p12"), "not read here");
    assertThatThrownBy(() -> load(Map.of(), Map.of("simulator.gateway.mqtt.port", "1884")))
        .hasMessageStartingWith("simulator.gateway.mqtt.port: the local stack sets it");
    GatewaySettings g =
        load(
                Map.of(),
                Map.of(
                    "ingress.tls.keystore",
                    keystore.toString(),
                    "ingress.tls.keystore.password",
                    "changeit"))
            .simulator("b:1", "http://r", "0.0.0.0", 8480, 1883, 8490, 8491)
            .settings()
            .gateway();
    assertThat(g.host())
        .as("a wildcard bind address is reached on the loopback")
        .isEqualTo("127.0.0.1");
    assertThat(g.truststore()).isEqualTo(keystore);
    assertThat(g.truststorePassword()).isEqualTo("changeit");
  }
}
