package io.biometer.simulator.gateway;

import com.google.protobuf.Descriptors;
import io.biometer.ingress.Refusal;
import io.biometer.ingress.grpc.v1.Ack;
import io.biometer.ingress.grpc.v1.Reading;
import io.biometer.ingress.grpc.v1.ReadingsProto;
import io.biometer.ingress.readings.DeviceReading;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * gRPC {@code biometer.ingress.v1.Readings/Send} (ingress {@code readings.proto}) with Vert.x's
 * gRPC client and the gateway's protobuf messages: each device opens its own HTTP/2 connection
 * (h2c, or h2 over TLS by ALPN), and on it one {@code Send} call with the metadata {@code
 * authorization: Basic}, opened with the first readings the device sends. Every reading is one
 * {@link Reading} message; the gateway answers each with an {@link Ack} naming it by device and
 * sequence, once Kafka has it, so several messages may be unanswered at once.
 *
 * <ul>
 *   <li>An Ack ACCEPTED: accepted; REFUSED: {@link Answer#refused} of its reason ({@code replay}
 *       delivered, {@code unavailable} and {@code rate_limited} sent again, ...).
 *   <li>A call ended by a refused login (UNAUTHENTICATED or RESOURCE_EXHAUSTED, its reason in the
 *       trailer {@value #REASON_TRAILER}): {@link Answer#login} for every reading unanswered.
 *   <li>A call that ends otherwise, or an Ack that names no reading (the gateway could not read a
 *       message): the connection is closed, the readings go back to the device's store, and the
 *       device connects again with backoff and opens a new call ({@link RelayDevice}).
 * </ul>
 *
 * The login completes only when the gateway answers the first reading (or ends the call), so the
 * credential is proven by an answer, as over HTTP.
 */
final class GrpcTransport implements Transport {

  /** The trailer in which the gateway names the reason of a refused login. */
  static final String REASON_TRAILER = "biometer-reason";

  /** {@code Readings/Send} as the client calls it, named by the proto's descriptor. */
  static final ServiceMethod<Ack, Reading> SEND = sendMethod();

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final GatewaySettings settings;

  GrpcTransport(Vertx vertx, GatewaySettings settings) {
    this.vertx = vertx;
    this.settings = settings;
    HttpClientOptions o =
        new HttpClientOptions()
            .setProtocolVersion(HttpVersion.HTTP_2)
            // h2c with prior knowledge: the gateway's gRPC port speaks nothing but HTTP/2.
            .setHttp2ClearTextUpgrade(false)
            .setConnectTimeout(10_000);
    if (settings.tls()) {
      o.setSsl(true)
          .setUseAlpn(true)
          .setAlpnVersions(List.of(HttpVersion.HTTP_2))
          .setTrustOptions(Wire.trust(settings))
          .setVerifyHost(true);
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
                .setPort(settings.grpcPort())
                .setSsl(settings.tls()))
        .map(
            c -> {
              GrpcLink l = new GrpcLink(c, auth);
              c.closeHandler(
                  v -> {
                    l.closed("the HTTP/2 connection closed");
                    onClosed.accept(l);
                  });
              return l;
            });
  }

  @Override
  public boolean loginOnConnect() {
    return false;
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

  /** The message of {@code r}. */
  static Reading message(DeviceReading r) {
    return Reading.newBuilder()
        .setDeviceId(r.deviceId())
        .setSequence(r.sequence())
        .setSentAtMs(r.sentAt())
        .setEventTimeMs(r.eventTime())
        .putAllValues(r.values())
        .setBatteryPercent(r.batteryPercent())
        .build();
  }

  /** {@code <device>/<sequence>} of the reading {@code a} answers; null if it names none. */
  static String id(Ack a) {
    return a.getDeviceId().isEmpty() ? null : a.getDeviceId() + "/" + a.getSequence();
  }

  /** What a device does with the reading an Ack answers. */
  static Answer answer(Ack a) {
    return switch (a.getStatus()) {
      case ACCEPTED -> Answer.ACCEPTED;
      case REFUSED -> Answer.refused(a.getReason(), a.getMessage());
      // A status this client does not know (a newer gateway's): nothing is known, send again.
      default ->
          Answer.refused(
              Refusal.UNAVAILABLE.label(), "an Ack of status " + a.getStatus() + "; sent again");
    };
  }

  /**
   * The answer to every unanswered reading of a call that ended with {@code status}: a login
   * refusal if the gateway refused the credential, else null (nothing is known of the readings,
   * which are sent again on a new call).
   *
   * @param reason the trailer {@value #REASON_TRAILER}, or null
   */
  static Answer ended(GrpcStatus status, String reason, String message) {
    boolean login =
        status == GrpcStatus.UNAUTHENTICATED
            || (status == GrpcStatus.RESOURCE_EXHAUSTED
                && Refusal.LOGIN_THROTTLED.label().equals(reason));
    if (!login) {
      return null;
    }
    return Answer.login(
        reason == null ? status.name().toLowerCase(java.util.Locale.ROOT) : reason,
        message == null ? "the gateway ended the call with " + status : message);
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

  /** One device's connection and its {@code Send} call, opened with the first message. */
  private final class GrpcLink implements Link {
    private final HttpClientConnection connection;
    private final GrpcClient grpc;
    private final String auth;
    private final Map<String, Slot> byId = new HashMap<>();
    private Future<GrpcClientRequest<Reading, Ack>> call;
    private boolean over;

    GrpcLink(HttpClientConnection connection, String auth) {
      this.connection = connection;
      this.auth = auth;
      // Calls go over this connection only.
      this.grpc = GrpcClient.client(vertx, connection);
    }

    @Override
    public Future<List<Answer>> send(List<DeviceReading> readings) {
      Message m = new Message(readings.size());
      if (over) {
        m.promise.fail(new Wire.ConnectionLost("the gRPC call ended"));
        return m.promise.future();
      }
      for (int i = 0; i < readings.size(); i++) {
        byId.put(readings.get(i).id(), new Slot(m, i));
      }
      call()
          .onSuccess(
              c -> {
                for (DeviceReading r : readings) {
                  c.write(message(r)).onFailure(e -> failed(m, readings, e));
                }
              })
          .onFailure(e -> failed(m, readings, e));
      return m.promise.future();
    }

    private void failed(Message m, List<DeviceReading> readings, Throwable e) {
      readings.forEach(r -> byId.remove(r.id()));
      m.promise.tryFail(e);
    }

    private Future<GrpcClientRequest<Reading, Ack>> call() {
      if (call == null) {
        call =
            grpc.request(SEND)
                .map(
                    c -> {
                      // Sent with the first message.
                      c.headers().set("authorization", auth);
                      c.exceptionHandler(e -> close());
                      c.response().onComplete(this::responded);
                      return c;
                    });
      }
      return call;
    }

    private void responded(AsyncResult<GrpcClientResponse<Reading, Ack>> ar) {
      if (ar.failed()) {
        closed("the gRPC call failed: " + ar.cause());
        close();
        return;
      }
      GrpcClientResponse<Reading, Ack> r = ar.result();
      r.handler(this::acked);
      r.exceptionHandler(e -> close());
      r.invalidMessageHandler(e -> close());
      r.endHandler(v -> end(r));
    }

    private void acked(Ack a) {
      String id = id(a);
      if (id == null) {
        // The gateway could not read a message and cannot say which: start over on a new
        // connection, where the device sends one reading at a time until one is answered.
        close();
        return;
      }
      Slot s = byId.remove(id);
      if (s == null) {
        return;
      }
      s.message().answers[s.index()] = GrpcTransport.answer(a);
      if (--s.message().remaining == 0) {
        s.message().promise.tryComplete(Arrays.asList(s.message().answers));
      }
    }

    private void end(GrpcClientResponse<Reading, Ack> r) {
      GrpcStatus status = r.status();
      Answer a =
          ended(
              status,
              header(r.trailers(), r.headers(), REASON_TRAILER),
              decoded(header(r.trailers(), r.headers(), "grpc-message")));
      if (a != null) {
        Set<Message> open = new LinkedHashSet<>();
        byId.values().forEach(s -> open.add(s.message()));
        byId.clear();
        open.forEach(m -> m.promise.tryComplete(Wire.all(m.answers.length, a)));
      }
      closed("the gateway ended the gRPC call with " + status);
      close();
    }

    /** Fails every message still unanswered: the call is over. */
    void closed(String why) {
      over = true;
      Set<Message> open = new LinkedHashSet<>();
      byId.values().forEach(s -> open.add(s.message()));
      byId.clear();
      open.forEach(m -> m.promise.tryFail(new Wire.ConnectionLost(why)));
    }

    @Override
    public void close() {
      over = true;
      connection.close();
    }
  }

  /** A trailer, or the header of a trailers-only response. */
  private static String header(MultiMap trailers, MultiMap headers, String name) {
    String v = trailers == null ? null : trailers.get(name);
    return v != null ? v : headers == null ? null : headers.get(name);
  }

  /** A {@code grpc-message}, percent-decoded. */
  private static String decoded(String m) {
    if (m == null) {
      return null;
    }
    try {
      return URLDecoder.decode(m.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return m;
    }
  }

  private static ServiceMethod<Ack, Reading> sendMethod() {
    Descriptors.ServiceDescriptor service =
        ReadingsProto.getDescriptor().findServiceByName("Readings");
    return ServiceMethod.client(
        ServiceName.create(service.getFullName()),
        service.findMethodByName("Send").getName(),
        GrpcMessageEncoder.encoder(),
        GrpcMessageDecoder.decoder(Ack.getDefaultInstance()));
  }
}
