package io.biometer.ingress.grpc;

import io.biometer.ingress.IngressMetrics;
import io.biometer.ingress.Refusal;
import io.biometer.ingress.Refused;
import io.biometer.ingress.auth.DeviceLogin;
import io.biometer.ingress.auth.Principal;
import io.biometer.ingress.grpc.v1.Ack;
import io.biometer.ingress.grpc.v1.Reading;
import io.biometer.ingress.readings.Admission;
import io.biometer.ingress.readings.DeviceReading;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.InvalidMessageException;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.WireFormat;
import io.vertx.grpc.server.GrpcProtocol;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gRPC for devices: the service {@code biometer.ingress.v1.Readings} of {@code
 * src/main/proto/biometer/ingress/v1/readings.proto}, served by Vert.x's gRPC server on its own
 * HTTP/2 port (h2c, or h2 over TLS negotiated by ALPN), with the protobuf messages generated from
 * that file. The gateway needs no grpc-java: Vert.x routes the call by the name the proto's
 * descriptor gives it.
 *
 * <ul>
 *   <li>A device calls {@code Send} with the metadata {@code authorization: Basic
 *       base64(<authId>:<password>)}, or over TLS with a client certificate. The login completes
 *       before any reading is read; a failed one ends the call with UNAUTHENTICATED
 *       (RESOURCE_EXHAUSTED when the logins of the id or address are throttled), its reason's label
 *       in the trailer {@code biometer-reason}.
 *   <li>Each reading gets one {@link Ack}, once {@link Admission} has it in Kafka or refused it. A
 *       refused reading does not end the call.
 *   <li>A message over {@code max.payload.bytes} is skipped unread and refused as oversize, one
 *       that is not a {@link Reading} as malformed; their acks name no reading. Compressed calls
 *       are refused (UNIMPLEMENTED): the limit bounds a message as sent, and gzip could inflate it
 *       a thousandfold.
 *   <li>At most {@link #MAX_IN_FLIGHT} readings of one call wait for Kafka, and the call is not
 *       read while its acks cannot be written: HTTP/2 flow control then holds the device back.
 *   <li>When the device half-closes, the acks still due are sent and the call ends with OK.
 * </ul>
 */
public final class GrpcFrontEnd {

  private static final Logger log = LoggerFactory.getLogger(GrpcFrontEnd.class);

  static final String GRPC = "grpc";

  /** Readings of one call that may wait for Kafka at once. */
  static final int MAX_IN_FLIGHT = 256;

  /** The trailer that names the {@link Refusal} of a failed login. */
  static final String REASON_TRAILER = "biometer-reason";

  /**
   * {@code Readings/Send} as Vert.x serves it, named by the descriptor generated from the proto.
   */
  static final ServiceMethod<Inbound<Reading>, Ack> SEND = Inbound.method("Send", Reading.parser());

  private final Vertx vertx;
  private final DeviceLogin login;
  private final Admission admission;
  private final IngressMetrics metrics;
  private final int maxPayload;
  private final GrpcCommands commands;
  private HttpServer server;

  /**
   * @param maxPayload the largest message in bytes ({@code max.payload.bytes}); larger ones are
   *     refused as oversize
   */
  public GrpcFrontEnd(
      Vertx vertx, DeviceLogin login, Admission admission, IngressMetrics metrics, int maxPayload) {
    this(
        vertx, login, admission, metrics, maxPayload, io.biometer.ingress.commands.Sessions.none());
  }

  /**
   * @param sessions where commands come from ({@code Readings/Commands}) and connection events go
   */
  public GrpcFrontEnd(
      Vertx vertx,
      DeviceLogin login,
      Admission admission,
      IngressMetrics metrics,
      int maxPayload,
      io.biometer.ingress.commands.Sessions sessions) {
    this.commands = new GrpcCommands(vertx, login, metrics, sessions);
    this.vertx = vertx;
    this.login = login;
    this.admission = admission;
    this.metrics = metrics;
    this.maxPayload = maxPayload;
  }

  /**
   * Listens with {@code options} (host, port, TLS and timeouts set by the caller). Only gRPC over
   * HTTP/2 is served: prior-knowledge h2c in plain text, h2 by ALPN under TLS; gRPC-Web, JSON and
   * HTTP/1 requests are refused.
   */
  public Future<HttpServer> listen(HttpServerOptions options) {
    options.setHttp2ClearTextEnabled(true);
    if (options.isSsl()) {
      options.setUseAlpn(true).setAlpnVersions(List.of(HttpVersion.HTTP_2));
    }
    GrpcServerOptions grpcOptions =
        new GrpcServerOptions()
            .removeEnabledProtocol(GrpcProtocol.WEB)
            .removeEnabledProtocol(GrpcProtocol.WEB_TEXT)
            .removeEnabledProtocol(GrpcProtocol.TRANSCODING)
            .setMaxMessageSize(maxPayload);
    GrpcServer grpc =
        GrpcServer.server(vertx, grpcOptions)
            .callHandler(SEND, this::call)
            .callHandler(GrpcCommands.METHOD, commands::call);
    server = vertx.createHttpServer(options).requestHandler(grpc);
    return server.listen();
  }

  public int port() {
    return server.actualPort();
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void call(GrpcServerRequest<Inbound<Reading>, Ack> call) {
    new Upload(call).login();
  }

  /** One {@code Send} call, on the event loop of its connection. */
  private final class Upload {

    private final GrpcServerRequest<Inbound<Reading>, Ack> call;
    private final GrpcServerResponse<Inbound<Reading>, Ack> response;
    private final Context context;
    private final AtomicLong open = metrics.connections(GRPC);

    /** Messages refused unread while the login ran, answered once it succeeded. */
    private final List<Refused> unread = new ArrayList<>();

    private Principal principal;
    private int inFlight;
    private boolean paused;
    private boolean halfClosed;
    private boolean over;
    private boolean counted;

    Upload(GrpcServerRequest<Inbound<Reading>, Ack> call) {
      this.call = call;
      this.response = call.response();
      this.context = vertx.getOrCreateContext();
    }

    void login() {
      // Nothing is read before the device is known; HTTP/2 flow control holds what it sends.
      call.pause();
      call.invalidMessageHandler(this::unreadable);
      call.errorHandler(e -> cancelled("the call ended with " + e));
      call.exceptionHandler(e -> cancelled(e.toString()));
      if (call.format() != WireFormat.PROTOBUF) {
        metrics.refused(GRPC, Refusal.MALFORMED);
        end(
            GrpcStatus.INVALID_ARGUMENT,
            "send protobuf (content-type application/grpc), not " + call.format());
        return;
      }
      if (call.encoding() != null && !call.encoding().equals("identity")) {
        // max.payload.bytes bounds a message as sent: a compressed one could inflate far beyond.
        metrics.refused(GRPC, Refusal.MALFORMED);
        end(
            GrpcStatus.UNIMPLEMENTED,
            "compressed messages (grpc-encoding: "
                + call.encoding()
                + ") are not taken; a reading is small, send it uncompressed");
        return;
      }
      HttpConnection c = call.connection();
      String address = c.remoteAddress() == null ? null : c.remoteAddress().hostAddress();
      SSLSession tls = c.isSsl() ? c.sslSession() : null;
      String authorization = call.headers().get("authorization");
      if (authorization == null && DeviceLogin.subject(tls) == null) {
        metrics.refused(GRPC, Refusal.UNKNOWN_DEVICE);
        refuseLogin(
            new Refused(
                Refusal.UNKNOWN_DEVICE,
                "no credential: send the metadata authorization: Basic"
                    + " base64(<authId>:<password>), or a client certificate over TLS"));
        return;
      }
      login
          .http(authorization, tls, address, GRPC)
          .onComplete(
              a -> {
                if (a.succeeded()) {
                  serve(a.result());
                } else {
                  refuseLogin(a.cause());
                }
              });
    }

    private void refuseLogin(Throwable e) {
      Refused r;
      if (e instanceof Refused x) {
        r = x;
      } else {
        r = new Refused(Refusal.UNAVAILABLE, "the login failed: " + e.getMessage() + "; retry");
        metrics.refused(GRPC, r.reason());
      }
      GrpcStatus status =
          switch (r.reason()) {
            case LOGIN_THROTTLED -> GrpcStatus.RESOURCE_EXHAUSTED;
            case UNAVAILABLE -> GrpcStatus.UNAVAILABLE;
            default -> GrpcStatus.UNAUTHENTICATED;
          };
      if (!over) {
        response.trailers().set(REASON_TRAILER, r.reason().label());
      }
      end(status, r.getMessage());
    }

    private void serve(Principal p) {
      if (over) {
        return;
      }
      principal = p;
      counted = true;
      open.incrementAndGet();
      call.handler(this::reading);
      call.endHandler(
          v -> {
            halfClosed = true;
            finish();
          });
      response.drainHandler(v -> flow());
      unread.forEach(r -> answer(refused(null, r)));
      unread.clear();
      call.resume();
    }

    private void reading(Inbound<Reading> in) {
      if (over) {
        return;
      }
      if (in.refused() != null) {
        metrics.refused(GRPC, in.refused().reason());
        answer(refused(null, in.refused()));
        return;
      }
      Reading m = in.message();
      DeviceReading r;
      try {
        r = deviceReading(m);
      } catch (Refused e) {
        metrics.refused(GRPC, e.reason());
        answer(refused(m, e));
        return;
      }
      CompletableFuture<Void> admitted;
      try {
        admitted = admission.admit(principal, r, principal.deviceId(), GRPC);
      } catch (RuntimeException e) {
        admitted = CompletableFuture.failedFuture(e);
      }
      inFlight++;
      flow();
      Future.fromCompletionStage(admitted, context)
          .onComplete(
              res -> {
                inFlight--;
                if (res.failed() && !(unwrap(res.cause()) instanceof Refused)) {
                  metrics.refused(GRPC, Refusal.UNAVAILABLE);
                }
                answer(res.succeeded() ? accepted(m) : refused(m, res.cause()));
                flow();
                finish();
              });
    }

    private void unreadable(InvalidMessageException e) {
      Refused r =
          e instanceof MessageSizeOverflowException o
              ? new Refused(
                  Refusal.OVERSIZE,
                  "a message of "
                      + o.messageSize()
                      + " bytes, over max.payload.bytes ("
                      + maxPayload
                      + "); it was skipped unread")
              : new Refused(Refusal.MALFORMED, "an unreadable message: " + e.getMessage());
      metrics.refused(GRPC, r.reason());
      if (principal == null) {
        // Deframing goes on during the login; answer once the device is known.
        if (unread.size() < MAX_IN_FLIGHT) {
          unread.add(r);
        }
      } else {
        answer(refused(null, r));
      }
    }

    /** Reads the call while few readings wait for Kafka and its acks can be written. */
    private void flow() {
      if (over) {
        return;
      }
      boolean full = response.writeQueueFull();
      if (!paused && (inFlight >= MAX_IN_FLIGHT || full)) {
        paused = true;
        call.pause();
      } else if (paused && !full && inFlight <= MAX_IN_FLIGHT / 2) {
        paused = false;
        call.resume();
      }
    }

    private void finish() {
      if (halfClosed && inFlight == 0) {
        end(GrpcStatus.OK, null);
      }
    }

    private void answer(Ack ack) {
      if (over) {
        return;
      }
      try {
        response.write(ack);
      } catch (IllegalStateException e) {
        cancelled(e.getMessage());
      }
    }

    private void end(GrpcStatus status, String message) {
      if (over) {
        return;
      }
      over = true;
      closed();
      response.status(status);
      if (message != null) {
        response.statusMessage(message);
      }
      try {
        response.end();
        if (status != GrpcStatus.OK) {
          // The device may still be sending to a call that is over: reset its stream (a no-op if
          // it half-closed), so that it holds neither the stream nor its flow-control window.
          response.cancel();
        }
      } catch (IllegalStateException e) {
        log.debug("gRPC call of {} already closed: {}", principal, e.getMessage());
      }
    }

    private void cancelled(String why) {
      if (over) {
        return;
      }
      over = true;
      closed();
      log.debug(
          "gRPC call of {} ended by the device with {} readings unanswered: {}",
          principal,
          inFlight,
          why);
    }

    private void closed() {
      if (counted) {
        counted = false;
        open.decrementAndGet();
      }
    }
  }

  /**
   * The reading of {@code m}, checked as {@link io.biometer.ingress.readings.ReadingJson} checks
   * JSON: every field present, no unknown one.
   *
   * @throws Refused MALFORMED or UNKNOWN_FIELD, naming the reading and the field
   */
  static DeviceReading deviceReading(Reading m) {
    String id = "reading " + m.getDeviceId() + "/" + m.getSequence() + ": ";
    if (!m.getUnknownFields().asMap().isEmpty()) {
      throw new Refused(
          Refusal.UNKNOWN_FIELD,
          id
              + "field numbers "
              + m.getUnknownFields().asMap().keySet()
              + " are not in biometer.ingress.v1.Reading; update the device to this gateway's"
              + " readings.proto");
    }
    if (m.getDeviceId().isBlank()) {
      throw new Refused(Refusal.MALFORMED, id + "device_id must be a non-empty string");
    }
    if (!m.hasSequence() || m.getSequence() < 0) {
      throw new Refused(Refusal.MALFORMED, id + "sequence must be set, >= 0");
    }
    if (!m.hasSentAtMs()) {
      throw new Refused(Refusal.MALFORMED, id + "sent_at_ms must be set (epoch milliseconds)");
    }
    if (!m.hasEventTimeMs()) {
      throw new Refused(Refusal.MALFORMED, id + "event_time_ms must be set (epoch milliseconds)");
    }
    if (m.getValuesCount() == 0) {
      throw new Refused(Refusal.MALFORMED, id + "values must map each channel to its value");
    }
    m.getValuesMap()
        .forEach(
            (channel, value) -> {
              if (!Double.isFinite(value)) {
                throw new Refused(
                    Refusal.MALFORMED,
                    id + "value of channel '" + channel + "' is not a finite number");
              }
            });
    float battery = m.getBatteryPercent();
    if (!m.hasBatteryPercent() || !(battery >= 0 && battery <= 100)) {
      throw new Refused(Refusal.MALFORMED, id + "battery_percent must be set, 0 to 100");
    }
    return new DeviceReading(
        m.getDeviceId(),
        m.getSequence(),
        m.getSentAtMs(),
        m.getEventTimeMs(),
        m.getValuesMap(),
        battery);
  }

  static Ack accepted(Reading m) {
    return Ack.newBuilder()
        .setDeviceId(m.getDeviceId())
        .setSequence(m.getSequence())
        .setStatus(Ack.Status.ACCEPTED)
        .build();
  }

  /** The ack of a refusal; {@code m} null for a message that could not be read. */
  static Ack refused(Reading m, Throwable failure) {
    Throwable e = unwrap(failure);
    Refused r =
        e instanceof Refused x
            ? x
            : new Refused(Refusal.UNAVAILABLE, "internal error: " + e + "; send it again");
    Ack.Builder b =
        Ack.newBuilder()
            .setStatus(Ack.Status.REFUSED)
            .setReason(r.reason().label())
            .setGrpcStatus(r.reason().grpcStatus())
            .setMessage(String.valueOf(r.getMessage()));
    if (m != null) {
      b.setDeviceId(m.getDeviceId()).setSequence(m.getSequence());
    }
    return b.build();
  }

  private static Throwable unwrap(Throwable e) {
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
