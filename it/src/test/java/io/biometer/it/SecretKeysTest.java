package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.devstack.ConnectWorkerConfig;
import io.biometer.devstack.DevStackConfig;
import io.biometer.ingress.IngressConfig;
import io.biometer.serde.AvroSerdeConfig;
import io.biometer.simulator.SimulatorConfig;
import io.biometer.streams.StreamsAppConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

/**
 * Every key of every ConfigDef of ours that holds a secret is of type PASSWORD, so Kafka's config
 * dumps print {@code [hidden]} and {@code toString} never shows it (issue 16, secrets hygiene).
 */
class SecretKeysTest {

  private static final Pattern SECRET =
      Pattern.compile("password|user\\.info|secret|token|jaas|credentials?$");

  @Test
  void everySecretKeyIsAPassword() {
    Map<String, ConfigDef> defs =
        Map.of(
            "DevStackConfig", DevStackConfig.CONFIG_DEF,
            "ConnectWorkerConfig", ConnectWorkerConfig.CONFIG_DEF,
            "IngressConfig", IngressConfig.CONFIG_DEF,
            "AvroSerdeConfig", AvroSerdeConfig.CONFIG_DEF,
            "SimulatorConfig", SimulatorConfig.CONFIG_DEF,
            "StreamsAppConfig", StreamsAppConfig.CONFIG_DEF);
    List<String> secrets = new ArrayList<>();
    List<String> plain = new ArrayList<>();
    defs.forEach(
        (name, def) ->
            def.configKeys()
                .forEach(
                    (key, k) -> {
                      if (SECRET.matcher(key).find() && !key.endsWith(".source")) {
                        secrets.add(name + " " + key);
                        if (k.type != ConfigDef.Type.PASSWORD) {
                          plain.add(name + " " + key + " is " + k.type);
                        }
                      }
                    }));
    // Not vacuous: the keys this issue added are among them.
    assertThat(secrets)
        .contains(
            "StreamsAppConfig metrics.basic.auth.user.info",
            "IngressConfig metrics.basic.auth.user.info",
            "AvroSerdeConfig basic.auth.user.info",
            "IngressConfig tls.keystore.password");
    assertThat(plain).as("secret keys that are not of type PASSWORD").isEmpty();
  }
}
