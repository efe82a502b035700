package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.Topics;
import io.biometer.avro.BodyReading;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.CommandResponse;
import io.biometer.avro.CommandStatus;
import io.biometer.avro.CredentialType;
import io.biometer.avro.DeviceCommand;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.SensorType;
import io.biometer.devstack.DevStackConfig;
import io.biometer.devstack.LocalStack;
import io.biometer.devstack.StackFixture;
import io.biometer.ingress.IngressConfig;
import io.biometer.ingress.admin.CredentialAdmin;
import io.biometer.ingress.admin.CredentialAdmin.AddRequest;
import io.biometer.simulator.SimulatorConfig;
import io.biometer.simulator.SimulatorRun;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop from an alert to an action, on the embedded stack with every part real: a thermometer
 * posts a fever episode to the gateway; the streams app raises and clears the body-temperature
 * alert and its fan rule commands the patient's fan; the gateway delivers each command to the
 * simulator's fan over MQTT; the fan obeys, answers, and reports its state as readings (seed 002's
 * fan, ON above the threshold, OFF below it).
 */
class FanRuleIT {

  private static final String PATIENT = "patient-000700";
  private static final String FAN = PATIENT + ".fan";

  @TempDir Path dir;

  @Test
  void aFeverEpisodeSwitchesTheFanOnOnceAndOffOnceAndItsStateReadingsShowIt() throws Exception {
    Map<String, String> v = StackFixture.values(dir.resolve("stack"), false);
    v.put(DevStackConfig.INGRESS_ENABLED_CONFIG, "true");
    v.put(DevStackConfig.STREAMS_ENABLED_CONFIG, "true");
    DevStackConfig config = new DevStackConfig(v);
    try (LocalStack stack = LocalStack.start(config);
        SimulatorRun sim = simulator(stack, config)) {
      // The simulator registers the fan, its credential and the rule's grant, then connects it.
      Poll.until(
          Duration.ofSeconds(60),
          "the simulator's fan connects to the gateway",
          () ->
              Clients.readAll(stack, Topics.CONNECTIONS, Clients.specific(stack)).stream()
                  .anyMatch(r -> FAN.equals(r.key())));
      String password;
      try (CredentialAdmin admin =
          new CredentialAdmin(
              stack.bootstrapServers(), stack.registryUrl(), Map.of(), Duration.ofSeconds(30))) {
        password =
            admin
                .add(
                    new AddRequest(
                        PATIENT + ".probe",
                        DeviceKind.BODY_SENSOR,
                        SensorType.BODY_TEMPERATURE,
                        PATIENT,
                        List.of(),
                        CredentialType.HASHED_PASSWORD,
                        PATIENT + ".probe",
                        null,
                        1_000))
                .secret();
      }
      int port = config.ingress().getInt(IngressConfig.HTTP_PORT_CONFIG);
      postFever(port, password);

      List<DeviceCommand> commands =
          Poll.await(
              Duration.ofSeconds(90),
              Duration.ofMillis(500),
              "the fan rule commands the fan on, then off",
              () -> commandsFor(stack),
              cs -> cs.size() >= 2);
      assertThat(commands).extracting(DeviceCommand::getIssuedBy).containsOnly("rule:fan");
      assertThat(commands)
          .extracting(c -> c.getArguments().get("state").toString())
          .containsExactly("on", "off");

      for (DeviceCommand c : commands) {
        String id = c.getCommandId().toString();
        List<CommandStatus> statuses =
            Poll.await(
                Duration.ofSeconds(60),
                Duration.ofMillis(500),
                "the fan answers command " + id,
                () -> statusesOf(stack, id),
                s -> s.contains(CommandStatus.OK));
        assertThat(statuses).containsExactly(CommandStatus.DELIVERED, CommandStatus.OK);
      }

      List<Double> states =
          Poll.await(
              Duration.ofSeconds(60),
              Duration.ofMillis(500),
              "the fan reports it switched on and then off",
              () -> fanStates(stack),
              s -> s.equals(List.of(0.0, 1.0, 0.0)));
      assertThat(states).as("fan_power, repeats collapsed").containsExactly(0.0, 1.0, 0.0);
      assertThat(commandsFor(stack)).as("once each: no second ON or OFF").hasSize(2);
      assertThat(sim.failure()).isNull();
    }
  }

