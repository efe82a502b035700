package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.avro.Alert;
import io.biometer.avro.AlertState;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.DeviceCommand;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.MeterReading;
import io.biometer.avro.Provenance;
import io.biometer.avro.RelayKind;
import io.biometer.avro.SensorType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

/**
 * The command rules (docs/commands.md, "Rules: alerts that command") over the real topology: alert
 * transitions become commands on telemetry.commands, keyed by the target device.
 */
class CommandRulesTopologyTest {

  private final Instant t0 = Driver.WALL.minusSeconds(120);

  /**
   * A fever episode of temp-1 (patient-1): normal, above 38.0 °C, inside the 0.2 hysteresis band
   * (still raised), back below 37.8.
   */
  private static void feverEpisode(Driver d, Instant t0) {
    double[] values = {37.0, 38.5, 38.7, 38.1, 37.9, 37.5};
    for (int i = 0; i < values.length; i++) {
      d.send(
          Driver.reading(
              "temp-1", SensorType.BODY_TEMPERATURE, i, t0.plusSeconds(10L * i), "s", values[i]));
    }
  }

  @Test
  void aFeverEpisodeSwitchesThePatientsFanOnOnceAndOffOnce() {
    try (Driver d = new Driver().register("temp-1", SensorType.BODY_TEMPERATURE)) {
      feverEpisode(d, t0);
      assertThat(d.alerts.readValuesToList())
          .extracting(Alert::getState)
          .containsExactly(AlertState.RAISED, AlertState.CLEARED);

      List<KeyValue<String, DeviceCommand>> commands = d.commands.readKeyValuesToList();
      assertThat(commands).hasSize(2);
      assertThat(commands).extracting(kv -> kv.key).containsOnly("patient-1.fan");
      DeviceCommand on = commands.get(0).value;
      DeviceCommand off = commands.get(1).value;
      assertThat(on.getDeviceId()).isEqualTo("patient-1.fan");
      assertThat(on.getName()).isEqualTo("set_power");
      assertThat(on.getArguments()).isEqualTo(Map.of("state", "on"));
      assertThat(on.getIssuedBy()).isEqualTo("rule:fan");
      assertThat(on.getIssuedAt()).isEqualTo(Driver.WALL);
      assertThat(on.getExpiresAt()).isEqualTo(Driver.WALL.plusSeconds(60));
      assertThat(on.getCause())
          .contains("BODY_TEMPERATURE.body_temperature.high")
          .contains("RAISED")
          .contains("temp-1")
          .contains("38.50");
      assertThat(off.getArguments()).isEqualTo(Map.of("state", "off"));
      assertThat(off.getName()).isEqualTo("set_power");
      assertThat(off.getIssuedBy()).isEqualTo("rule:fan");
      assertThat(off.getCause()).contains("CLEARED").contains("37.50");
      assertThat(off.getCommandId()).isNotEqualTo(on.getCommandId());
      assertThat(d.metrics.count("biometer.commands.issued", "rule", "fan", "state", "RAISED"))
          .isEqualTo(1);
      assertThat(d.metrics.count("biometer.commands.issued", "rule", "fan", "state", "CLEARED"))
          .isEqualTo(1);
    }
  }

  @Test
  void theSameAlertProcessedAgainGivesTheSameCommandIds() {
    List<DeviceCommand> first;
    try (Driver d = new Driver().register("temp-1", SensorType.BODY_TEMPERATURE)) {
      feverEpisode(d, t0);
      first = d.commands.readValuesToList();
    }
    // The same readings again (a replay after a restore), five minutes later on the wall clock.
    try (Driver again = new Driver().register("temp-1", SensorType.BODY_TEMPERATURE)) {
      again.advanceWallClock(Duration.ofMinutes(5));
      feverEpisode(again, t0);
      List<DeviceCommand> second = again.commands.readValuesToList();
      assertThat(second).hasSize(2);
      assertThat(second.get(0).getIssuedAt()).isEqualTo(Driver.WALL.plusSeconds(300));
      assertThat(second)
          .extracting(DeviceCommand::getCommandId)
          .containsExactlyElementsOf(first.stream().map(DeviceCommand::getCommandId).toList());
    }
  }

