package io.biometer.simulator.gateway;

import io.biometer.ingress.readings.DeviceReading;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * WebSocket {@code /v1/stream}, logged in with {@code Authorization: Basic} on the upgrade. Each
 * text message carries a batch; the gateway answers each reading by its id {@code
 * <device>/<sequence>} once Kafka has it, so several messages may be unanswered at once.
 */
final class WebSocketTransport implements Transport {

  private final WebSocketClient client;
  private final GatewaySettings settings;

  WebSocketTransport(Vertx vertx, GatewaySettings settings) {
    this.settings = settings;
    WebSocketClientOptions o =
        new WebSocketClientOptions()
            // Every device has its own connection to the one gateway: no cap per endpoint.
            .setMaxConnections(Integer.MAX_VALUE)
            .setConnectTimeout(10_000);
    if (settings.tls()) {
      o.setSsl(true).setTrustOptions(Wire.trust(settings)).setVerifyHost(true);
    }
    this.client = vertx.createWebSocketClient(o);
  }

  @Override
  public Future<Link> connect(String deviceId, String password, Consumer<Link> onClosed) {
    WebSocketConnectOptions o =
        new WebSocketConnectOptions()
            .setHost(settings.host())
            .setPort(settings.httpPort())
            .setSsl(settings.tls())
            .setURI("/v1/stream")
            .putHeader(HttpHeaders.AUTHORIZATION, Wire.basic(deviceId, password));
    return client
        .connect(o)
        .recover(e -> Future.failedFuture(refusal(e)))
        .map(
            ws -> {
              WsLink l = new WsLink(ws);
              ws.closeHandler(
                  v -> {
                    l.closed();
                    onClosed.accept(l);
                  });
              ws.exceptionHandler(e -> ws.close());
              ws.textMessageHandler(l::answer);
              return l;
            });
  }

  /** A refused upgrade as the login refusal it is, other failures as they are. */
  static Throwable refusal(Throwable e) {
    if (e instanceof UpgradeRejectedException u
        && (u.getStatus() == 401 || u.getStatus() == 403 || u.getStatus() == 429)) {
      JsonObject body = u.getBody() == null ? null : Wire.errorBody(u.getBody());
      return new LoginRefused(
          body == null ? "http_" + u.getStatus() : body.getString("error"),
          body == null ? "upgrade refused with " + u.getStatus() : body.getString("message"));
    }
    return e;
  }

  @Override
  public boolean loginOnConnect() {
    return true;
  }

  @Override
  public int maxMessagesInFlight() {
    return Integer.MAX_VALUE;
  }

  @Override
  public boolean mixedBatches() {
    return true;
  }

  @Override
  public void close() {
    client.close();
  }

  /** A message waiting for the answers to its readings. */
  private static final class Message {
    final Promise<List<Answer>> promise = Promise.promise();
    final Answer[] answers;
    int remaining;

    Message(int n) {
      answers = new Answer[n];
      remaining = n;
    }
  }

  private record Slot(Message message, int index) {}

  private static final class WsLink implements Link {
    private final WebSocket ws;
    private final Map<String, Slot> byId = new HashMap<>();

    WsLink(WebSocket ws) {
      this.ws = ws;
    }

    @Override
    public Future<List<Answer>> send(List<DeviceReading> readings) {
      Message m = new Message(readings.size());
      for (int i = 0; i < readings.size(); i++) {
        byId.put(readings.get(i).id(), new Slot(m, i));
      }
      ws.writeTextMessage(Wire.json(readings).toString())
          .onFailure(
              e -> {
                readings.forEach(r -> byId.remove(r.id()));
                m.promise.tryFail(e);
              });
      return m.promise.future();
    }

    void answer(String text) {
      JsonObject j;
      try {
        j = new JsonObject(text);
      } catch (RuntimeException e) {
        ws.close();
        return;
      }
      String id = j.getString("id");
      if (id == null) {
        // The gateway could not read a whole message and cannot say which: start over on a
        // new connection, where the device sends one reading at a time until one is answered.
        ws.close();
        return;
      }
      Slot s = byId.remove(id);
      if (s == null) {
        return;
      }
      s.message().answers[s.index()] =
          "accepted".equals(j.getString("status"))
              ? Answer.ACCEPTED
              : Answer.refused(j.getString("reason"), j.getString("message"));
      if (--s.message().remaining == 0) {
        s.message().promise.tryComplete(Arrays.asList(s.message().answers));
      }
    }

    void closed() {
      Set<Message> open = new LinkedHashSet<>();
      byId.values().forEach(s -> open.add(s.message()));
      byId.clear();
      open.forEach(m -> m.promise.tryFail(new Wire.ConnectionLost("WebSocket closed")));
    }

    @Override
    public void close() {
      ws.close();
    }
  }
}