  private SimulatorRun simulator(LocalStack stack, DevStackConfig config) {
    IngressConfig gateway = config.ingress();
    Map<String, Object> m = new HashMap<>();
    m.put(SimulatorConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    m.put(SimulatorConfig.SCHEMA_REGISTRY_URL_CONFIG, stack.registryUrl());
    m.put(SimulatorConfig.VIA_CONFIG, "mqtt");
    m.put(SimulatorConfig.GATEWAY_HOST_CONFIG, "127.0.0.1");
    m.put(SimulatorConfig.GATEWAY_HTTP_PORT_CONFIG, gateway.getInt(IngressConfig.HTTP_PORT_CONFIG));
    m.put(SimulatorConfig.GATEWAY_MQTT_PORT_CONFIG, gateway.getInt(IngressConfig.MQTT_PORT_CONFIG));
    m.put(SimulatorConfig.GATEWAY_GRPC_PORT_CONFIG, gateway.getInt(IngressConfig.GRPC_PORT_CONFIG));
    m.put(SimulatorConfig.GATEWAY_UDP_PORT_CONFIG, gateway.getInt(IngressConfig.UDP_PORT_CONFIG));
    m.put(SimulatorConfig.PATIENTS_CONFIG, 1);
    m.put(SimulatorConfig.PATIENT_OFFSET_CONFIG, 700);
    m.put(SimulatorConfig.SENSORS_PER_PATIENT_CONFIG, 1);
    m.put(SimulatorConfig.CADENCE_CONFIG, "PT1M");
    m.put(SimulatorConfig.METERS_CONFIG, 0);
    m.put(SimulatorConfig.EPISODE_RATE_CONFIG, 0.0);
    m.put(SimulatorConfig.SPEED_CONFIG, 1);
    m.put(SimulatorConfig.SEED_CONFIG, 15L);
    m.put(SimulatorConfig.THREADS_CONFIG, 1);
    m.put(SimulatorConfig.SPOOL_DIR_CONFIG, dir.resolve("spool").toString());
    return SimulatorRun.start(
        new SimulatorConfig(m).settings(), (relay, device, seq, replay) -> {});
  }

  /** Normal, above 38.0 °C, inside the 0.2 hysteresis band (still raised), back below 37.8. */
  private static void postFever(int port, String password) throws Exception {
    double[] values = {37.0, 38.5, 38.7, 38.1, 37.9, 37.5};
    Instant t0 = Instant.now().minusSeconds(70);
    HttpClient http = HttpClient.newHttpClient();
    String auth =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((PATIENT + ".probe:" + password).getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < values.length; i++) {
      String body =
          "{\"deviceId\":\""
              + PATIENT
              + ".probe\",\"sequence\":"
              + i
              + ",\"sentAt\":\""
              + Instant.now()
              + "\",\"eventTime\":\""
              + t0.plusSeconds(10L * i)
              + "\",\"values\":{\"body_temperature\":"
              + values[i]
              + "},\"batteryPercent\":90}";
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/readings"))
                  .header("Authorization", auth)
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
  }

  private static List<DeviceCommand> commandsFor(LocalStack stack) {
    return Clients.readAll(stack, Topics.COMMANDS, Clients.specific(stack)).stream()
        .map(r -> (DeviceCommand) r.value())
        .filter(c -> c.getDeviceId().toString().equals(FAN))
        .toList();
  }

  private static List<CommandStatus> statusesOf(LocalStack stack, String id) {
    return Clients.readAll(stack, Topics.COMMAND_RESPONSES, Clients.specific(stack)).stream()
        .map(r -> (CommandResponse) r.value())
        .filter(r -> r.getCommandId().toString().equals(id))
        .map(CommandResponse::getStatus)
        .toList();
  }

  /** The fan's reported states in the order it measured them, repeats collapsed. */
  private static List<Double> fanStates(LocalStack stack) {
    List<BodyReading> readings = new ArrayList<>();
    for (var r : Clients.readAll(stack, Topics.BODY_READINGS, Clients.specific(stack))) {
      SpecificRecord value = r.value();
      if (value instanceof BodyReading b && b.getDeviceId().toString().equals(FAN)) {
        readings.add(b);
      }
    }
    readings.sort(Comparator.comparingLong(BodyReading::getSequence));
    List<Double> out = new ArrayList<>();
    for (BodyReading b : readings) {
      for (ChannelValue c : b.getValues()) {
        if (c.getChannel().toString().equals("fan_power")
            && (out.isEmpty() || Double.compare(out.get(out.size() - 1), c.getValue()) != 0)) {
          out.add(c.getValue());
        }
      }
    }
    return out;
  }
}
