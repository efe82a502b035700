package io.biometer.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The simulator's one config: its keys, its options, its sources and its one-line errors. */
class SimulatorConfigTest {

  @TempDir Path tmp;

  private static SimulatorConfig parse(Map<String, String> env, String... args) {
    SimulatorApp.Run run = new SimulatorApp.Run();
    CommandLine cl = new CommandLine(run);
    cl.parseArgs(args);
    return run.config(env);
  }

  @Test
  void defaultsAreTheConfigDefsAndTheHelpShowsThem() {
    SimulatorConfig c = SimulatorConfig.load(null, Map.of(), Map.of());
    assertThat(c.patients()).isEqualTo(10);
    assertThat(c.meters()).isEqualTo(4);
    assertThat(c.settings().threads()).isEqualTo(2);
    StringWriter out = new StringWriter();
    SimulatorApp.run(
        new String[] {"run", "--help"}, new PrintWriter(out, true), new PrintWriter(out, true));
    assertThat(out.toString()).contains("Patients, each with two sinks (default: 10)");
  }

  @Test
  void actuatorsAreOnUnlessSwitchedOff() {
    assertThat(SimulatorConfig.load(null, Map.of(), Map.of()).settings().simulation().actuators())
        .isTrue();
    assertThat(
            SimulatorConfig.load(
                    null, Map.of(), Map.of(SimulatorConfig.ACTUATORS_ENABLED_CONFIG, "false"))
                .settings()
                .simulation()
                .actuators())
        .isFalse();
  }

  @Test
  void everyOptionIsAKey() {
    CommandLine cl = new CommandLine(new SimulatorApp.Run());
    cl.getCommandSpec()
        .options()
        .forEach(
            o -> {
              String name = o.longestName();
              if (!name.equals("--help")
                  && !name.equals("--version")
                  && !name.equals("--config")
                  && !name.equals("--producer")) {
                assertThat(SimulatorConfig.keyOf(name)).as(name).isNotNull();
              }
            });
  }

  @Test
  void fileThenEnvironmentThenOptionsThenArgumentsWin() throws Exception {
    Path file = tmp.resolve("sim.properties");
    Files.writeString(file, "patients=1\nmeters=1\nthreads=1\nspeed=3\n");
    SimulatorConfig c =
        parse(
            Map.of("BIOMETER_SIMULATOR_METERS", "2", "BIOMETER_SIMULATOR_THREADS", "2"),
            "--config",
            file.toString(),
            "--threads",
            "3",
            "--speed",
            "60",
            "--producer",
            "linger.ms=5",
            "speed=1440",
            "sink.wake.at=70");
    SimulatorSettings s = c.settings();
    assertThat(s.simulation().patients()).isEqualTo(1);
    assertThat(s.simulation().meters()).isEqualTo(2);
    assertThat(s.threads()).isEqualTo(3);
    assertThat(s.speed()).isEqualTo(1440.0);
    assertThat(s.simulation().sinkBattery().wakeAt()).isEqualTo(70.0);
    assertThat(s.producerOverrides()).containsEntry("linger.ms", "5");
  }

