package io.biometer.ingress.grpc;

import io.biometer.ingress.IngressMetrics;
import io.biometer.ingress.Refusal;
import io.biometer.ingress.Refused;
import io.biometer.ingress.auth.DeviceLogin;
import io.biometer.ingress.auth.Principal;
import io.biometer.ingress.commands.CommandRouter;
import io.biometer.ingress.commands.Sessions;
import io.biometer.ingress.grpc.v1.Ack;
import io.biometer.ingress.grpc.v1.Command;
import io.biometer.ingress.grpc.v1.CommandAck;
import io.biometer.ingress.grpc.v1.CommandDownlink;
import io.biometer.ingress.grpc.v1.CommandUplink;
import io.biometer.ingress.grpc.v1.Subscribed;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.WireFormat;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code biometer.ingress.v1.Readings/Commands}: the gRPC way for a device to take its commands
 * (docs/commands.md). Logs in as {@code Send} does; each stream is a connection in {@code
 * telemetry.connections}; its HTTP/2 connection is pinged every {@code heartbeat.interval}, so
 * neither the gateway's idle timeout nor a NAT ends a quiet stream.
 */
final class GrpcCommands {

  private static final Logger log = LoggerFactory.getLogger(GrpcCommands.class);

  static final ServiceMethod<Inbound<CommandUplink>, CommandDownlink> METHOD =
      Inbound.method("Commands", CommandUplink.parser());

  private final Vertx vertx;
  private final DeviceLogin login;
  private final IngressMetrics metrics;
  private final Sessions sessions;

  GrpcCommands(Vertx vertx, DeviceLogin login, IngressMetrics metrics, Sessions sessions) {
    this.vertx = vertx;
    this.login = login;
    this.metrics = metrics;
    this.sessions = sessions;
  }

  void call(GrpcServerRequest<Inbound<CommandUplink>, CommandDownlink> call) {
    new Stream(call).login();
  }

  private final class Stream {
    private final GrpcServerRequest<Inbound<CommandUplink>, CommandDownlink> call;
    private final GrpcServerResponse<Inbound<CommandUplink>, CommandDownlink> response;
    private final Context context;
    private final Map<String, Subscription> subscriptions = new HashMap<>();
    private Principal principal;
    private Sessions.Handle handle;
    private long timer = -1;
    private volatile long lastPong = System.currentTimeMillis();
    // Read by the command router under its lock: volatile, and nothing of Vert.x's is asked.
    private volatile boolean over;

    Stream(GrpcServerRequest<Inbound<CommandUplink>, CommandDownlink> call) {
      this.call = call;
      this.response = call.response();
      this.context = vertx.getOrCreateContext();
    }

    void login() {
      call.pause();
      call.errorHandler(e -> closed("the call ended with " + e));
      call.exceptionHandler(e -> closed("connection lost (" + e + ")"));
      if (call.format() != WireFormat.PROTOBUF) {
        metrics.refused(GrpcFrontEnd.GRPC, Refusal.MALFORMED);
        end(GrpcStatus.INVALID_ARGUMENT, "send protobuf (content-type application/grpc)");
        return;
      }
      HttpConnection c = call.connection();
      String address = c.remoteAddress() == null ? null : c.remoteAddress().hostAddress();
      SSLSession tls = c.isSsl() ? c.sslSession() : null;
      String authorization = call.headers().get("authorization");
      if (authorization == null && DeviceLogin.subject(tls) == null) {
        metrics.refused(GrpcFrontEnd.GRPC, Refusal.UNKNOWN_DEVICE);
        end(
            GrpcStatus.UNAUTHENTICATED,
            "no credential: send the metadata authorization: Basic base64(<authId>:<password>),"
                + " or a client certificate over TLS");
        return;
      }
      login
          .http(authorization, tls, address, GrpcFrontEnd.GRPC)
          .onComplete(
              a -> {
                if (a.failed()) {
                  Refusal r = a.cause() instanceof Refused x ? x.reason() : Refusal.UNAVAILABLE;
                  response.trailers().set(GrpcFrontEnd.REASON_TRAILER, r.label());
                  end(
                      r == Refusal.LOGIN_THROTTLED
                          ? GrpcStatus.RESOURCE_EXHAUSTED
                          : r == Refusal.UNAVAILABLE
                              ? GrpcStatus.UNAVAILABLE
                              : GrpcStatus.UNAUTHENTICATED,
                      a.cause().getMessage());
                } else {
                  serve(a.result(), c);
                }
              });
    }

    private void serve(Principal p, HttpConnection c) {
      if (over) {
        return;
      }
      principal = p;
      handle =
          sessions.opened(
              p.deviceId(),
              GrpcFrontEnd.GRPC,
              c.remoteAddress() == null ? null : c.remoteAddress().toString());
      long interval = sessions.heartbeatMillis();
      timer =
          vertx.setPeriodic(
              interval,
              t -> {
                long silent = System.currentTimeMillis() - lastPong;
                if (silent > 2 * interval) {
                  // A half-open peer: the pings go out, no acknowledgement comes back.
                  closed("ping timeout (no HTTP/2 ping acknowledged for " + silent + " ms)");
                  c.close();
                  return;
                }
                c.ping(Buffer.buffer("biometer"))
                    .onSuccess(b -> lastPong = System.currentTimeMillis());
              });
      call.handler(this::message);
      call.endHandler(
          v -> {
            closed("client disconnected");
            end(GrpcStatus.OK, null);
          });
      call.resume();
    }

