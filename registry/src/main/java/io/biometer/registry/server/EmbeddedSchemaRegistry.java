package io.biometer.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.biometer.registry.CompatibilityLevel;
import io.biometer.registry.RegisteredSchema;
import io.biometer.registry.SchemaRegistryException;
import io.biometer.registry.internal.RegistryState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry that speaks the Confluent Schema Registry REST API, for machines without
 * Confluent's registry. It is the stand-in used by the local run and the tests; production and
 * compose use a real registry.
 *
 * <p>Endpoints: {@code POST /subjects/{s}/versions}, {@code POST /subjects/{s}}, {@code GET
 * /schemas/ids/{id}} (and {@code /schema}), {@code GET /schemas/types}, {@code GET /subjects},
 * {@code GET /subjects/{s}/versions}, {@code GET /subjects/{s}/versions/{v}} (number or {@code
 * latest}, and {@code /schema}), {@code POST /compatibility/subjects/{s}/versions/{v}}, {@code
 * GET|PUT /config} and {@code /config/{s}}. Errors are Confluent's JSON bodies ({@code
 * {"error_code":40401,"message":...}}). Only AVRO schemas without references are accepted.
 *
 * <p>State is kept by a {@link RegistryState.Journal}: {@link KafkaSchemaJournal} keeps it in a
 * compacted topic, so ids survive restarts.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  private final RegistryState state;
  private final HttpServer server;
  private final ExecutorService executor;
  private final KafkaSchemaJournal journal;
  private final int replayed;
  private final RegistryAccess access;

  private EmbeddedSchemaRegistry(
      RegistryState state,
      InetSocketAddress address,
      KafkaSchemaJournal journal,
      int replayed,
      RegistryAccess access,
      javax.net.ssl.SSLContext tls)
      throws IOException {
    this.access = access;
    this.state = state;
    this.journal = journal;
    this.replayed = replayed;
    if (tls == null) {
      this.server = HttpServer.create(address, 64);
    } else {
      com.sun.net.httpserver.HttpsServer https =
          com.sun.net.httpserver.HttpsServer.create(address, 64);
      https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
      this.server = https;
    }
    this.executor =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "schema-registry-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /**
   * Starts a registry on {@code host:port} (port 0: any free port) whose state is {@code state};
   * the state's journal decides where changes are kept.
   *
   * @throws IOException if the address cannot be bound
   */
  public static EmbeddedSchemaRegistry start(RegistryState state, String host, int port)
      throws IOException {
    return start(state, host, port, RegistryAccess.open());
  }

  /**
   * As {@link #start(RegistryState, String, int)}, serving only the users {@code access} lets in.
   */
  public static EmbeddedSchemaRegistry start(
      RegistryState state, String host, int port, RegistryAccess access) throws IOException {
    return start(state, host, port, access, null);
  }

  /**
   * A registry whose schemas live in memory only (tests, tools), on {@code host:port} (0: any free
   * port), serving the users {@code access} lets in, over HTTPS with {@code tls} (null: HTTP).
   */
  public static EmbeddedSchemaRegistry startInMemory(
      CompatibilityLevel compatibility,
      String host,
      int port,
      RegistryAccess access,
      javax.net.ssl.SSLContext tls)
      throws IOException {
    return start(
        new RegistryState(compatibility, RegistryState.Journal.NONE), host, port, access, tls);
  }

  /**
   * As {@link #start(RegistryState, String, int, RegistryAccess)}, serving HTTPS with {@code tls}
   * (null: plain HTTP).
   */
  public static EmbeddedSchemaRegistry start(
      RegistryState state,
      String host,
      int port,
      RegistryAccess access,
      javax.net.ssl.SSLContext tls)
      throws IOException {
    return new EmbeddedSchemaRegistry(
        state, new InetSocketAddress(host, port), null, 0, access, tls);
  }

  /**
   * Starts a registry on {@code host:port} whose schemas live in the compacted Kafka topic {@code
   * topic} (created if missing, with {@code replicationFactor}), as Confluent's registry keeps them
   * in {@code _schemas}: it first replays the topic, so ids survive restarts. Closing the registry
   * closes its journal.
   *
   * @throws IOException if the address cannot be bound
   */
  public static EmbeddedSchemaRegistry startOnKafka(
      String bootstrapServers,
      String topic,
      short replicationFactor,
      CompatibilityLevel compatibility,
      String host,
      int port)
      throws IOException {
    return startOnKafka(
        bootstrapServers,
        topic,
        replicationFactor,
        compatibility,
        host,
        port,
        RegistryAccess.open());
  }

  /**
   * As {@link #startOnKafka(String, String, short, CompatibilityLevel, String, int)}, serving only
   * the users {@code access} lets in (HTTP Basic; 401 without or with wrong credentials, 403 for a
   * reader that writes).
   */
  public static EmbeddedSchemaRegistry startOnKafka(
      String bootstrapServers,
      String topic,
      short replicationFactor,
      CompatibilityLevel compatibility,
      String host,
      int port,
      RegistryAccess access)
      throws IOException {
    return startOnKafka(
        bootstrapServers,
        Map.of(),
        topic,
        replicationFactor,
        compatibility,
        host,
        port,
        access,
        null);
  }

  /**
   * As {@link #startOnKafka(String, String, short, CompatibilityLevel, String, int,
   * RegistryAccess)}, the journal's Kafka clients with the settings {@code kafkaClient} too
   * (security.protocol, SASL, TLS of the registry's principal), serving HTTPS with {@code tls}
   * (null: plain HTTP).
   */
  public static EmbeddedSchemaRegistry startOnKafka(
      String bootstrapServers,
      Map<String, ?> kafkaClient,
      String topic,
      short replicationFactor,
      CompatibilityLevel compatibility,
      String host,
      int port,
      RegistryAccess access,
      javax.net.ssl.SSLContext tls)
      throws IOException {
    KafkaSchemaJournal journal = new KafkaSchemaJournal(bootstrapServers, kafkaClient, topic);
    try {
      journal.ensureTopic(replicationFactor);
      RegistryState state = new RegistryState(compatibility, journal);
      int replayed = journal.replay(state);
      return new EmbeddedSchemaRegistry(
          state, new InetSocketAddress(host, port), journal, replayed, access, tls);
    } catch (IOException | RuntimeException e) {
      journal.close();
      throw e;
    }
  }

  /** How many schemas the registry replayed from its topic when it started. */
  public int schemasReplayed() {
    return replayed;
  }

  /** The port the registry listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The base URL of the registry, e.g. {@code http://127.0.0.1:8081}. */
  public String url() {
    return (server instanceof com.sun.net.httpserver.HttpsServer ? "https://" : "http://")
        + server.getAddress().getHostString()
        + ":"
        + port();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (journal != null) {
      journal.close();
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    List<String> path = segments(ex.getRequestURI().getRawPath());
    Map<String, String> query = query(ex.getRequestURI().getRawQuery());
    try {
      RegistryAccess.Denied denied =
          access.check(ex.getRequestHeaders().getFirst("Authorization"), method, path);
      if (denied != null) {
        if (denied.status() == 401) {
          ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"biometer-registry\"");
        }
        respond(ex, denied.status(), error(denied.errorCode(), denied.message()));
        return;
      }
      JsonNode answer = route(method, path, query, ex);
      respond(ex, 200, answer);
    } catch (SchemaRegistryException e) {
      respond(ex, e.status(), error(e.errorCode(), e.getMessage()));
    } catch (BadRequest e) {
      respond(ex, e.status, error(e.status, e.getMessage()));
    } catch (RuntimeException e) {
      log.error("{} {} failed", method, ex.getRequestURI(), e);
      respond(ex, 500, error(50001, "Internal error: " + e));
    } finally {
      ex.close();
    }
  }

  private JsonNode route(String method, List<String> p, Map<String, String> query, HttpExchange ex)
      throws IOException {
    int n = p.size();
    if (n == 0 && method.equals("GET")) {
      return JSON.createObjectNode();
    }
    String head = n > 0 ? p.get(0) : "";
    switch (head) {
      case "subjects" -> {
        if (n == 1) {
          allow(method, "GET");
          ArrayNode arr = JSON.createArrayNode();
          state.subjects().forEach(arr::add);
          return arr;
        }
        String subject = p.get(1);
        if (n == 2) {
          allow(method, "POST");
          return versionJson(state.lookup(subject, schemaFrom(ex)));
        }
        if (p.get(2).equals("versions")) {
          if (n == 3 && method.equals("POST")) {
            return JSON.createObjectNode().put("id", state.register(subject, schemaFrom(ex)).id());
          }
          if (n == 3) {
            allow(method, "GET");
            ArrayNode arr = JSON.createArrayNode();
            state.versions(subject).forEach(arr::add);
            return arr;
          }
          allow(method, "GET");
          RegisteredSchema v = state.version(subject, p.get(3));
          if (n == 4) {
            return versionJson(v);
          }
          if (n == 5 && p.get(4).equals("schema")) {
            return JSON.readTree(v.schema().toString());
          }
        }
      }
      case "schemas" -> {
        if (n == 2 && p.get(1).equals("types")) {
          allow(method, "GET");
          return JSON.createArrayNode().add("AVRO");
        }
        if (n >= 3 && p.get(1).equals("ids")) {
          allow(method, "GET");
          Schema schema = state.schemaById(parseId(p.get(2)));
          if (n == 3) {
            return JSON.createObjectNode().put("schema", schema.toString());
          }
          if (n == 4 && p.get(3).equals("schema")) {
            return JSON.readTree(schema.toString());
          }
        }
      }
      case "compatibility" -> {
        if (n == 5 && p.get(1).equals("subjects") && p.get(3).equals("versions")) {
          allow(method, "POST");
          List<String> problems = state.incompatibilities(p.get(2), p.get(4), schemaFrom(ex));
          ObjectNode out = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
          if ("true".equals(query.get("verbose"))) {
            ArrayNode messages = out.putArray("messages");
            problems.forEach(messages::add);
          }
          return out;
        }
      }
      case "config" -> {
        String subject = n == 2 ? p.get(1) : null;
        if (n <= 2) {
          if (method.equals("PUT")) {
            JsonNode body = body(ex);
            CompatibilityLevel level =
                CompatibilityLevel.parse(body.path("compatibility").asText(null));
            state.setLevel(subject, level);
            return JSON.createObjectNode().put("compatibility", level.name());
          }
          allow(method, "GET");
          CompatibilityLevel level =
              subject == null ? state.level(null) : state.subjectLevel(subject);
          if (level == null && "true".equals(query.get("defaultToGlobal"))) {
            level = state.level(null);
          }
          if (level == null) {
            throw new SchemaRegistryException(
                404,
                SchemaRegistryException.SUBJECT_COMPATIBILITY_NOT_CONFIGURED,
                "Subject '" + subject + "' does not have subject-level compatibility configured");
          }
          return JSON.createObjectNode().put("compatibilityLevel", level.name());
        }
      }
      default -> {
        // falls through to 404
      }
    }
    throw new BadRequest(404, "HTTP 404 Not Found: " + method + " /" + String.join("/", p));
  }

  private static void allow(String method, String allowed) {
    if (!method.equals(allowed)) {
      throw new BadRequest(405, "HTTP 405 Method Not Allowed: use " + allowed);
    }
  }

  private static int parseId(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new BadRequest(404, "HTTP 404 Not Found: schema id '" + s + "' is not a number");
    }
  }

  private static Schema schemaFrom(HttpExchange ex) throws IOException {
    JsonNode body = body(ex);
    String type = body.path("schemaType").asText("AVRO");
    if (!"AVRO".equals(type)) {
      throw new SchemaRegistryException(
          422,
          SchemaRegistryException.INVALID_SCHEMA,
          "Invalid schema: schema type "
              + type
              + " is not supported; this registry keeps AVRO only");
    }
    if (body.path("references").size() > 0) {
      throw new SchemaRegistryException(
          422,
          SchemaRegistryException.INVALID_SCHEMA,
          "Invalid schema: schema references are not supported by this registry");
    }
    JsonNode schema = body.get("schema");
    if (schema == null || !schema.isTextual()) {
      throw new SchemaRegistryException(
          422,
          SchemaRegistryException.INVALID_SCHEMA,
          "Invalid schema: the request body has no 'schema' string");
    }
    return RegistryState.parse(schema.asText());
  }

  private static JsonNode body(HttpExchange ex) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      byte[] bytes = in.readAllBytes();
      JsonNode node = bytes.length == 0 ? null : JSON.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw new BadRequest(400, "the request body must be a JSON object");
      }
      return node;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new BadRequest(400, "the request body is not valid JSON: " + e.getOriginalMessage());
    }
  }

  private static ObjectNode versionJson(RegisteredSchema v) {
    return JSON.createObjectNode()
        .put("subject", v.subject())
        .put("version", v.version())
        .put("id", v.id())
        .put("schema", v.schema().toString());
  }

  private static ObjectNode error(int code, String message) {
    return JSON.createObjectNode().put("error_code", code).put("message", message);
  }

  private static void respond(HttpExchange ex, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static List<String> segments(String rawPath) {
    List<String> out = new ArrayList<>();
    for (String s : rawPath.split("/")) {
      if (!s.isEmpty()) {
        out.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw != null) {
      for (String kv : raw.split("&")) {
        int eq = kv.indexOf('=');
        String k = eq < 0 ? kv : kv.substring(0, eq);
        String v = eq < 0 ? "" : kv.substring(eq + 1);
        out.put(
            URLDecoder.decode(k, StandardCharsets.UTF_8),
            URLDecoder.decode(v, StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    BadRequest(int status, String message) {
      super(message);
      this.status = status;
    }
  }
}
