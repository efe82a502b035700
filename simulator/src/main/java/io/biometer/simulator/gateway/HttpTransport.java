package io.biometer.simulator.gateway;

import io.biometer.ingress.readings.DeviceReading;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code POST /v1/readings} with {@code Authorization: Basic}, each device on its own keep-alive
 * connection, one request at a time (HTTP/1.1 without pipelining): what the device holds goes as
 * one batch, up to its window. The gateway answers once Kafka has every accepted reading, with a
 * result per reading; a refusal of the whole request (the credential) has no results.
 */
final class HttpTransport implements Transport {

  private final HttpClientAgent client;
  private final GatewaySettings settings;

  HttpTransport(Vertx vertx, GatewaySettings settings) {
    this.settings = settings;
    HttpClientOptions o = new HttpClientOptions().setKeepAlive(true).setConnectTimeout(10_000);
    if (settings.tls()) {
      o.setSsl(true).setTrustOptions(Wire.trust(settings)).setVerifyHost(true);
    }
    // Each device opens its own connection (connect below), never one of a shared pool.
    this.client = vertx.createHttpClient(o);
  }

  @Override
  public Future<Link> connect(String deviceId, String password, Consumer<Link> onClosed) {
    String auth = Wire.basic(deviceId, password);
    return client
        .connect(
            new HttpConnectOptions()
                .setHost(settings.host())
                .setPort(settings.httpPort())
                .setSsl(settings.tls()))
        .map(
            c -> {
              HttpLink l = new HttpLink(c, auth);
              c.closeHandler(v -> onClosed.accept(l));
              return l;
            });
  }

  @Override
  public boolean loginOnConnect() {
    return false;
  }

  @Override
  public int maxMessagesInFlight() {
    return 1;
  }

  @Override
  public boolean mixedBatches() {
    return true;
  }

  @Override
  public void close() {
    client.close();
  }

  private final class HttpLink implements Link {
    private final HttpClientConnection connection;
    private final String auth;

    HttpLink(HttpClientConnection connection, String auth) {
      this.connection = connection;
      this.auth = auth;
    }

    @Override
    public Future<List<Answer>> send(List<DeviceReading> readings) {
      Buffer body = Wire.json(readings);
      return connection
          .request(
              new RequestOptions()
                  .setMethod(HttpMethod.POST)
                  .setHost(settings.host())
                  .setPort(settings.httpPort())
                  .setURI("/v1/readings")
                  .putHeader(HttpHeaders.AUTHORIZATION, auth)
                  .putHeader(HttpHeaders.CONTENT_TYPE, "application/json"))
          .compose(req -> req.send(body))
          .compose(resp -> resp.body().map(b -> answers(resp.statusCode(), b, readings)));
    }

    @Override
    public void close() {
      connection.close();
    }
  }

  /** One answer per reading from the gateway's response. */
  static List<Answer> answers(int status, Buffer body, List<DeviceReading> readings) {
    JsonObject j;
    try {
      j = new JsonObject(body);
    } catch (RuntimeException e) {
      // Not the gateway's answer (a proxy in between?): only a server error is worth a retry.
      return Wire.all(
          readings.size(),
          status >= 500
              ? Answer.refused("unavailable", "HTTP " + status)
              : Answer.refused("http_" + status, "HTTP " + status + ", not the gateway's answer"));
    }
    JsonArray results = j.getJsonArray("results");
    if (results == null) {
      String error = j.getString("error", "http_" + status);
      String message = j.getString("message", "");
      return Wire.all(
          readings.size(),
          status == 401 || Answer.isLoginReason(error)
              ? Answer.login(error, message)
              : Answer.refused(error, message));
    }
    Map<String, JsonObject> byId = new HashMap<>();
    JsonObject anonymous = null;
    for (int i = 0; i < results.size(); i++) {
      JsonObject r = results.getJsonObject(i);
      String id = r.getString("id");
      if (id == null) {
        anonymous = r; // the whole body was refused (not JSON, say)
      } else {
        byId.put(id, r);
      }
    }
    List<Answer> out = new ArrayList<>(readings.size());
    for (DeviceReading reading : readings) {
      JsonObject r = byId.getOrDefault(reading.id(), anonymous);
      if (r == null) {
        out.add(Answer.refused("unavailable", "no result for " + reading.id()));
      } else if ("accepted".equals(r.getString("status"))) {
        out.add(Answer.ACCEPTED);
      } else {
        out.add(Answer.refused(r.getString("reason"), r.getString("message")));
      }
    }
    return out;
  }
}
