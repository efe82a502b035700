package io.biometer.registry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.registry.CompatibilityLevel;
import io.biometer.registry.HttpSchemaRegistryClient;
import io.biometer.registry.SchemaRegistryException;
import io.biometer.registry.internal.RegistryState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded registry with HTTP Basic users, over real HTTP: no credentials and wrong ones are
 * 401, a reader that registers is 403, a writer registers (issue 16, the registry's part).
 */
class RegistryAccessTest {

  private static final Schema SCHEMA =
      SchemaBuilder.record("R").fields().requiredString("a").endRecord();

  private EmbeddedSchemaRegistry registry;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    registry =
        EmbeddedSchemaRegistry.start(
            new RegistryState(CompatibilityLevel.BACKWARD, RegistryState.Journal.NONE),
            "127.0.0.1",
            0,
            RegistryAccess.users()
                .with("reader", "r-secret", RegistryAccess.Role.READ)
                .with("writer", "w-secret", RegistryAccess.Role.WRITE));
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  private HttpResponse<String> request(String method, String path, String userInfo, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(registry.url() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/vnd.schemaregistry.v1+json");
    if (userInfo != null) {
      b.header(
          "Authorization",
          "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)));
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String register() {
    return "{\"schema\":"
        + com.fasterxml.jackson.databind.node.TextNode.valueOf(SCHEMA.toString())
        + "}";
  }

  @Test
  void withoutCredentialsEveryRequestIs401AndSaysHowToAuthenticate() throws Exception {
    HttpResponse<String> r = request("GET", "/subjects", null, null);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> v.startsWith("Basic"));
    assertThat(r.body()).contains("\"error_code\":40101");
    assertThat(request("POST", "/subjects/s-value/versions", null, register()).statusCode())
        .isEqualTo(401);
  }

  @Test
  void aWrongPasswordOrAnUnknownUserIs401() throws Exception {
    assertThat(request("GET", "/subjects", "reader:nope", null).statusCode()).isEqualTo(401);
    assertThat(request("GET", "/subjects", "mallory:r-secret", null).statusCode()).isEqualTo(401);
    assertThat(request("GET", "/subjects", "reader", null).statusCode()).isEqualTo(401);
  }

  @Test
  void aReaderReadsButRegisteringIs403AndAWriterRegisters() throws Exception {
    assertThat(request("GET", "/subjects", "reader:r-secret", null).statusCode()).isEqualTo(200);
    HttpResponse<String> denied =
        request("POST", "/subjects/s-value/versions", "reader:r-secret", register());
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.body()).contains("\"error_code\":40301").contains("reader may read");
    HttpResponse<String> ok =
        request("POST", "/subjects/s-value/versions", "writer:w-secret", register());
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(request("GET", "/subjects", "reader:r-secret", null).body()).contains("s-value");
  }

  @Test
  void ourClientAuthenticatesWithBasicAuthUserInfo() {
    HttpSchemaRegistryClient writer = client("writer:w-secret");
    int id = writer.register("t-value", SCHEMA);
    assertThat(client("reader:r-secret").schemaById(id)).isEqualTo(SCHEMA);
    assertThatThrownBy(() -> client("reader:r-secret").register("u-value", SCHEMA))
        .isInstanceOf(SchemaRegistryException.class)
        .satisfies(e -> assertThat(((SchemaRegistryException) e).status()).isEqualTo(403));
    assertThatThrownBy(() -> client(null).subjects())
        .isInstanceOf(SchemaRegistryException.class)
        .satisfies(e -> assertThat(((SchemaRegistryException) e).status()).isEqualTo(401));
  }

  @Test
  void aReaderLooksUpASchemaTheAdminRegisteredWhichIsWhatAClientThatDoesNotAutoRegisterDoes() {
    int id = client("writer:w-secret").register("v-value", SCHEMA);
    assertThat(client("reader:r-secret").lookup("v-value", SCHEMA).id()).isEqualTo(id);
    assertThatThrownBy(() -> client("reader:r-secret").register("v-value", SCHEMA))
        .isInstanceOf(SchemaRegistryException.class)
        .satisfies(e -> assertThat(((SchemaRegistryException) e).status()).isEqualTo(403));
  }

  @Test
  void anOpenRegistryNeedsNoCredentialsAndBadUsersAreRefusedWhenMade() {
    assertThat(RegistryAccess.open().check(null, "POST")).isNull();
    assertThat(RegistryAccess.users().required()).isTrue();
    assertThatThrownBy(() -> RegistryAccess.users().with("a:b", "x", RegistryAccess.Role.READ))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("without ':'");
    assertThatThrownBy(() -> RegistryAccess.users().with("a", "", RegistryAccess.Role.READ))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a password");
  }

  private HttpSchemaRegistryClient client(String userInfo) {
    return new HttpSchemaRegistryClient(
        new HttpSchemaRegistryClient.Settings(
            List.of(registry.url()),
            Duration.ofSeconds(5),
            Duration.ofSeconds(5),
            0,
            Duration.ofMillis(10),
            Duration.ofMillis(10),
            userInfo));
  }
}
