package io.biometer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayeredConfigTest {

  @TempDir Path tmp;

  static final ConfigDef APP =
      new ConfigDef()
          .define("metrics.port", Type.INT, 8090, Range.between(1, 65535), Importance.LOW, "")
          .define(
              "guarantee",
              Type.STRING,
              "exactly_once_v2",
              ConfigDef.ValidString.in("exactly_once_v2", "at_least_once"),
              Importance.LOW,
              "")
          .define("speed", Type.DOUBLE, 1.0, ConfigValidators.greaterThan(0), Importance.LOW, "");

  static final ConfigKeys APP_KEYS = ConfigKeys.of("BIOMETER_APP_", APP, "kafka.");

  static final ConfigDef STACK =
      new ConfigDef()
          .define("kafka.port", Type.INT, 9092, Range.between(1, 65535), Importance.LOW, "")
          .define("app.enabled", Type.BOOLEAN, true, Importance.LOW, "");

  static final ConfigKeys STACK_KEYS =
      ConfigKeys.of("BIOMETER_", STACK).withChild("app.", APP_KEYS);

  static final class App extends AbstractConfig {
    App(Map<?, ?> values) {
      super(APP, values, false);
    }
  }

  private static App app(LayeredConfig c) {
    return c.build(App::new);
  }

  @Test
  void fileThenEnvironmentThenArgumentsWinAndEachValueKnowsItsSource() throws Exception {
    Path file = tmp.resolve("app.properties");
    Files.writeString(file, "metrics.port=1\nspeed=2\nguarantee=at_least_once\n");
    LayeredConfig c =
        LayeredConfig.load(
            APP_KEYS,
            file,
            Map.of("BIOMETER_APP_SPEED", "3", "BIOMETER_APP_METRICS_PORT", "4"),
            Map.of("metrics.port", "5"));
    App a = app(c);
    assertThat(a.getInt("metrics.port")).isEqualTo(5);
    assertThat(a.getDouble("speed")).isEqualTo(3.0);
    assertThat(a.getString("guarantee")).isEqualTo("at_least_once");
    assertThat(c.get("guarantee").orElseThrow().source()).isEqualTo(ConfigSource.file(file));
    assertThat(c.get("speed").orElseThrow().source())
        .isEqualTo(ConfigSource.env("BIOMETER_APP_SPEED"));
    assertThat(c.get("metrics.port").orElseThrow().source()).isEqualTo(ConfigSource.argument());
  }

  @Test
  void aValueOfTheWrongTypeNamesKeyValueAllowedAndArgument() {
    LayeredConfig c = LayeredConfig.load(APP_KEYS, null, Map.of(), Map.of("metrics.port", "x"));
    assertThatThrownBy(() -> app(c))
        .isInstanceOf(ConfigException.class)
        .hasMessage("metrics.port must be an integer 1 to 65535, got x (from argument)");
  }

  @Test
  void aValueOutOfRangeNamesTheEnvironmentVariable() {
    LayeredConfig c =
        LayeredConfig.load(APP_KEYS, null, Map.of("BIOMETER_APP_METRICS_PORT", "70000"), Map.of());
    assertThatThrownBy(() -> app(c))
        .hasMessage(
            "metrics.port must be 1 to 65535, got 70000 (from env BIOMETER_APP_METRICS_PORT)");
  }

  @Test
  void aValueNotInTheListNamesTheFile() throws Exception {
    Path file = tmp.resolve("app.properties");
    Files.writeString(file, "guarantee=sometimes\n");
    LayeredConfig c = LayeredConfig.load(APP_KEYS, file, Map.of(), Map.of());
    assertThatThrownBy(() -> app(c))
        .hasMessage(
            "guarantee must be one of exactly_once_v2, at_least_once, got sometimes (from file "
                + file
                + ")");
  }

  @Test
  void aDescribedValidatorSaysWhatItAllows() {
    LayeredConfig c = LayeredConfig.load(APP_KEYS, null, Map.of(), Map.of("speed", "0"));
    assertThatThrownBy(() -> app(c)).hasMessage("speed must be > 0, got 0 (from argument)");
  }

  @Test
  void anUnknownKeyIsRefusedWithTheClosestKnownKey() {
    assertThatThrownBy(
            () -> LayeredConfig.load(APP_KEYS, null, Map.of(), Map.of("metrics.prot", "1")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "unknown key 'metrics.prot', got 1 (from argument); did you mean metrics.port?");
  }

  @Test
  void anUnknownKeyFarFromEveryKeyGetsNoSuggestion() throws Exception {
    Path file = tmp.resolve("app.properties");
    Files.writeString(file, "completely.different=1\n");
    assertThatThrownBy(() -> LayeredConfig.load(APP_KEYS, file, Map.of(), Map.of()))
        .hasMessageStartingWith(
            "unknown key 'completely.different', got 1 (from file " + file + "); no key is close");
  }

  @Test
  void aFamilyKeyOneLetterFromAFixedKeyIsATypo() {
    ConfigKeys keys =
        ConfigKeys.of(
            "BIOMETER_APP_",
            new ConfigDef().define("alerts.silent.factor", Type.DOUBLE, 3.0, Importance.LOW, ""),
            "alerts.");
    assertThat(
            LayeredConfig.load(keys, null, Map.of(), Map.of("alerts.ECG.severity", "LOW")).values())
        .containsKey("alerts.ECG.severity");
    assertThatThrownBy(
            () -> LayeredConfig.load(keys, null, Map.of(), Map.of("alerts.silent.factr", "1")))
        .hasMessage(
            "unknown key 'alerts.silent.factr', got 1 (from argument); did you mean"
                + " alerts.silent.factor?");
  }

  @Test
  void familyKeysPassAndAreReadFromTheEnvironment() {
    LayeredConfig c =
        LayeredConfig.load(
            APP_KEYS, null, Map.of("BIOMETER_APP_KAFKA_LINGER_MS", "5"), Map.of("kafka.acks", "1"));
    assertThat(c.values()).containsEntry("kafka.linger.ms", "5").containsEntry("kafka.acks", "1");
  }

  @Test
  void aChildsKeysPassThroughWithThePrefixStrippedAndErrorsNamingTheFullKey() {
    LayeredConfig stack =
        LayeredConfig.load(
            STACK_KEYS,
            null,
            Map.of("BIOMETER_APP_SPEED", "2"),
            Map.of("app.metrics.port", "x", "app.kafka.linger.ms", "5", "kafka.port", "1"));
    assertThat(stack.values()).containsOnlyKeys("kafka.port");
    LayeredConfig app = stack.child("app.");
    assertThat(app.values())
        .containsEntry("speed", "2")
        .containsEntry("kafka.linger.ms", "5")
        .containsKey("metrics.port");
    assertThatThrownBy(() -> app(app))
        .hasMessage("app.metrics.port must be an integer 1 to 65535, got x (from argument)");
  }

  @Test
  void anUnknownChildKeyIsRefusedWithThePrefixedSuggestion() {
    assertThatThrownBy(
            () -> LayeredConfig.load(STACK_KEYS, null, Map.of(), Map.of("app.sped", "1")))
        .hasMessage("unknown key 'app.sped', got 1 (from argument); did you mean app.speed?");
  }

  @Test
  void aParentsOwnKeyUnderTheChildPrefixIsNotReadByTheChildAlone() {
    Map<String, String> env = Map.of("BIOMETER_APP_ENABLED", "false");
    assertThat(LayeredConfig.load(APP_KEYS, null, env, Map.of()).values()).isEmpty();
    assertThat(LayeredConfig.load(STACK_KEYS, null, env, Map.of()).values())
        .containsEntry("app.enabled", "false");
  }

  @Test
  void aChildMustUseItsParentsVariableForItsPrefix() {
    assertThatThrownBy(
            () -> ConfigKeys.of("BIOMETER_", STACK).withChild("app.", ConfigKeys.of("APP_", APP)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void defaultsAFromACallerSitBelowTheUsersValues() {
    LayeredConfig c =
        LayeredConfig.load(APP_KEYS, null, Map.of(), Map.of("speed", "2"))
            .withDefaults(
                Map.of("speed", "9", "metrics.port", "7"), ConfigSource.layer("the local stack"));
    assertThat(c.values()).containsEntry("speed", "2").containsEntry("metrics.port", "7");
    assertThat(c.get("metrics.port").orElseThrow().source().toString())
        .isEqualTo("the local stack");
  }

  @Test
  void aCrossKeyErrorNamesTheKeyAndSource() {
    LayeredConfig c = LayeredConfig.load(APP_KEYS, null, Map.of(), Map.of("speed", "3"));
    assertThat(c.invalid("speed", "too fast with metrics.port 1").getMessage())
        .isEqualTo("speed: too fast with metrics.port 1, got 3 (from argument)");
  }

  @Test
  void anErrorOfSeveralKeysNamesEachWithItsSourceOrDefault() {
    LayeredConfig c =
        LayeredConfig.empty(APP_KEYS)
            .with(Map.of("speed", "3"), ConfigSource.option("--speed"))
            .withEnv(Map.of("BIOMETER_APP_GUARANTEE", "at_least_once"));
    assertThat(
            c.invalid(List.of("speed", "guarantee", "metrics.port"), "do not go together")
                .getMessage())
        .isEqualTo(
            "--speed, guarantee and metrics.port: do not go together, got --speed=3 (from option"
                + " --speed), guarantee=at_least_once (from env BIOMETER_APP_GUARANTEE) and"
                + " metrics.port=8090 (default)");
  }

  @Test
  void aFamilyKeyKnownByNameIsReadFromTheEnvironmentInItsOwnSpelling() {
    ConfigKeys keys =
        ConfigKeys.of("BIOMETER_APP_", APP, "alerts.")
            .withFamilyKeys(List.of("alerts.ECG.heart_rate.high"));
    assertThat(
            keys.fromEnv(
                Map.of(
                    "BIOMETER_APP_ALERTS_ECG_HEART_RATE_HIGH", "150",
                    "BIOMETER_APP_ALERTS_OTHER_KEY", "1")))
        .containsEntry(
            "alerts.ECG.heart_rate.high",
            new ConfigValue("150", ConfigSource.env("BIOMETER_APP_ALERTS_ECG_HEART_RATE_HIGH")))
        .containsKey("alerts.other.key")
        .doesNotContainKey("alerts.ecg.heart.rate.high");
  }

  @Test
  void aFamilyKeyKnownByNameIsResolvedThroughAParent() {
    ConfigKeys stack =
        ConfigKeys.of("BIOMETER_", STACK)
            .withChild(
                "app.",
                ConfigKeys.of("BIOMETER_APP_", APP, "alerts.")
                    .withFamilyKeys(List.of("alerts.ECG.heart_rate.high")));
    assertThat(stack.fromEnv(Map.of("BIOMETER_APP_ALERTS_ECG_HEART_RATE_HIGH", "150")))
        .containsOnlyKeys("app.alerts.ECG.heart_rate.high");
  }

  @Test
  void anOptionIsNamedAsTheOption() {
    LayeredConfig c =
        LayeredConfig.empty(APP_KEYS).with(Map.of("speed", "-1"), ConfigSource.option("--speed"));
    assertThatThrownBy(() -> app(c))
        .hasMessage("--speed must be > 0, got -1 (from option --speed)");
  }

  @Test
  void environmentNamesAreTheKeyInUpperCaseWithDotsAndDashesAsUnderscores() {
    assertThat(APP_KEYS.envName("metrics.port")).isEqualTo("BIOMETER_APP_METRICS_PORT");
    assertThat(APP_KEYS.envName("sink-wake.at")).isEqualTo("BIOMETER_APP_SINK_WAKE_AT");
  }
}
