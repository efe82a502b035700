package io.biometer.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.biometer.avro.BodyReading;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP client against a scripted stub server: answers, error bodies, retries, timeouts. */
class HttpSchemaRegistryClientTest {

  private record Answer(int status, String body) {}

  private HttpServer server;
  private final Queue<Answer> script = new ConcurrentLinkedQueue<>();
  private final Queue<String> requests = new ConcurrentLinkedQueue<>();
  private final Queue<String> authHeaders = new ConcurrentLinkedQueue<>();
  private final AtomicInteger hits = new AtomicInteger();
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile boolean hang;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::answer);
    server.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
  }

  private void answer(HttpExchange ex) throws IOException {
    hits.incrementAndGet();
    requests.add(
        ex.getRequestMethod()
            + " "
            + ex.getRequestURI().getRawPath()
            + (ex.getRequestURI().getRawQuery() == null
                ? ""
                : "?" + ex.getRequestURI().getRawQuery())
            + " "
            + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth != null) {
      authHeaders.add(auth);
    }
    if (hang) {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Answer a = script.isEmpty() ? new Answer(500, "{}") : script.poll();
    byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(a.status(), bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private HttpSchemaRegistryClient client(int retries) {
    return new HttpSchemaRegistryClient(
        new HttpSchemaRegistryClient.Settings(
            List.of(url()),
            Duration.ofSeconds(2),
            Duration.ofMillis(500),
            retries,
            Duration.ofMillis(1),
            Duration.ofMillis(5),
            null));
  }

  private static final Schema SCHEMA = BodyReading.getClassSchema();

  @Test
  void registerPostsTheSchemaAndReturnsTheId() {
    script.add(new Answer(200, "{\"id\":17}"));
    assertThat(client(0).register("telemetry.body.readings-value", SCHEMA)).isEqualTo(17);
    assertThat(requests.peek())
        .startsWith("POST /subjects/telemetry.body.readings-value/versions {\"schema\":");
  }

  @Test
  void errorBodyBecomesAnExceptionWithTheRegistrysCodeAndMessage() {
    script.add(new Answer(404, "{\"error_code\":40401,\"message\":\"Subject 'x' not found.\"}"));
    assertThatThrownBy(() -> client(3).versions("x"))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND);
              assertThat(e.isTransient()).isFalse();
            })
        .hasMessageContaining("Subject 'x' not found.")
        .hasMessageContaining("40401");
    assertThat(hits.get()).as("a 4xx answer is not retried").isEqualTo(1);
  }

  @Test
  void incompatibleSchemaIs409() {
    script.add(
        new Answer(
            409, "{\"error_code\":409,\"message\":\"Schema being registered is incompatible\"}"));
    assertThatThrownBy(() -> client(0).register("s", SCHEMA))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE_SCHEMA));
  }

  @Test
  void serverErrorsAreRetriedWithBackoffUntilSuccess() {
    script.add(new Answer(503, "{\"error_code\":50003,\"message\":\"busy\"}"));
    script.add(new Answer(500, "{\"error_code\":50001,\"message\":\"store\"}"));
    script.add(new Answer(200, "{\"schema\":" + quoted(SCHEMA.toString()) + "}"));
    assertThat(client(3).schemaById(5)).isEqualTo(SCHEMA);
    assertThat(hits.get()).isEqualTo(3);
  }

  @Test
  void retriesAreBoundedAndTheLastErrorIsReported() {
    for (int i = 0; i < 5; i++) {
      script.add(new Answer(500, "{\"error_code\":50001,\"message\":\"store down\"}"));
    }
    assertThatThrownBy(() -> client(2).subjects())
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("store down")
        .hasMessageContaining("gave up after 3 attempts");
    assertThat(hits.get()).isEqualTo(3);
  }

  @Test
  void backoffDoublesUpToTheCap() {
    HttpSchemaRegistryClient c =
        new HttpSchemaRegistryClient(
            new HttpSchemaRegistryClient.Settings(
                List.of(url()),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                9,
                Duration.ofMillis(100),
                Duration.ofMillis(1000),
                null));
    assertThat(
            List.of(
                c.backoffMillis(0),
                c.backoffMillis(1),
                c.backoffMillis(2),
                c.backoffMillis(3),
                c.backoffMillis(8)))
        .containsExactly(100L, 200L, 400L, 800L, 1000L);
  }

  @Test
  void unreachableRegistryIsTransientWithTheUrlInTheMessage() {
    String dead = "http://127.0.0.1:" + TestPorts.closedPort();
    HttpSchemaRegistryClient c =
        new HttpSchemaRegistryClient(
            new HttpSchemaRegistryClient.Settings(
                List.of(dead),
                Duration.ofMillis(500),
                Duration.ofMillis(500),
                1,
                Duration.ofMillis(1),
                Duration.ofMillis(1),
                null));
    assertThatThrownBy(() -> c.schemaById(1))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.UNREACHABLE);
              assertThat(e.isTransient()).isTrue();
            })
        .hasMessageContaining(dead)
        .hasMessageContaining("unreachable");
  }

  @Test
  void aRegistryThatDoesNotAnswerInTimeIsUnreachable() {
    hang = true;
    assertThatThrownBy(() -> client(0).subjects())
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.UNREACHABLE))
        .hasMessageContaining("unreachable");
  }

  @Test
  void failsOverToTheNextUrl() {
    String dead = "http://127.0.0.1:" + TestPorts.closedPort();
    script.add(new Answer(200, "[\"a-value\"]"));
    HttpSchemaRegistryClient c =
        new HttpSchemaRegistryClient(
            new HttpSchemaRegistryClient.Settings(
                List.of(dead, url()),
                Duration.ofMillis(500),
                Duration.ofMillis(500),
                1,
                Duration.ofMillis(1),
                Duration.ofMillis(1),
                null));
    assertThat(c.subjects()).containsExactly("a-value");
  }

  @Test
  void answerThatIsNotJsonIsMalformed() {
    script.add(new Answer(200, "<html>proxy login</html>"));
    assertThatThrownBy(() -> client(0).subjects())
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.MALFORMED_ANSWER))
        .hasMessageContaining("not JSON");
  }

  @Test
  void answerWithoutTheExpectedFieldIsMalformed() {
    script.add(new Answer(200, "{\"ids\":3}"));
    assertThatThrownBy(() -> client(0).register("s", SCHEMA))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.MALFORMED_ANSWER))
        .hasMessageContaining("lacks 'id'");
  }

  @Test
  void schemasByIdAreCached() {
    script.add(new Answer(200, "{\"schema\":" + quoted(SCHEMA.toString()) + "}"));
    HttpSchemaRegistryClient c = client(0);
    c.schemaById(3);
    c.schemaById(3);
    assertThat(hits.get()).isEqualTo(1);
  }

  @Test
  void subjectNamesAreUrlEncoded() {
    script.add(new Answer(200, "[1,2]"));
    assertThat(client(0).versions("a b/c")).containsExactly(1, 2);
    assertThat(requests.peek()).startsWith("GET /subjects/a%20b%2Fc/versions");
  }

  @Test
  void versionLookupAndCompatibilityAndConfigUseTheirEndpoints() {
    String v =
        "{\"subject\":\"s\",\"version\":2,\"id\":9,\"schema\":" + quoted(SCHEMA.toString()) + "}";
    script.add(new Answer(200, v));
    script.add(new Answer(200, v));
    script.add(new Answer(200, "{\"is_compatible\":false}"));
    script.add(new Answer(200, "{\"compatibilityLevel\":\"FULL\"}"));
    script.add(new Answer(200, "{\"compatibility\":\"NONE\"}"));
    HttpSchemaRegistryClient c = client(0);
    assertThat(c.version("s", "latest")).isEqualTo(new RegisteredSchema("s", 2, 9, SCHEMA));
    assertThat(c.lookup("s", SCHEMA).version()).isEqualTo(2);
    assertThat(c.isCompatible("s", "latest", SCHEMA)).isFalse();
    assertThat(c.compatibility("s")).isEqualTo(CompatibilityLevel.FULL);
    c.setCompatibility(null, CompatibilityLevel.NONE);
    assertThat(requests)
        .extracting(r -> r.substring(0, r.indexOf(' ', r.indexOf(' ') + 1)))
        .containsExactly(
            "GET /subjects/s/versions/latest",
            "POST /subjects/s",
            "POST /compatibility/subjects/s/versions/latest",
            "GET /config/s?defaultToGlobal=true",
            "PUT /config");
    assertThat(requests).last().asString().endsWith("{\"compatibility\":\"NONE\"}");
  }

  @Test
  void basicAuthIsSentWhenConfigured() {
    script.add(new Answer(200, "[]"));
    new HttpSchemaRegistryClient(
            new HttpSchemaRegistryClient.Settings(
                List.of(url()),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                0,
                Duration.ofMillis(1),
                Duration.ofMillis(1),
                "user:secret"))
        .subjects();
    assertThat(authHeaders).containsExactly("Basic dXNlcjpzZWNyZXQ=");
  }

  @Test
  void settingsRefuseAUrlThatIsNotHttp() {
    assertThatThrownBy(() -> HttpSchemaRegistryClient.Settings.of("localhost:8081"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must start with http:// or https://");
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
