package io.biometer.ingress.http;

import io.biometer.ingress.IngressMetrics;
import io.biometer.ingress.Refusal;
import io.biometer.ingress.Refused;
import io.biometer.ingress.auth.DeviceLogin;
import io.biometer.ingress.auth.Principal;
import io.biometer.ingress.commands.CommandRouter;
import io.biometer.ingress.commands.Sessions;
import io.biometer.ingress.readings.Admission;
import io.biometer.ingress.readings.DeviceReading;
import io.biometer.ingress.readings.ReadingJson;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * HTTP(S) and WebSocket on one port.
 *
 * <ul>
 *   <li>{@code POST /v1/readings}: one reading (a JSON object) or a batch (an array). The answer
 *       comes once Kafka has every accepted reading: 200 if all were accepted, else the status of
 *       the first refusal, with a result per reading ({@code {"id", "status", "reason",
 *       "message"}}), so a device re-sends exactly the ones refused as {@code unavailable}.
 *   <li>{@code POST /v1/commands}: a device commands another device, as {@code device:<its id>},
 *       within the access map (docs/commands.md); 202 once Kafka has the command.
 *   <li>{@code GET /v1/stream}: a WebSocket. Each text message is a reading or a batch; each
 *       reading gets its own answer message with its id ({@code <deviceId>/<sequence>}), sent when
 *       Kafka has it.
 *   <li>{@code GET /health} and {@code GET /metrics} (Prometheus), without credentials.
 * </ul>
 *
 * The credential goes in the {@code Authorization: Basic} header (or a client certificate), never
 * in the URL.
 */
public final class HttpFrontEnd {

  static final String HTTP = "http";
  static final String WS = "ws";

  private final Vertx vertx;
  private final DeviceLogin login;
  private final Admission admission;
  private final IngressMetrics metrics;
  private final int maxPayload;
  private final Supplier<String> health;
  private volatile byte[] metricsAuthorization;
  private final Sessions sessions;
  private final java.util.List<HttpServer> servers =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  public HttpFrontEnd(
      Vertx vertx,
      DeviceLogin login,
      Admission admission,
      IngressMetrics metrics,
      int maxPayload,
      Supplier<String> health) {
    this(vertx, login, admission, metrics, maxPayload, health, Sessions.none());
  }

  public HttpFrontEnd(
      Vertx vertx,
      DeviceLogin login,
      Admission admission,
      IngressMetrics metrics,
      int maxPayload,
      Supplier<String> health,
      Sessions sessions) {
    this.vertx = vertx;
    this.login = login;
    this.admission = admission;
    this.metrics = metrics;
    this.maxPayload = maxPayload;
    this.health = health;
    this.sessions = sessions;
  }

  /** Listens with {@code options} (host, port, TLS and timeouts set by the caller). */
  public Future<HttpServer> listen(HttpServerOptions options) {
    options.setMaxWebSocketMessageSize(maxPayload).setMaxWebSocketFrameSize(maxPayload);
    HttpServer server = vertx.createHttpServer(options).requestHandler(this::handle);
    servers.add(server);
    return server.listen();
  }

  /**
   * The port of the first server. Each call of {@link #listen} from another event loop adds a
   * server on the same port; Vert.x hands new connections to them in turn.
   */
  public int port() {
    return servers.get(0).actualPort();
  }