  @Test
  void rateSetsTheCadence() {
    SimulatorSettings s =
        parse(Map.of(), "--patients", "10", "--rate", "100", "--speed", "1").settings();
    assertThat(s.simulation().cadence()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aBadArgumentNamesKeyValueAllowedAndSource() {
    assertThatThrownBy(() -> parse(Map.of(), "patients=x"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("patients must be an integer >= 0, got x (from argument)");
  }

  @Test
  void aBadEnvironmentValueNamesTheVariable() {
    assertThatThrownBy(() -> parse(Map.of("BIOMETER_SIMULATOR_REDUNDANCY", "all")))
        .hasMessage(
            "redundancy must be one of both, failover, got all (from env"
                + " BIOMETER_SIMULATOR_REDUNDANCY)");
  }

  @Test
  void anUnknownKeyInTheFileIsRefusedWithTheClosestKey() throws Exception {
    Path file = tmp.resolve("sim.properties");
    Files.writeString(file, "patinets=3\n");
    assertThatThrownBy(() -> parse(Map.of(), "--config", file.toString()))
        .hasMessage(
            "unknown key 'patinets', got 3 (from file " + file + "); did you mean patients?");
  }

  @Test
  void theLocalStacksSimulatorEnabledVariableIsNotReadAsAKey() {
    assertThat(parse(Map.of("BIOMETER_SIMULATOR_ENABLED", "false")).originals())
        .doesNotContainKey("enabled");
  }

  @Test
  void aSinkKeyOutOfRangeIsBlamedOnItselfWithItsSource() {
    assertThatThrownBy(() -> parse(Map.of(), "sink.charging.hours=30"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("sink.charging.hours must be >= 0 and < 24, got 30 (from argument)");
    assertThatThrownBy(() -> parse(Map.of("BIOMETER_SIMULATOR_SINK_CHARGE_PER_HOUR", "0")))
        .hasMessage(
            "sink.charge.per.hour must be > 0, got 0 (from env"
                + " BIOMETER_SIMULATOR_SINK_CHARGE_PER_HOUR)");
    assertThatThrownBy(() -> parse(Map.of(), "--sink-wake-at", "120"))
        .hasMessage("--sink-wake-at must be 0 to 100, got 120 (from option --sink-wake-at)");
    assertThatThrownBy(() -> parse(Map.of(), "sink.relay.cost=-1"))
        .hasMessage("sink.relay.cost must be >= 0, got -1 (from argument)");
  }

  @Test
  void sleepAboveWakeNamesBothKeysWithTheirSourcesOrDefaults() {
    assertThatThrownBy(() -> parse(Map.of(), "sink.sleep.below=70").settings())
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "sink.sleep.below and sink.wake.at: need sleep threshold < wake threshold, got sink.sleep.below=70 (from argument) and"
                + " sink.wake.at=60.0 (default)");
    assertThatThrownBy(() -> parse(Map.of("BIOMETER_SIMULATOR_SINK_WAKE_AT", "5")))
        .hasMessage(
            "sink.sleep.below and sink.wake.at: need sleep threshold < wake threshold, got sink.sleep.below=10.0 (default) and sink.wake.at=5"
                + " (from env BIOMETER_SIMULATOR_SINK_WAKE_AT)");
  }

  @Test
  void everyOptionsHelpIsItsKeysDocWithTheDefaultOfTheDefinition() {
    StringWriter out = new StringWriter();
    SimulatorApp.run(
        new String[] {"run", "--help"}, new PrintWriter(out, true), new PrintWriter(out, true));
    String help = out.toString().replaceAll("\\s+", " ");
    assertThat(help)
        .contains("Sink battery percent at which a sleeping sink wakes (default: 60).")
        .contains("Publish every device to telemetry.devices at start (default: true).")
        .contains("Wall time to run, ISO-8601 (e.g. PT60S). Default: none, until Ctrl-C.")
        .contains("Simulated seconds per wall second");
    CommandLine cl = new CommandLine(new SimulatorApp.Run());
    cl.getCommandSpec()
        .options()
        .forEach(
            o -> {
              String key = SimulatorConfig.keyOf(o.longestName());
              if (key != null) {
                String expected =
                    SimulatorApp.OptionDocs.help(SimulatorConfig.CONFIG_DEF.configKeys().get(key));
                assertThat(String.join(" ", o.description()))
                    .as(o.longestName())
                    .isEqualTo(
                        expected.replace(
                            "${DEFAULT-VALUE}",
                            String.valueOf(new SimulatorApp.Defaults().defaultValue(o))));
              }
            });
  }

  @Test
  void throughTheGatewayTheDevicesAreRegisteredOrTheConfigSaysWhatToChange() {
    assertThatThrownBy(() -> parse(Map.of(), "--via", "mqtt", "--no-register"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--via and --register: through the gateway")
        .hasMessageContaining("set register=true or via=kafka");
    assertThatThrownBy(() -> parse(Map.of(), "via=coap"))
        .hasMessageContaining("via must be one of")
        .hasMessageContaining("(from argument)");
  }

  @Test
  void theGatewayKeysMakeTheGatewaySettings() throws Exception {
    Path store = Files.writeString(tmp.resolve("gw.p12"), "not read here");
    io.biometer.simulator.gateway.GatewaySettings g =
        parse(
                Map.of("BIOMETER_SIMULATOR_GATEWAY_TLS_TRUSTSTORE_PASSWORD", "changeit"),
                "--via",
                "ws",
                "--gateway-host",
                "gw.example",
                "--gateway-http-port",
                "9443",
                "--gateway-tls-truststore",
                store.toString(),
                "gateway.window=8")
            .settings()
            .gateway();
    assertThat(g.via()).isEqualTo(io.biometer.simulator.gateway.Via.WS);
    assertThat(g.address()).isEqualTo("gw.example:9443");
    assertThat(g.tls()).isTrue();
    assertThat(g.truststorePassword()).isEqualTo("changeit");
    assertThat(g.window()).isEqualTo(8);
    assertThatThrownBy(() -> parse(Map.of(), "gateway.window=65"))
        .hasMessageContaining("gateway.window");
    assertThatThrownBy(
            () -> parse(Map.of(), "--via", "mqtt", "gateway.tls.truststore=" + tmp.resolve("none")))
        .hasMessageContaining("gateway.tls.truststore")
        .hasMessageContaining("no readable file");
  }

  @Test
  void sequencesStartAtZeroViaKafkaAndAtTheWallClockThroughTheGateway() {
    long before = System.currentTimeMillis() * 1000;
    assertThat(parse(Map.of()).settings().simulation().sequenceOrigin()).isZero();
    assertThat(parse(Map.of(), "--via", "mqtt").settings().simulation().sequenceOrigin())
        .as("a restarted simulator counts on above the gateway's replay windows")
        .isBetween(before, System.currentTimeMillis() * 1000);
    assertThat(
            parse(Map.of(), "--via", "mqtt", "--sequence-origin", "0")
                .settings()
                .simulation()
                .sequenceOrigin())
        .isZero();
  }
}
