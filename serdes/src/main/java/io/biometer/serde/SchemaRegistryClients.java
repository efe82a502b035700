package io.biometer.serde;

import io.biometer.registry.HttpSchemaRegistryClient;
import io.biometer.registry.MockSchemaRegistry;
import io.biometer.registry.SchemaRegistryClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Creates the registry client a serde configuration asks for. Public so that other biometer
 * components reading the same keys (the Connect converter) build their client the same way.
 */
public final class SchemaRegistryClients {

  private SchemaRegistryClients() {}

  /** The client given as an instance, or one for the configured URLs. */
  public static SchemaRegistryClient fromConfig(Map<String, ?> props, AvroSerdeConfig config) {
    Object given = props.get(AvroSerdeConfig.SCHEMA_REGISTRY_CLIENT_CONFIG);
    if (given instanceof SchemaRegistryClient client) {
      return client;
    }
    if (given != null) {
      throw new ConfigException(
          AvroSerdeConfig.SCHEMA_REGISTRY_CLIENT_CONFIG,
          given.getClass().getName(),
          "must be an instance of " + SchemaRegistryClient.class.getName());
    }
    List<String> urls = config.registryUrls();
    if (urls.isEmpty()) {
      throw new ConfigException(
          "Missing required configuration '"
              + AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG
              + "': set it to the schema registry's URL, e.g. http://127.0.0.1:8081");
    }
    String first = urls.get(0);
    if (first.startsWith(MockSchemaRegistry.SCHEME)) {
      return MockSchemaRegistry.client(first.substring(MockSchemaRegistry.SCHEME.length()));
    }
    try {
      return new HttpSchemaRegistryClient(
          new HttpSchemaRegistryClient.Settings(
              urls,
              Duration.ofMillis(config.getInt(AvroSerdeConfig.CONNECT_TIMEOUT_MS_CONFIG)),
              Duration.ofMillis(config.getInt(AvroSerdeConfig.REQUEST_TIMEOUT_MS_CONFIG)),
              config.getInt(AvroSerdeConfig.MAX_RETRIES_CONFIG),
              Duration.ofMillis(config.getInt(AvroSerdeConfig.RETRY_BACKOFF_MS_CONFIG)),
              Duration.ofMillis(config.getInt(AvroSerdeConfig.RETRY_BACKOFF_MAX_MS_CONFIG)),
              config.basicAuthUserInfo(),
              trust(config)));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, String.join(",", urls), e.getMessage());
    }
  }

  /** The TLS context trusting {@code schema.registry.ssl.truststore.*}, or null for none. */
  private static javax.net.ssl.SSLContext trust(AvroSerdeConfig config) {
    String location = config.getString(AvroSerdeConfig.SSL_TRUSTSTORE_LOCATION_CONFIG);
    if (location == null) {
      return null;
    }
    org.apache.kafka.common.config.types.Password pw =
        config.getPassword(AvroSerdeConfig.SSL_TRUSTSTORE_PASSWORD_CONFIG);
    try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(location))) {
      java.security.KeyStore ks =
          java.security.KeyStore.getInstance(
              config.getString(AvroSerdeConfig.SSL_TRUSTSTORE_TYPE_CONFIG));
      ks.load(in, pw == null ? null : pw.value().toCharArray());
      javax.net.ssl.TrustManagerFactory tmf =
          javax.net.ssl.TrustManagerFactory.getInstance(
              javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (java.io.IOException | java.security.GeneralSecurityException e) {
      throw new ConfigException(
          AvroSerdeConfig.SSL_TRUSTSTORE_LOCATION_CONFIG,
          location,
          "cannot read the trust store: " + e.getMessage());
    }
  }
}