  /**
   * Requires HTTP Basic {@code userInfo} ({@code user:password}) on {@code /metrics}; null for
   * none. Set before {@link #listen}.
   */
  public void metricsLogin(String userInfo) {
    this.metricsAuthorization =
        userInfo == null
            ? null
            : ("Basic "
                    + java.util.Base64.getEncoder()
                        .encodeToString(userInfo.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private boolean metricsLoginOk(String authorization) {
    byte[] expected = metricsAuthorization;
    return expected == null
        || (authorization != null
            && java.security.MessageDigest.isEqual(
                expected, authorization.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    if (req.method() == HttpMethod.GET && path.equals("/health")) {
      String h = health.get();
      req.response()
          .setStatusCode(h.equals("UP") ? 200 : 503)
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(new JsonObject().put("status", h).encode());
    } else if (req.method() == HttpMethod.GET && path.equals("/metrics")) {
      if (!metricsLoginOk(req.getHeader(HttpHeaders.AUTHORIZATION))) {
        req.response()
            .setStatusCode(401)
            .putHeader("WWW-Authenticate", "Basic realm=\"biometer-ingress-metrics\"")
            .end();
        return;
      }
      req.response()
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
          .end(metrics.scrape());
    } else if (path.equals("/v1/readings")) {
      if (req.method() != HttpMethod.POST) {
        error(req, 405, "method_not_allowed", "POST readings to /v1/readings");
        return;
      }
      post(req, (p, body) -> admitAll(p, body, HTTP).onComplete(r -> answer(req, r.result())));
    } else if (path.equals("/v1/commands")) {
      if (req.method() != HttpMethod.POST) {
        error(req, 405, "method_not_allowed", "POST a command to /v1/commands");
        return;
      }
      post(req, (p, body) -> issue(req, p, body));
    } else if (path.equals("/v1/stream")) {
      stream(req);
    } else {
      error(req, 404, "not_found", "no " + path + "; readings go to POST /v1/readings");
    }
  }

  /** Reads the body of an authenticated POST, then hands it to {@code then}. */
  private void post(HttpServerRequest req, java.util.function.BiConsumer<Principal, Buffer> then) {
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && parseLong(length) > maxPayload) {
      metrics.refused(HTTP, Refusal.OVERSIZE);
      refuse(req, HTTP, new Refused(Refusal.OVERSIZE, "body over " + maxPayload + " bytes"));
      return;
    }
    req.pause();
    String address = req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
    login
        .http(req.getHeader(HttpHeaders.AUTHORIZATION), req.sslSession(), address, HTTP)
        .onComplete(
            auth -> {
              if (auth.failed()) {
                refuse(req, HTTP, auth.cause());
                return;
              }
              Principal p = auth.result();
              Buffer body = Buffer.buffer();
              req.handler(
                  chunk -> {
                    if (req.response().ended()) {
                      return; // refused already; the rest of the body is not read
                    }
                    if (body.length() + chunk.length() > maxPayload) {
                      metrics.refused(HTTP, Refusal.OVERSIZE);
                      refuse(
                          req,
                          HTTP,
                          new Refused(Refusal.OVERSIZE, "body over " + maxPayload + " bytes"));
                      req.connection().close();
                      return;
                    }
                    body.appendBuffer(chunk);
                  });
              req.endHandler(
                  v -> {
                    if (!req.response().ended()) {
                      then.accept(p, body);
                    }
                  });
              req.resume();
            });
  }

  /**
   * {@code POST /v1/commands}: a device (a phone, seed 004) commands another device. The issuer is
   * {@code device:<the authenticated device>}, never a field of the body; the gateway delivers the
   * command only where the access map lets that principal reach the device. 202 once Kafka has it.
   */
  private void issue(HttpServerRequest req, Principal p, Buffer body) {
    if (sessions.router() == null) {
      metrics.refused(HTTP, Refusal.UNKNOWN_COMMAND);
      error(req, 404, "unknown_command", "this gateway takes no commands (commands.enabled)");
      return;
    }
    io.biometer.avro.DeviceCommand c;
    try {
      c = io.biometer.ingress.commands.Commands.issued(p, body);
    } catch (Refused e) {
      metrics.refused(HTTP, e.reason());
      refuse(req, HTTP, e);
      return;
    }
    Future.fromCompletionStage(sessions.router().issue(c), vertx.getOrCreateContext())
        .onComplete(
            r -> {
              if (r.failed()) {
                metrics.refused(HTTP, Refusal.UNAVAILABLE);
                refuse(
                    req,
                    HTTP,
                    new Refused(
                        Refusal.UNAVAILABLE,
                        "Kafka did not take the command (" + r.cause().getMessage() + "); retry"));
                return;
              }
              req.response()
                  .setStatusCode(202)
                  .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                  .end(
                      new JsonObject()
                          .put("id", c.getCommandId())
                          .put("status", "issued")
                          .put("issuedBy", c.getIssuedBy())
                          .put("expiresAt", c.getExpiresAt().toString())
                          .encode());
            });
  }

  /** Results of every reading of {@code body}; never fails. */
  private Future<List<JsonObject>> admitAll(Principal p, Buffer body, String protocol) {
    List<DeviceReading> readings;
    try {
      readings = ReadingJson.parse(body);
    } catch (Refused e) {
      metrics.refused(protocol, e.reason());
      return Future.succeededFuture(List.of(result(null, e)));
    }
    List<Future<JsonObject>> results = new ArrayList<>(readings.size());
    for (DeviceReading r : readings) {
      results.add(
          Future.fromCompletionStage(
                  admission.admit(p, r, p.deviceId(), protocol), vertx.getOrCreateContext())
              .map(v -> new JsonObject().put("id", r.id()).put("status", "accepted"))
              .otherwise(e -> result(r.id(), e)));
    }
    return Future.join(results).map(c -> c.list());
  }

  private static JsonObject result(String id, Throwable e) {
    Refused r =
        e instanceof Refused x
            ? x
            : new Refused(Refusal.UNAVAILABLE, "internal error: " + e.getMessage());
    return new JsonObject()
        .put("id", id)
        .put("status", "refused")
        .put("reason", r.reason().label())
        .put("message", r.getMessage());
  }

  private static void answer(HttpServerRequest req, List<JsonObject> results) {
    int status = 200;
    long accepted = 0;
    JsonObject first = null;
    for (JsonObject r : results) {
      if (r.getString("status").equals("accepted")) {
        accepted++;
      } else if (first == null) {
        first = r;
        status =
            Refusal.valueOf(r.getString("reason").toUpperCase(java.util.Locale.ROOT)).httpStatus();
      }
    }
    JsonObject body =
        new JsonObject()
            .put("accepted", accepted)
            .put("refused", results.size() - accepted)
            .put("results", new JsonArray(new ArrayList<>(results)));
    if (first != null) {
      body.put("error", first.getString("reason")).put("message", first.getString("message"));
    }
    if (!req.response().ended()) {
      req.response()
          .setStatusCode(status)
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(body.encode());
    }
  }

  private void stream(HttpServerRequest req) {
    req.pause();
    String address = req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
    login
        .http(req.getHeader(HttpHeaders.AUTHORIZATION), req.sslSession(), address, WS)
        .onComplete(
            auth -> {
              if (auth.failed()) {
                refuse(req, WS, auth.cause());
                return;
              }
              req.toWebSocket()
                  .onSuccess(ws -> serve(ws, auth.result()))
                  .onFailure(e -> error(req, 400, "malformed", "not a WebSocket upgrade"));
            });
  }

  /** A WebSocket's subscription to one device's commands. */
  /** One WebSocket's state: its commands subscriptions, its heartbeat, why it closed. */
  private static final class Socket {
    final ServerWebSocket ws;
    final Context context;
    final Map<String, Subscription> subscriptions = new HashMap<>();
    // Read by the command router under its lock: a flag, never ws.isClosed(), which takes the
    // connection's lock (an event loop holding that one may be waiting for the router's).
    volatile boolean closed;
    String closedBecause;
    long lastFrame = System.currentTimeMillis();

    Socket(ServerWebSocket ws, Context context) {
      this.ws = ws;
      this.context = context;
    }
  }

  /** A WebSocket's subscription to one device's commands. */
  private record Subscription(Socket socket) implements CommandRouter.Subscriber {
    @Override
    public String protocol() {
      return "websocket";
    }

    @Override
    public boolean isOpen() {
      return !socket.closed;
    }

    @Override
    public void deliver(JsonObject frame, Runnable notWritten) {
      socket.context.runOnContext(
          v -> {
            if (!socket.ws.isClosed()) {
              socket.ws.writeTextMessage(frame.encode());
            } else {
              notWritten.run();
            }
          });
    }
  }

  private void serve(ServerWebSocket ws, Principal p) {
    AtomicLong open = metrics.connections(WS);
    open.incrementAndGet();
    Socket socket = new Socket(ws, vertx.getOrCreateContext());
    Sessions.Handle handle =
        sessions.opened(
            p.deviceId(),
            "websocket",
            ws.remoteAddress() == null ? null : ws.remoteAddress().toString());
    // Heartbeat: a ping every interval; a socket silent (no pong, no message) for two is closed.
    long interval = sessions.heartbeatMillis();
    long timer =
        vertx.setPeriodic(
            interval,
            t -> {
              if (ws.isClosed()) {
                return;
              }
              long silent = System.currentTimeMillis() - socket.lastFrame;
              if (silent > 2 * interval) {
                socket.closedBecause = "ping timeout (silent " + silent / 1000 + " s)";
                ws.close((short) 1001, "ping timeout: no pong for " + silent + " ms");
              } else {
                ws.writePing(Buffer.buffer("biometer"));
              }
            });
    ws.pongHandler(b -> socket.lastFrame = System.currentTimeMillis());
    ws.closeHandler(
        v -> {
          open.decrementAndGet();
          socket.closed = true;
          vertx.cancelTimer(timer);
          if (sessions.router() != null) {
            socket.subscriptions.forEach((d, s) -> sessions.router().unsubscribe(d, s));
          }
          String reason = socket.closedBecause;
          if (reason == null) {
            Short code = ws.closeStatusCode();
            reason =
                code == null ? "connection lost" : "client disconnected (close code " + code + ")";
          }
          handle.close(reason);
        });
    ws.exceptionHandler(
        e -> {
          // A message over maxWebSocketMessageSize fails the socket: say so with 1009.
          boolean tooBig = e.getClass().getSimpleName().contains("TooLong");
          metrics.refused(WS, tooBig ? Refusal.OVERSIZE : Refusal.MALFORMED);
          ws.close(
              tooBig ? (short) 1009 : (short) 1002,
              tooBig ? "message over " + maxPayload + " bytes" : "bad frame: " + e.getMessage());
        });
    // A device that sends but does not read its answers is paused while they wait, so they do
    // not pile up in the gateway's memory.
    ws.drainHandler(v -> ws.resume());
    ws.textMessageHandler(
        text -> {
          socket.lastFrame = System.currentTimeMillis();
          // Readings have no "type"; subscriptions and answers to commands do.
          Future<List<JsonObject>> done =
              text.contains("\"type\"")
                  ? control(p, socket, text)
                  : admitAll(p, Buffer.buffer(text), WS);
          done.onComplete(r -> answer(ws, r.result()));
        });
    ws.binaryMessageHandler(
        bytes -> {
          socket.lastFrame = System.currentTimeMillis();
          admitAll(p, bytes, WS).onComplete(r -> answer(ws, r.result()));
        });
    // The upgrade request was paused while the device logged in.
    ws.resume();
  }

  /** A subscribe frame or an answer to a command (docs/commands.md). */
  private Future<List<JsonObject>> control(Principal p, Socket socket, String text) {
    Map<String, Subscription> subscriptions = socket.subscriptions;
    JsonObject frame;
    try {
      Object json = Json.decodeValue(text);
      if (!(json instanceof JsonObject o)) {
        throw new Refused(Refusal.MALFORMED, "a frame with a type is a JSON object");
      }
      frame = o;
    } catch (io.vertx.core.json.DecodeException e) {
      return refusedFrame(null, new Refused(Refusal.MALFORMED, "not JSON: " + e.getMessage()));
    } catch (Refused e) {
      return refusedFrame(null, e);
    }
    Object type = frame.getValue("type");
    Object id = frame.getValue("id");
    String idText = id instanceof String x ? x : null;
    try {
      if (sessions.router() == null) {
        throw new Refused(Refusal.UNKNOWN_COMMAND, "this gateway delivers no commands");
      }
      if ("subscribe".equals(type)) {
        for (String f : frame.fieldNames()) {
          if (!f.equals("type") && !f.equals("deviceId")) {
            throw new Refused(Refusal.UNKNOWN_FIELD, "a subscribe frame has no field " + f);
          }
        }
        Object d = frame.getValue("deviceId");
        if (d != null && !(d instanceof String)) {
          throw new Refused(Refusal.MALFORMED, "deviceId must be a string");
        }
        String deviceId = d == null ? p.deviceId() : (String) d;
        Subscription sub = new Subscription(socket);
        Subscription before = subscriptions.put(deviceId, sub);
        if (before != null) {
          sessions.router().unsubscribe(deviceId, before);
        }
        try {
          sessions.router().subscribe(p, deviceId, sub);
        } catch (Refused e) {
          subscriptions.remove(deviceId);
          throw e;
        }
        // Written now; the commands that waited come after it, as deliver() queues them on this
        // context.
        socket.ws.writeTextMessage(
            new JsonObject().put("type", "subscribed").put("deviceId", deviceId).encode());
        return Future.succeededFuture(List.of());
      }
      if ("response".equals(type)) {
        return Future.fromCompletionStage(sessions.router().respond(p, frame), socket.context)
            .map(v -> List.of(new JsonObject().put("id", idText).put("status", "accepted")))
            .otherwise(e -> List.of(result(idText, e)));
      }
      throw new Refused(
          Refusal.MALFORMED,
          "type " + type + ": a frame's type is subscribe or response; readings have no type");
    } catch (Refused e) {
      return refusedFrame(idText, e);
    }
  }

  private Future<List<JsonObject>> refusedFrame(String id, Refused e) {
    metrics.refused(WS, e.reason());
    return Future.succeededFuture(List.of(result(id, e)));
  }

  private static void answer(ServerWebSocket ws, List<JsonObject> results) {
    if (ws.isClosed()) {
      return;
    }
    results.forEach(res -> ws.writeTextMessage(res.encode()));
    if (ws.writeQueueFull()) {
      ws.pause();
    }
  }

  private static void refuse(HttpServerRequest req, String protocol, Throwable e) {
    Refused r =
        e instanceof Refused x
            ? x
            : new Refused(Refusal.UNAVAILABLE, "internal error: " + e.getMessage());
    if (r.reason() == Refusal.UNKNOWN_DEVICE
        || r.reason() == Refusal.BAD_SECRET
        || r.reason() == Refusal.EXPIRED_SECRET) {
      req.response().putHeader("WWW-Authenticate", "Basic realm=\"biometer\"");
    }
    error(req, r.reason().httpStatus(), r.reason().label(), r.getMessage());
  }

  private static void error(HttpServerRequest req, int status, String error, String message) {
    if (req.response().ended()) {
      return;
    }
    req.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", error).put("message", message).encode());
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
