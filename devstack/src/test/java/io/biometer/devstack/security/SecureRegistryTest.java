package io.biometer.devstack.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.config.http.EndpointSecurity;
import io.biometer.registry.CompatibilityLevel;
import io.biometer.registry.HttpSchemaRegistryClient;
import io.biometer.registry.SchemaRegistryClient;
import io.biometer.registry.SchemaRegistryException;
import io.biometer.registry.server.EmbeddedSchemaRegistry;
import io.biometer.registry.server.RegistryAccess;
import io.biometer.serde.AvroSerdeConfig;
import io.biometer.serde.SchemaRegistryClients;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry of the secure mode: HTTPS with the local CA's certificate and HTTP Basic roles. Our
 * client and serdes reach it with Confluent's keys ({@code schema.registry.ssl.truststore.*},
 * {@code basic.auth.*}); a client that does not trust the local CA or speaks plain HTTP gets no
 * schema.
 */
class SecureRegistryTest {

  private static final Schema SCHEMA =
      SchemaBuilder.record("R").fields().requiredString("a").endRecord();

  @TempDir static Path dir;
  private static LocalSecurity security;
  private static EmbeddedSchemaRegistry registry;

  @BeforeAll
  static void start() throws Exception {
    security = LocalSecurity.ensure(dir.resolve("security"));
    registry =
        EmbeddedSchemaRegistry.startInMemory(
            CompatibilityLevel.BACKWARD,
            "127.0.0.1",
            0,
            RegistryAccess.users()
                .with("admin", security.password("admin"), RegistryAccess.Role.WRITE)
                .with("streams", security.password("streams"), RegistryAccess.Role.READ),
            EndpointSecurity.sslContext(security.keystore("registry"), security.storePassword()));
  }

  @AfterAll
  static void stop() {
    registry.close();
  }

  private static Map<String, Object> serde(String principal) {
    Map<String, Object> m = new HashMap<>();
    m.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, registry.url());
    m.put(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, "USER_INFO");
    m.put(AvroSerdeConfig.BASIC_AUTH_USER_INFO_CONFIG, security.registryUserInfo(principal));
    m.put(AvroSerdeConfig.SSL_TRUSTSTORE_LOCATION_CONFIG, security.truststore().toString());
    m.put(AvroSerdeConfig.SSL_TRUSTSTORE_PASSWORD_CONFIG, security.storePassword());
    return m;
  }

  private static SchemaRegistryClient client(Map<String, Object> m) {
    return SchemaRegistryClients.fromConfig(m, new AvroSerdeConfig(m));
  }

  @Test
  void theAdminRegistersAndAReaderLooksUpOverHttpsTrustingTheLocalCa() {
    assertThat(registry.url()).startsWith("https://127.0.0.1:");
    int id = client(serde("admin")).register("t-value", SCHEMA);
    assertThat(client(serde("streams")).lookup("t-value", SCHEMA).id()).isEqualTo(id);
    assertThatThrownBy(() -> client(serde("streams")).register("u-value", SCHEMA))
        .isInstanceOf(SchemaRegistryException.class)
        .satisfies(e -> assertThat(((SchemaRegistryException) e).status()).isEqualTo(403));
  }

  @Test
  void aClientThatDoesNotTrustTheLocalCaIsRefusedTheHandshake() throws Exception {
    Map<String, Object> m = serde("admin");
    m.remove(AvroSerdeConfig.SSL_TRUSTSTORE_LOCATION_CONFIG);
    assertThatThrownBy(() -> client(m).subjects())
        .isInstanceOf(SchemaRegistryException.class)
        .hasStackTraceContaining("PKIX path building failed");
    LocalCa other = LocalCa.create("someone else's CA");
    Path trust = dir.resolve("other.p12");
    other.writeTrustStore(trust, "x".toCharArray());
    m.put(AvroSerdeConfig.SSL_TRUSTSTORE_LOCATION_CONFIG, trust.toString());
    m.put(AvroSerdeConfig.SSL_TRUSTSTORE_PASSWORD_CONFIG, "x");
    assertThatThrownBy(() -> client(m).subjects())
        .isInstanceOf(SchemaRegistryException.class)
        .hasStackTraceContaining("PKIX path building failed");
  }

  @Test
  void plainHttpToTheTlsPortGetsNoSchema() {
    String http = registry.url().replace("https://", "http://");
    HttpSchemaRegistryClient plain =
        new HttpSchemaRegistryClient(
            new HttpSchemaRegistryClient.Settings(
                List.of(http),
                Duration.ofSeconds(2),
                Duration.ofSeconds(3),
                0,
                Duration.ofMillis(100),
                Duration.ofMillis(100),
                security.registryUserInfo("admin")));
    assertThatThrownBy(plain::subjects).isInstanceOf(SchemaRegistryException.class);
  }
}
