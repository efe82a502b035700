package io.biometer.connect.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.biometer.registry.CountingClient;
import io.biometer.registry.MockSchemaRegistry;
import io.biometer.registry.SchemaRegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.storage.Converter;
import org.junit.jupiter.api.Test;

/** Confluent's keys, their defaults, and the refusal of what the converter cannot honour. */
class AvroConverterConfigTest {

  private static Map<String, Object> props(String... kv) {
    Map<String, Object> p = new HashMap<>();
    p.put("schema.registry.url", "mock://config-test");
    for (int i = 0; i < kv.length; i += 2) {
      p.put(kv[i], kv[i + 1]);
    }
    return p;
  }

  @Test
  void defaultsAreConfluents() {
    AvroConverterConfig c = new AvroConverterConfig(props());
    assertThat(c.autoRegisterSchemas()).isTrue();
    assertThat(c.cacheSize()).isEqualTo(1000);
    assertThat(c.connectMetaData()).isTrue();
    assertThat(c.enhancedAvroSchemaSupport()).isFalse();
    assertThat(c.ignoreDefaultForNullables()).isFalse();
    assertThat(c.credentialsSource()).isEqualTo("URL");
  }

  @Test
  void everyKeyIsDocumentedWithItsDefault() {
    ConfigDef def = new AvroConverter().config();
    assertThat(def.names())
        .contains(
            "schema.registry.url",
            "basic.auth.credentials.source",
            "basic.auth.user.info",
            "auto.register.schemas",
            "schemas.cache.config",
            "connect.meta.data",
            "enhanced.avro.schema.support",
            "ignore.default.for.nullables");
    def.configKeys()
        .values()
        .forEach(
            k ->
                assertThat(k.documentation)
                    .as(k.name)
                    .endsWith(".")
                    .containsAnyOf("Default:", "Required."));
  }