  @Test
  void theTimeToLiveIsConfigured() {
    try (Driver d =
        new Driver(Map.of("rules.fan.ttl.ms", "15000"))
            .register("temp-1", SensorType.BODY_TEMPERATURE)) {
      feverEpisode(d, t0);
      assertThat(d.commands.readValuesToList())
          .extracting(DeviceCommand::getExpiresAt)
          .containsExactly(Driver.WALL.plusSeconds(15), Driver.WALL.plusSeconds(15));
    }
  }

  private static MeterReading dry(String meter, String site, Instant at) {
    return MeterReading.newBuilder()
        .setDeviceId(meter)
        .setSiteId(site)
        .setSequence(1)
        .setEventTime(at)
        .setValues(
            List.of(
                new ChannelValue("soil_temperature", 20.0), new ChannelValue("soil_humidity", 9.0)))
        .setBatteryPercent(80f)
        .setProvenance(new Provenance(RelayKind.UPLOAD_BATCH, meter + "/batch", Driver.WALL, false))
        .build();
  }

  @Test
  void aLateAlertCommandsNothingWhileAFreshOneOpensTheValve() {
    try (Driver d = new Driver()) {
      d.register("meter-1", SensorType.SOIL_METER, DeviceKind.SOIL_METER, "site-1", 900_000L);
      d.register("meter-2", SensorType.SOIL_METER, DeviceKind.SOIL_METER, "site-2", 900_000L);
      // Yesterday's dry soil at site-1, in a late batch; dry soil at site-2 now.
      d.send(dry("meter-1", "site-1", Driver.WALL.minus(Duration.ofHours(20))));
      d.send(dry("meter-2", "site-2", Driver.WALL.minusSeconds(30)));
      assertThat(d.alerts.readValuesToList())
          .extracting(Alert::getDeviceId, Alert::getLate)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("meter-1", true),
              org.assertj.core.groups.Tuple.tuple("meter-2", false));

      List<KeyValue<String, DeviceCommand>> commands = d.commands.readKeyValuesToList();
      assertThat(commands).extracting(kv -> kv.key).containsExactly("site-2.valve");
      DeviceCommand open = commands.get(0).value;
      assertThat(open.getName()).isEqualTo("set_valve");
      assertThat(open.getArguments()).isEqualTo(Map.of("state", "open"));
      assertThat(open.getIssuedBy()).isEqualTo("rule:valve");
      assertThat(d.metrics.count("biometer.commands.skipped", "rule", "valve", "reason", "late"))
          .isEqualTo(1);
    }
  }

  @Test
  void rulesDisabledCommandNothing() {
    try (Driver d =
        new Driver(Map.of("rules.enabled", "false"))
            .register("temp-1", SensorType.BODY_TEMPERATURE)) {
      feverEpisode(d, t0);
      assertThat(d.alerts.readValuesToList()).hasSize(2);
      assertThat(d.commands.isEmpty()).isTrue();
      assertThat(d.config.commandRules()).isEmpty();
    }
  }

  @Test
  void aRuleOfItsOwnCommandsTheAlertsDevice() {
    try (Driver d =
        new Driver(
                Map.of(
                    "rules.names", "fan,oxygen",
                    "rules.oxygen.alert", "BLOOD_OXYGEN.spo2.low",
                    "rules.oxygen.target", "{device}.flow",
                    "rules.oxygen.command", "set_flow",
                    "rules.oxygen.raised", "litres=2, mode=auto"))
            .register("spo2-1", SensorType.BLOOD_OXYGEN)) {
      d.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, 0, t0, "s", 90));
      d.send(Driver.reading("spo2-1", SensorType.BLOOD_OXYGEN, 1, t0.plusSeconds(1), "s", 99));
      assertThat(d.alerts.readValuesToList()).hasSize(2);
      List<KeyValue<String, DeviceCommand>> commands = d.commands.readKeyValuesToList();
      assertThat(commands).as("nothing on CLEARED: no arguments for it").hasSize(1);
      assertThat(commands.get(0).key).isEqualTo("spo2-1.flow");
      assertThat(commands.get(0).value.getArguments())
          .isEqualTo(Map.of("litres", "2", "mode", "auto"));
      assertThat(commands.get(0).value.getIssuedBy()).isEqualTo("rule:oxygen");
    }
  }
}
