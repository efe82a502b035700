package io.biometer.connect.questdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * QuestDB's HTTP API beside ILP: {@code /ping} to tell an unreachable server from one that refused
 * a batch, and {@code /exec} for the SQL that checks and creates tables.
 */
class QuestDbHttp {

  /** QuestDB could not be reached, or failed on its side (5xx): worth trying again later. */
  static final class UnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    UnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** QuestDB answered and refused the statement (bad SQL, no permission). */
  static final class RefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    RefusedException(String message) {
      super(message);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final ClientConf conf;
  private final HttpClient http;

  QuestDbHttp(ClientConf conf) {
    this.conf = conf;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  }

  /**
   * QuestDB's answer to an ILP request: the HTTP status (0 if it could not be reached) and, for a
   * refusal, its error {@code code} and {@code message}.
   */
  record WriteAnswer(int status, String code, String message) {

    boolean accepted() {
      return status / 100 == 2;
    }

    /** Not reached, or failed on its side: the same request may succeed later. */
    boolean transientFailure() {
      return status == 0 || status >= 500 || status == 408 || status == 429;
    }

    boolean unauthorized() {
      return status == 401 || status == 403;
    }
  }

  /**
   * Sends {@code body} (ILP, as the client encoded it) to {@code /write} and returns QuestDB's
   * answer. The sink does so after the client's flush failed, to learn the HTTP status, which the
   * client's exception does not carry as a value: a refusal (4xx) is the batch's content, a 5xx or
   * no answer is QuestDB's state.
   */
  WriteAnswer write(byte[] body) {
    try {
      HttpResponse<String> r =
          http.send(
              request("/write?precision=n")
                  .timeout(TIMEOUT)
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      String code = null;
      String message = r.body();
      try {
        JsonNode json = JSON.readTree(r.body());
        if (json != null && json.has("code")) {
          code = json.get("code").asText();
          message = json.path("message").asText(message);
        }
      } catch (IOException notJson) {
        // keep the body as the message
      }
      return new WriteAnswer(r.statusCode(), code, message);
    } catch (IOException e) {
      return new WriteAnswer(0, null, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new WriteAnswer(0, null, "interrupted");
    }
  }

  /** True if QuestDB's HTTP server answers {@code /ping} with a 2xx. */
  boolean ping() {
    try {
      HttpResponse<Void> r =
          http.send(
              request("/ping").timeout(Duration.ofSeconds(3)).GET().build(),
              HttpResponse.BodyHandlers.discarding());
      return r.statusCode() / 100 == 2;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Runs one SQL statement and returns QuestDB's JSON answer ({@code dataset}, {@code columns}, or
   * {@code ddl}).
   */
  JsonNode exec(String sql) throws UnavailableException, RefusedException {
    String path = "/exec?query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8);
    HttpResponse<String> r;
    try {
      r =
          http.send(
              request(path).timeout(TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UnavailableException("QuestDB at " + conf.baseUrl() + " unreachable: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while asking QuestDB", e);
    }
    if (r.statusCode() >= 500) {
      throw new UnavailableException(
          "QuestDB at " + conf.baseUrl() + " failed (HTTP " + r.statusCode() + "): " + r.body(),
          null);
    }
    JsonNode body;
    try {
      body = JSON.readTree(r.body());
    } catch (IOException e) {
      throw new RefusedException(
          "QuestDB answered HTTP " + r.statusCode() + " with no JSON: " + abbreviate(r.body()));
    }
    if (r.statusCode() / 100 != 2 || body.has("error")) {
      throw new RefusedException(
          "QuestDB refused '"
              + sql
              + "' (HTTP "
              + r.statusCode()
              + "): "
              + (body.has("error") ? body.get("error").asText() : abbreviate(r.body())));
    }
    return body;
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(conf.baseUrl() + path));
    String auth = conf.authorization();
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return b;
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
