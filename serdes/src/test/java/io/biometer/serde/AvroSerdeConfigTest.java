package io.biometer.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Confluent's registry auth keys, as a Connect or client config carries them. */
class AvroSerdeConfigTest {

  @Test
  void userInfoIsTakenWithConfluentsCredentialsSourceAndHiddenInToString() {
    AvroSerdeConfig c =
        new AvroSerdeConfig(
            Map.of(
                AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "http://127.0.0.1:8081",
                AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, "USER_INFO",
                AvroSerdeConfig.BASIC_AUTH_USER_INFO_CONFIG, "streams:s3cret"));
    assertThat(c.basicAuthUserInfo()).isEqualTo("streams:s3cret");
    assertThat(c.values().toString()).doesNotContain("s3cret");
  }

  @Test
  void aCredentialsSourceWeDoNotSupportIsRefusedByName() {
    assertThatThrownBy(
            () ->
                new AvroSerdeConfig(
                    Map.of(
                        AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "http://127.0.0.1:8081",
                        AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, "SASL_INHERIT")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("basic.auth.credentials.source")
        .hasMessageContaining("USER_INFO");
  }
}
