package io.biometer.registry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.biometer.avro.Alert;
import io.biometer.registry.CompatibilityLevel;
import io.biometer.registry.HttpSchemaRegistryClient;
import io.biometer.registry.RegisteredSchema;
import io.biometer.registry.internal.RegistryState;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded registry's REST API, over real HTTP, with a journal that keeps nothing (the Kafka
 * journal is covered by the ITs): our client against it, and raw requests for Confluent's bodies.
 */
class EmbeddedSchemaRegistryTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Schema V1 =
      SchemaBuilder.record("R").fields().requiredString("a").endRecord();
  private static final Schema V2 =
      SchemaBuilder.record("R")
          .fields()
          .requiredString("a")
          .name("b")
          .type()
          .intType()
          .intDefault(0)
          .endRecord();
  private static final Schema INCOMPATIBLE =
      SchemaBuilder.record("R").fields().requiredInt("a").endRecord();

  private EmbeddedSchemaRegistry registry;
  private HttpSchemaRegistryClient client;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws IOException {
    registry =
        EmbeddedSchemaRegistry.start(
            new RegistryState(CompatibilityLevel.BACKWARD, RegistryState.Journal.NONE),
            "127.0.0.1",
            0);
    client = new HttpSchemaRegistryClient(registry.url());
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  private record Reply(int status, JsonNode body) {}

  private Reply call(String method, String path, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(registry.url() + path))
            .header("Content-Type", "application/vnd.schemaregistry.v1+json");
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), JSON.readTree(r.body()));
  }

  private static String schemaBody(Schema s) {
    return JSON.createObjectNode().put("schema", s.toString()).toString();
  }

  @Test
  void clientRoundTripsEveryOperation() {
    int id1 = client.register("r-value", V1);
    int id2 = client.register("r-value", V2);
    assertThat(client.register("r-value", V2)).isEqualTo(id2);
    assertThat(client.schemaById(id1)).isEqualTo(V1);
    assertThat(client.subjects()).containsExactly("r-value");
    assertThat(client.versions("r-value")).containsExactly(1, 2);
    assertThat(client.version("r-value", "latest"))
        .isEqualTo(new RegisteredSchema("r-value", 2, id2, V2));
    assertThat(client.version("r-value", "1").id()).isEqualTo(id1);
    assertThat(client.lookup("r-value", V1).version()).isEqualTo(1);
    assertThat(client.isCompatible("r-value", "latest", INCOMPATIBLE)).isFalse();
    assertThat(client.isCompatible("r-value", "latest", V2)).isTrue();
    assertThat(client.compatibility(null)).isEqualTo(CompatibilityLevel.BACKWARD);
    client.setCompatibility("r-value", CompatibilityLevel.NONE);
    assertThat(client.compatibility("r-value")).isEqualTo(CompatibilityLevel.NONE);
    assertThat(client.compatibility("other"))
        .as("falls back to global")
        .isEqualTo(CompatibilityLevel.BACKWARD);
    assertThat(client.register("r-value", INCOMPATIBLE)).as("NONE lets it in").isGreaterThan(id2);
  }

  @Test
  void realContractSchemaRegisters() {
    int id = client.register("telemetry.alerts-value", Alert.getClassSchema());
    assertThat(client.schemaById(id)).isEqualTo(Alert.getClassSchema());
  }

  @Test
  void incompatibleSchemaIsRefusedWith409() throws Exception {
    call("POST", "/subjects/r-value/versions", schemaBody(V1));
    Reply r = call("POST", "/subjects/r-value/versions", schemaBody(INCOMPATIBLE));
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.body().get("error_code").asInt()).isEqualTo(409);
    assertThat(r.body().get("message").asText()).contains("incompatible");
  }

  @Test
  void unknownSubjectIs40401() throws Exception {
    Reply r = call("GET", "/subjects/nope/versions", null);
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body().get("error_code").asInt()).isEqualTo(40401);
  }

  @Test
  void unknownVersionIs40402() throws Exception {
    call("POST", "/subjects/r-value/versions", schemaBody(V1));
    Reply r = call("GET", "/subjects/r-value/versions/5", null);
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body().get("error_code").asInt()).isEqualTo(40402);
  }

  @Test
  void unknownSchemaIdIs40403() throws Exception {
    Reply r = call("GET", "/schemas/ids/77", null);
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body().get("error_code").asInt()).isEqualTo(40403);
  }

  @Test
  void schemaNotUnderSubjectIs40403() throws Exception {
    call("POST", "/subjects/r-value/versions", schemaBody(V1));
    Reply r = call("POST", "/subjects/r-value", schemaBody(V2));
    assertThat(r.body().get("error_code").asInt()).isEqualTo(40403);
  }

  @Test
  void invalidSchemaIs42201() throws Exception {
    Reply r =
        call(
            "POST", "/subjects/r-value/versions", "{\"schema\":\"{\\\"type\\\":\\\"recrod\\\"}\"}");
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.body().get("error_code").asInt()).isEqualTo(42201);
  }

  @Test
  void nonAvroSchemaTypeIs42201() throws Exception {
    Reply r =
        call(
            "POST",
            "/subjects/r-value/versions",
            "{\"schema\":\"syntax = \\\"proto3\\\";\",\"schemaType\":\"PROTOBUF\"}");
    assertThat(r.body().get("error_code").asInt()).isEqualTo(42201);
    assertThat(r.body().get("message").asText()).contains("PROTOBUF");
  }

  @Test
  void invalidVersionIs42202() throws Exception {
    call("POST", "/subjects/r-value/versions", schemaBody(V1));
    Reply r = call("GET", "/subjects/r-value/versions/abc", null);
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.body().get("error_code").asInt()).isEqualTo(42202);
  }

  @Test
  void invalidCompatibilityLevelIs42203() throws Exception {
    Reply r = call("PUT", "/config", "{\"compatibility\":\"SIDEWAYS\"}");
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.body().get("error_code").asInt()).isEqualTo(42203);
  }

  @Test
  void subjectWithoutOwnLevelIs40408UnlessDefaultToGlobal() throws Exception {
    assertThat(call("GET", "/config/r-value", null).body().get("error_code").asInt())
        .isEqualTo(40408);
    assertThat(
            call("GET", "/config/r-value?defaultToGlobal=true", null)
                .body()
                .get("compatibilityLevel")
                .asText())
        .isEqualTo("BACKWARD");
  }

  @Test
  void configEndpointsReadAndWriteLevels() throws Exception {
    assertThat(
            call("PUT", "/config", "{\"compatibility\":\"FULL\"}")
                .body()
                .get("compatibility")
                .asText())
        .isEqualTo("FULL");
    assertThat(call("GET", "/config", null).body().get("compatibilityLevel").asText())
        .isEqualTo("FULL");
    assertThat(
            call("PUT", "/config/r-value", "{\"compatibility\":\"none\"}")
                .body()
                .get("compatibility")
                .asText())
        .isEqualTo("NONE");
    assertThat(call("GET", "/config/r-value", null).body().get("compatibilityLevel").asText())
        .isEqualTo("NONE");
  }

  @Test
  void compatibilityEndpointExplainsWhenVerbose() throws Exception {
    call("POST", "/subjects/r-value/versions", schemaBody(V1));
    Reply r =
        call(
            "POST",
            "/compatibility/subjects/r-value/versions/latest?verbose=true",
            schemaBody(INCOMPATIBLE));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().get("is_compatible").asBoolean()).isFalse();
    assertThat(r.body().get("messages")).isNotEmpty();
  }

  @Test
  void rawSchemaEndpointsAndTypes() throws Exception {
    call("POST", "/subjects/r-value/versions", schemaBody(V1));
    assertThat(call("GET", "/schemas/ids/1/schema", null).body().get("name").asText())
        .isEqualTo("R");
    assertThat(
            call("GET", "/subjects/r-value/versions/latest/schema", null)
                .body()
                .get("type")
                .asText())
        .isEqualTo("record");
    assertThat(call("GET", "/schemas/types", null).body().get(0).asText()).isEqualTo("AVRO");
  }

  @Test
  void unknownRouteIs404AndWrongMethodIs405() throws Exception {
    Reply unknown = call("GET", "/nothing/here", null);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body().get("error_code").asInt()).isEqualTo(404);
    assertThat(call("DELETE", "/subjects", null).status()).isEqualTo(405);
  }

  @Test
  void bodyThatIsNotJsonIs400() throws Exception {
    Reply r = call("POST", "/subjects/r-value/versions", "{not json");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().get("message").asText()).contains("not valid JSON");
  }
}
