package io.biometer.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.streams.commands.CommandRule;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The {@code rules.*} keys: the default rules as docs/commands.md has them, and clear errors. */
class CommandRulesConfigTest {

  private static StreamsAppConfig load(Map<String, String> args) {
    return StreamsAppConfig.load(null, Map.of(), args);
  }

  private static void refused(Map<String, String> args, String... inMessage) {
    assertThatThrownBy(() -> load(args))
        .isInstanceOf(ConfigException.class)
        .message()
        .contains(inMessage);
  }

  @Test
  void theDefaultRulesAreTheFanAndTheValve() {
    assertThat(load(Map.of()).commandRules())
        .containsExactly(
            new CommandRule(
                "fan",
                "BODY_TEMPERATURE.body_temperature.high",
                "{owner}.fan",
                "set_power",
                Map.of("state", "on"),
                Map.of("state", "off"),
                Duration.ofSeconds(60)),
            new CommandRule(
                "valve",
                "SOIL_METER.soil_humidity.low",
                "{owner}.valve",
                "set_valve",
                Map.of("state", "open"),
                Map.of("state", "closed"),
                Duration.ofSeconds(60)));
  }

  @Test
  void aRuleIsSetFromTheEnvironment() {
    StreamsAppConfig c =
        StreamsAppConfig.load(
            null,
            Map.of(
                "BIOMETER_STREAMS_RULES_NAMES", "fan,mist",
                "BIOMETER_STREAMS_RULES_FAN_TTL_MS", "5000",
                "BIOMETER_STREAMS_RULES_MIST_ALERT", "DEHYDRATION.body_water.low",
                "BIOMETER_STREAMS_RULES_MIST_TARGET", "{owner}.mister",
                "BIOMETER_STREAMS_RULES_MIST_COMMAND", "set_power",
                "BIOMETER_STREAMS_RULES_MIST_RAISED", "state=on"),
            Map.of());
    assertThat(c.commandRules()).extracting(CommandRule::name).containsExactly("fan", "mist");
    assertThat(c.commandRules().get(0).ttl()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.commandRules().get(1).onCleared()).isEmpty();
  }

  @Test
  void anAlertThatNoRuleRaisesIsRefusedNamingTheKey() {
    refused(
        Map.of("rules.fan.alert", "BODY_TEMPERATURE.temperature.high"),
        "rules.fan.alert",
        "BODY_TEMPERATURE.temperature.high");
  }

  @Test
  void argumentsThatAreNotPairsAreRefusedNamingTheKey() {
    refused(Map.of("rules.valve.raised", "open"), "rules.valve.raised", "key=value");
  }

  @Test
  void aTargetWithAnUnknownPlaceholderIsRefusedNamingTheKey() {
    refused(Map.of("rules.fan.target", "{patient}.fan"), "rules.fan.target", "{owner}");
  }

  @Test
  void aTimeToLiveOfZeroIsRefusedNamingTheKey() {
    refused(Map.of("rules.fan.ttl.ms", "0"), "rules.fan.ttl.ms");
  }

  @Test
  void aListedRuleWithoutItsSettingsIsRefusedNamingTheMissingKey() {
    refused(Map.of("rules.names", "fan,pump"), "rules.pump.alert");
    refused(
        Map.of(
            "rules.names", "pump",
            "rules.pump.alert", "sink.down",
            "rules.pump.target", "{owner}.pump",
            "rules.pump.command", "start"),
        "rules.pump.raised",
        "never command");
  }

  @Test
  void aRuleKeyOfANameNotListedIsRefusedNamingTheKey() {
    refused(
        Map.of("rules.pump.alert", "sink.down"), "rules.pump.alert", "not listed in rules.names");
  }

  @Test
  void anUnknownSettingOrBadNameIsRefusedNamingTheKey() {
    refused(Map.of("rules.pump.speed", "2"), "rules.pump.speed", "not a rule setting");
    refused(Map.of("rules.names", "fan,Big-Fan"), "rules.names", "Big-Fan");
  }
}
