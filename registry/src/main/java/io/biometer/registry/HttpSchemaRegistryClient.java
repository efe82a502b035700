package io.biometer.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of the Confluent Schema Registry REST API over HTTP, for any Confluent-compatible
 * registry (Confluent, Apicurio's ccompat API, Redpanda, Karapace, biometer's embedded one).
 *
 * <p>Schemas by id and ids by (subject, schema) are cached, since they never change. Connection
 * failures, timeouts and 5xx answers are retried up to {@code maxRetries} times with exponential
 * back-off, rotating through the configured URLs; 4xx answers are not retried and raise a {@link
 * SchemaRegistryException} with the registry's {@code error_code} and message. Thread-safe.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {

  private static final Logger log = LoggerFactory.getLogger(HttpSchemaRegistryClient.class);
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Connection settings.
   *
   * @param urls base URLs of the registry (one or more of the same cluster)
   * @param connectTimeout how long to wait for a TCP connection
   * @param requestTimeout how long to wait for a whole answer
   * @param maxRetries retries after the first attempt on I/O errors and 5xx answers
   * @param retryBackoff wait before the first retry; doubles per retry
   * @param retryBackoffMax the longest wait between two retries
   * @param basicAuthUserInfo {@code user:password} for HTTP basic auth, or null
   * @param sslContext the TLS context for https URLs (the registry's CA as trust), or null for the
   *     JDK's default
   */
  public record Settings(
      List<String> urls,
      Duration connectTimeout,
      Duration requestTimeout,
      int maxRetries,
      Duration retryBackoff,
      Duration retryBackoffMax,
      String basicAuthUserInfo,
      javax.net.ssl.SSLContext sslContext) {

    /** As the canonical constructor, with the JDK's default trust for https URLs. */
    public Settings(
        List<String> urls,
        Duration connectTimeout,
        Duration requestTimeout,
        int maxRetries,
        Duration retryBackoff,
        Duration retryBackoffMax,
        String basicAuthUserInfo) {
      this(
          urls,
          connectTimeout,
          requestTimeout,
          maxRetries,
          retryBackoff,
          retryBackoffMax,
          basicAuthUserInfo,
          null);
    }

    /** Checks the settings; the first URL problem found is the message. */
    public Settings {
      urls = List.copyOf(urls);
      if (urls.isEmpty()) {
        throw new IllegalArgumentException("at least one schema registry URL is required");
      }
      for (String u : urls) {
        URI uri;
        try {
          uri = URI.create(u.trim());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("schema registry URL '" + u + "' is not a URL", e);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
          throw new IllegalArgumentException(
              "schema registry URL '" + u + "' must start with http:// or https://");
        }
      }
      if (maxRetries < 0) {
        throw new IllegalArgumentException("maxRetries must be >= 0, got " + maxRetries);
      }
    }

    /** The settings with the password masked: they may be logged. */
    @Override
    public String toString() {
      return "Settings[urls="
          + urls
          + ", connectTimeout="
          + connectTimeout
          + ", requestTimeout="
          + requestTimeout
          + ", maxRetries="
          + maxRetries
          + ", basicAuth="
          + (basicAuthUserInfo == null
              ? "none"
              : basicAuthUserInfo.substring(0, Math.max(0, basicAuthUserInfo.indexOf(':')))
                  + ":[hidden]")
          + "]";
    }

    /** Defaults for {@code urls}: 5 s connect, 10 s request, 3 retries from 200 ms up to 5 s. */
    public static Settings of(String... urls) {
      return new Settings(
          List.of(urls),
          Duration.ofSeconds(5),
          Duration.ofSeconds(10),
          3,
          Duration.ofMillis(200),
          Duration.ofSeconds(5),
          null);
    }
  }

  private final Settings settings;
  private final HttpClient http;
  private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();
  private final Map<String, Integer> idBySubjectSchema = new ConcurrentHashMap<>();

  /** A client with those settings. */
  public HttpSchemaRegistryClient(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(settings.connectTimeout());
    if (settings.sslContext() != null) {
      b.sslContext(settings.sslContext());
    }
    this.http = b.build();
  }

  /** A client with default settings for {@code urls}. */
  public HttpSchemaRegistryClient(String... urls) {
    this(Settings.of(urls));
  }

  /** The base URLs this client talks to. */
  public List<String> urls() {
    return settings.urls();
  }

  @Override
  public int register(String subject, Schema schema) {
    String key = subject + '\u0000' + schema;
    Integer cached = idBySubjectSchema.get(key);
    if (cached != null) {
      return cached;
    }
    JsonNode answer = send("POST", "/subjects/" + enc(subject) + "/versions", schemaBody(schema));
    int id = requireInt(answer, "id");
    idBySubjectSchema.put(key, id);
    schemaById.putIfAbsent(id, schema);
    return id;
  }

  @Override
  public RegisteredSchema lookup(String subject, Schema schema) {
    JsonNode answer = send("POST", "/subjects/" + enc(subject), schemaBody(schema));
    RegisteredSchema found = toRegistered(answer, subject);
    idBySubjectSchema.putIfAbsent(subject + '\u0000' + schema, found.id());
    return found;
  }

  @Override
  public Schema schemaById(int id) {
    Schema cached = schemaById.get(id);
    if (cached != null) {
      return cached;
    }
    JsonNode answer = send("GET", "/schemas/ids/" + id, null);
    Schema schema = parseSchema(answer, "schema id " + id);
    schemaById.putIfAbsent(id, schema);
    return schema;
  }

  @Override
  public List<String> subjects() {
    List<String> out = new ArrayList<>();
    send("GET", "/subjects", null).forEach(n -> out.add(n.asText()));
    return out;
  }

  @Override
  public List<Integer> versions(String subject) {
    List<Integer> out = new ArrayList<>();
    send("GET", "/subjects/" + enc(subject) + "/versions", null).forEach(n -> out.add(n.asInt()));
    return out;
  }

  @Override
  public RegisteredSchema version(String subject, String version) {
    return toRegistered(
        send("GET", "/subjects/" + enc(subject) + "/versions/" + enc(version), null), subject);
  }

  @Override
  public boolean isCompatible(String subject, String version, Schema schema) {
    JsonNode answer =
        send(
            "POST",
            "/compatibility/subjects/" + enc(subject) + "/versions/" + enc(version),
            schemaBody(schema));
    JsonNode flag = answer.get("is_compatible");
    if (flag == null || !flag.isBoolean()) {
      throw malformed("is_compatible", answer);
    }
    return flag.asBoolean();
  }

  @Override
  public CompatibilityLevel compatibility(String subject) {
    String path = subject == null ? "/config" : "/config/" + enc(subject) + "?defaultToGlobal=true";
    JsonNode answer = send("GET", path, null);
    JsonNode level =
        answer.has("compatibilityLevel")
            ? answer.get("compatibilityLevel")
            : answer.get("compatibility");
    if (level == null) {
      throw malformed("compatibilityLevel", answer);
    }
    return CompatibilityLevel.parse(level.asText());
  }

  @Override
  public void setCompatibility(String subject, CompatibilityLevel level) {
    ObjectNode body = JSON.createObjectNode().put("compatibility", level.name());
    send("PUT", subject == null ? "/config" : "/config/" + enc(subject), body);
  }

  /**
   * Sends one request, retrying I/O errors and 5xx answers; returns the parsed JSON answer.
   *
   * @throws SchemaRegistryException on a 4xx answer, or when retries are exhausted
   */
  JsonNode send(String method, String path, JsonNode body) {
    int attempts = settings.maxRetries() + 1;
    SchemaRegistryException last = null;
    for (int attempt = 0; attempt < attempts; attempt++) {
      String base = settings.urls().get(attempt % settings.urls().size());
      try {
        return sendOnce(base, method, path, body);
      } catch (SchemaRegistryException e) {
        if (!e.isTransient()) {
          throw e;
        }
        last = e;
      }
      if (attempt + 1 < attempts) {
        long wait = backoffMillis(attempt);
        log.debug(
            "{} {} failed ({}); retry {} in {} ms",
            method,
            path,
            last.getMessage(),
            attempt + 1,
            wait);
        try {
          Thread.sleep(wait);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new SchemaRegistryException(
              0,
              SchemaRegistryException.UNREACHABLE,
              "interrupted while retrying " + method + " " + path,
              e);
        }
      }
    }
    throw new SchemaRegistryException(
        last.status(),
        last.errorCode(),
        last.getMessage() + " (gave up after " + attempts + " attempts)",
        last.getCause());
  }

  long backoffMillis(int attempt) {
    long base = settings.retryBackoff().toMillis();
    long max = settings.retryBackoffMax().toMillis();
    return Math.min(max, base << Math.min(attempt, 20));
  }

  private JsonNode sendOnce(String base, String method, String path, JsonNode body) {
    URI uri = URI.create(stripSlash(base) + path);
    HttpRequest.Builder req =
        HttpRequest.newBuilder(uri)
            .timeout(settings.requestTimeout())
            .header("Accept", CONTENT_TYPE + ", application/json");
    if (settings.basicAuthUserInfo() != null) {
      req.header(
          "Authorization",
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(settings.basicAuthUserInfo().getBytes(StandardCharsets.UTF_8)));
    }
    if (body == null) {
      req.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      req.header("Content-Type", CONTENT_TYPE);
      req.method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    }
    HttpResponse<String> resp;
    try {
      resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new SchemaRegistryException(
          0,
          SchemaRegistryException.UNREACHABLE,
          "schema registry at " + base + " unreachable for " + method + " " + path + ": " + e,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException(
          0, SchemaRegistryException.UNREACHABLE, "interrupted during " + method + " " + uri, e);
    }
    JsonNode json = parseJson(resp.body());
    if (resp.statusCode() >= 200 && resp.statusCode() < 300) {
      if (json == null) {
        throw new SchemaRegistryException(
            resp.statusCode(),
            SchemaRegistryException.MALFORMED_ANSWER,
            "schema registry at "
                + base
                + " answered "
                + method
                + " "
                + path
                + " with a body that is not JSON: "
                + abbreviate(resp.body()));
      }
      return json;
    }
    int code =
        json != null && json.has("error_code") ? json.get("error_code").asInt() : resp.statusCode();
    String message =
        json != null && json.has("message")
            ? json.get("message").asText()
            : abbreviate(resp.body());
    throw new SchemaRegistryException(
        resp.statusCode(),
        code,
        "schema registry at "
            + base
            + " refused "
            + method
            + " "
            + path
            + ": HTTP "
            + resp.statusCode()
            + ", error_code "
            + code
            + ": "
            + message);
  }

  private static JsonNode parseJson(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      return null;
    }
  }

  private static ObjectNode schemaBody(Schema schema) {
    return JSON.createObjectNode().put("schema", schema.toString());
  }

  private RegisteredSchema toRegistered(JsonNode answer, String subject) {
    Schema schema = parseSchema(answer, "subject " + subject);
    return new RegisteredSchema(
        answer.has("subject") ? answer.get("subject").asText() : subject,
        requireInt(answer, "version"),
        requireInt(answer, "id"),
        schema);
  }

  private static Schema parseSchema(JsonNode answer, String what) {
    JsonNode text = answer.get("schema");
    if (text == null || !text.isTextual()) {
      throw malformed("schema", answer);
    }
    String type = answer.path("schemaType").asText("AVRO");
    if (!"AVRO".equals(type)) {
      throw new SchemaRegistryException(
          200,
          SchemaRegistryException.INVALID_SCHEMA,
          what + " is a " + type + " schema; biometer reads only AVRO");
    }
    try {
      return new Schema.Parser().parse(text.asText());
    } catch (RuntimeException e) {
      throw new SchemaRegistryException(
          200,
          SchemaRegistryException.INVALID_SCHEMA,
          "the registry's schema for " + what + " does not parse: " + e.getMessage(),
          e);
    }
  }

  private static int requireInt(JsonNode answer, String field) {
    JsonNode n = answer.get(field);
    if (n == null || !n.canConvertToInt()) {
      throw malformed(field, answer);
    }
    return n.asInt();
  }

  private static SchemaRegistryException malformed(String field, JsonNode answer) {
    return new SchemaRegistryException(
        200,
        SchemaRegistryException.MALFORMED_ANSWER,
        "schema registry answer lacks '" + field + "': " + abbreviate(answer.toString()));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String stripSlash(String base) {
    String b = base.trim();
    return b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
  }

  private static String abbreviate(String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }
}