    private void message(Inbound<CommandUplink> in) {
      if (over) {
        return;
      }
      if (in.refused() != null) {
        refuse("", in.refused());
        return;
      }
      CommandUplink m = in.message();
      try {
        if (sessions.router() == null) {
          throw new Refused(Refusal.UNKNOWN_COMMAND, "this gateway delivers no commands");
        }
        switch (m.getKindCase()) {
          case SUBSCRIBE -> subscribe(m.getSubscribe().getDeviceId());
          case RESPONSE -> respond(m.getResponse());
          default ->
              throw new Refused(
                  Refusal.MALFORMED, "a CommandUplink carries a subscribe or a response");
        }
      } catch (Refused e) {
        refuse(m.hasResponse() ? m.getResponse().getId() : "", e);
      }
    }

    private void subscribe(String device) {
      String deviceId = device.isBlank() ? principal.deviceId() : device;
      Subscription sub = new Subscription(this);
      Subscription before = subscriptions.put(deviceId, sub);
      if (before != null) {
        sessions.router().unsubscribe(deviceId, before);
      }
      try {
        sessions.router().subscribe(principal, deviceId, sub);
      } catch (Refused e) {
        subscriptions.remove(deviceId);
        throw e;
      }
      // Written now; the commands that waited come after it (deliver() queues them here).
      write(
          CommandDownlink.newBuilder()
              .setSubscribed(Subscribed.newBuilder().setDeviceId(deviceId))
              .build());
    }

    private void respond(io.biometer.ingress.grpc.v1.CommandResponse r) {
      JsonObject frame =
          new JsonObject()
              .put("type", "response")
              .put("id", r.getId())
              .put("status", r.getOk() ? "ok" : "failed");
      if (r.getDetailsCount() > 0) {
        frame.put("details", new JsonObject(new HashMap<>(r.getDetailsMap())));
      }
      if (!r.getReason().isEmpty()) {
        frame.put("reason", r.getReason());
      }
      Future.fromCompletionStage(sessions.router().respond(principal, frame), context)
          .onComplete(
              res -> {
                if (res.succeeded()) {
                  write(
                      CommandDownlink.newBuilder()
                          .setAck(
                              CommandAck.newBuilder()
                                  .setId(r.getId())
                                  .setStatus(Ack.Status.ACCEPTED))
                          .build());
                } else {
                  Throwable e = res.cause();
                  while (e instanceof CompletionException && e.getCause() != null) {
                    e = e.getCause();
                  }
                  refuse(
                      r.getId(),
                      e instanceof Refused x
                          ? x
                          : new Refused(Refusal.UNAVAILABLE, "internal error: " + e));
                }
              });
    }

    private void refuse(String id, Refused e) {
      metrics.refused(GrpcFrontEnd.GRPC, e.reason());
      write(
          CommandDownlink.newBuilder()
              .setAck(
                  CommandAck.newBuilder()
                      .setId(id)
                      .setStatus(Ack.Status.REFUSED)
                      .setReason(e.reason().label())
                      .setGrpcStatus(e.reason().grpcStatus())
                      .setMessage(String.valueOf(e.getMessage())))
              .build());
    }

    void write(CommandDownlink m) {
      if (over) {
        return;
      }
      try {
        response.write(m);
      } catch (IllegalStateException e) {
        closed("connection lost (" + e.getMessage() + ")");
      }
    }

    private void end(GrpcStatus status, String message) {
      if (over && status != GrpcStatus.OK) {
        return;
      }
      over = true;
      response.status(status);
      if (message != null) {
        response.statusMessage(message);
      }
      try {
        response.end();
      } catch (IllegalStateException e) {
        log.debug("gRPC commands stream of {} already closed: {}", principal, e.getMessage());
      }
    }

    private void closed(String reason) {
      if (handle == null) {
        over = true;
        return;
      }
      over = true;
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
      if (sessions.router() != null) {
        subscriptions.forEach((d, s) -> sessions.router().unsubscribe(d, s));
      }
      subscriptions.clear();
      Sessions.Handle h = handle;
      handle = null;
      h.close(reason);
    }
  }

  /** A stream's subscription to one device's commands. */
  private record Subscription(Stream stream) implements CommandRouter.Subscriber {
    @Override
    public String protocol() {
      return GrpcFrontEnd.GRPC;
    }

    @Override
    public boolean isOpen() {
      return !stream.over;
    }

    @Override
    public void deliver(JsonObject frame, Runnable notWritten) {
      Command.Builder c =
          Command.newBuilder()
              .setId(frame.getString("id"))
              .setDeviceId(frame.getString("deviceId"))
              .setName(frame.getString("name"))
              .setExpiresAtMs(Instant.parse(frame.getString("expiresAt")).toEpochMilli());
      frame
          .getJsonObject("arguments")
          .forEach(e -> c.putArguments(e.getKey(), (String) e.getValue()));
      CommandDownlink m = CommandDownlink.newBuilder().setCommand(c).build();
      stream.context.runOnContext(
          v -> {
            if (stream.over) {
              notWritten.run();
            } else {
              stream.write(m);
            }
          });
    }
  }
}