  @Test
  void saslInheritIsRefusedWithWhatToDoInstead() {
    assertThatThrownBy(
            () -> new AvroConverterConfig(props("basic.auth.credentials.source", "SASL_INHERIT")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("basic.auth.credentials.source")
        .hasMessageContaining("USER_INFO");
  }

  @Test
  void missingUrlIsRefused() {
    Map<String, Object> p = props();
    p.remove("schema.registry.url");
    assertThatThrownBy(() -> new AvroConverterConfig(p))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("value.converter.schema.registry.url");
  }

  @Test
  void confluentOptionsThisConverterLacksAreRefusedUnlessDefault() {
    new AvroConverterConfig(props("generalized.sum.type.support", "false"));
    new AvroConverterConfig(
        props(
            "value.subject.name.strategy",
            "io.confluent.kafka.serializers.subject.TopicNameStrategy"));
    assertThatThrownBy(() -> new AvroConverterConfig(props("generalized.sum.type.support", "true")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("generalized.sum.type.support");
    assertThatThrownBy(
            () ->
                new AvroConverterConfig(
                    props(
                        "value.subject.name.strategy",
                        "io.confluent.kafka.serializers.subject.RecordNameStrategy")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("TopicNameStrategy");
  }

  @Test
  void userInfoSourceNeedsTheUserInfo() {
    AvroConverterConfig c =
        new AvroConverterConfig(props("basic.auth.credentials.source", "USER_INFO"));
    assertThatThrownBy(() -> c.registryClientProps(props()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("basic.auth.user.info");
  }

  @Test
  void urlCredentialsAreSentAsBasicAuthAndStrippedFromTheUrl() throws IOException {
    List<String> auth = new CopyOnWriteArrayList<>();
    HttpServer server = registryAnswering404(auth);
    try {
      String url = "http://reader:s%40cret@127.0.0.1:" + server.getAddress().getPort();
      Map<String, Object> p = props("schema.registry.url", url, "schema.registry.max.retries", "0");
      AvroConverterConfig c = new AvroConverterConfig(p);
      assertThat(c.registryClientProps(p))
          .containsEntry("schema.registry.url", "http://127.0.0.1:" + server.getAddress().getPort())
          .containsEntry("basic.auth.user.info", "reader:s@cret");

      AvroConverter converter = new AvroConverter();
      converter.configure(p, false);
      assertThatThrownBy(() -> converter.toConnectData("t", new byte[] {0, 0, 0, 0, 1, 2}))
          .isInstanceOf(DataException.class)
          .hasMessageContaining("unknown schema id 1");
      assertThat(auth).contains(basic("reader:s@cret"));
    } finally {
      server.stop(0);
    }
  }

  @Test
  void userInfoSourceSendsTheUserInfo() throws IOException {
    List<String> auth = new CopyOnWriteArrayList<>();
    HttpServer server = registryAnswering404(auth);
    try {
      Map<String, Object> p =
          props(
              "schema.registry.url", "http://127.0.0.1:" + server.getAddress().getPort(),
              "basic.auth.credentials.source", "USER_INFO",
              "basic.auth.user.info", "writer:pw",
              "schema.registry.max.retries", "0");
      AvroConverter converter = new AvroConverter();
      converter.configure(p, false);
      assertThatThrownBy(() -> converter.toConnectData("t", new byte[] {0, 0, 0, 0, 1, 2}))
          .isInstanceOf(DataException.class);
      assertThat(auth).containsOnly(basic("writer:pw"));
    } finally {
      server.stop(0);
    }
  }

  @Test
  void schemaCacheSizeBoundsTheIdCache() {
    String scope = "cache-" + System.nanoTime();
    SchemaRegistryClient mock = MockSchemaRegistry.client(scope);
    CountingClient counting = new CountingClient(mock);
    org.apache.avro.Schema a = org.apache.avro.Schema.create(org.apache.avro.Schema.Type.STRING);
    org.apache.avro.Schema b = org.apache.avro.Schema.create(org.apache.avro.Schema.Type.LONG);
    byte[] ofA = frame(mock.register("t-value", a), new byte[] {2, 'x'});
    byte[] ofB = frame(mock.register("other-value", b), new byte[] {2});
    try {
      for (int size : new int[] {1, 1000}) {
        counting.fetches = 0;
        AvroConverter converter = new AvroConverter();
        converter.configure(
            Map.of(
                "schema.registry.url",
                "mock://" + scope,
                "schema.registry.client",
                counting,
                "schemas.cache.config",
                String.valueOf(size)),
            false);
        converter.toConnectData("t", ofA);
        converter.toConnectData("t", ofB);
        converter.toConnectData("t", ofA);
        assertThat(counting.fetches).as("cache size %d", size).isEqualTo(size == 1 ? 3 : 2);
      }
    } finally {
      MockSchemaRegistry.drop(scope);
    }
  }

  @Test
  void isDiscoverableByServiceLoaderAndVersioned() {
    assertThat(ServiceLoader.load(Converter.class).stream().map(ServiceLoader.Provider::type))
        .contains(AvroConverter.class);
    assertThat(new AvroConverter().version()).isNotBlank();
  }

  private static byte[] frame(int id, byte[] payload) {
    byte[] out = new byte[5 + payload.length];
    out[1] = (byte) (id >>> 24);
    out[2] = (byte) (id >>> 16);
    out[3] = (byte) (id >>> 8);
    out[4] = (byte) id;
    System.arraycopy(payload, 0, out, 5, payload.length);
    return out;
  }

  private static String basic(String userInfo) {
    return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
  }

  /** A registry on loopback that records Authorization headers and knows no schema. */
  private static HttpServer registryAnswering404(List<String> auth) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
          }
          String header = exchange.getRequestHeaders().getFirst("Authorization");
          auth.add(header == null ? "(none)" : header);
          byte[] body =
              "{\"error_code\":40403,\"message\":\"Schema not found\"}"
                  .getBytes(StandardCharsets.UTF_8);
          exchange
              .getResponseHeaders()
              .add("Content-Type", "application/vnd.schemaregistry.v1+json");
          exchange.sendResponseHeaders(404, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    return server;
  }
}
