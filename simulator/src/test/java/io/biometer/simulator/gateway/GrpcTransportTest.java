package io.biometer.simulator.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.ingress.grpc.v1.Ack;
import io.biometer.ingress.grpc.v1.Reading;
import io.biometer.ingress.grpc.v1.ReadingsProto;
import io.biometer.ingress.readings.DeviceReading;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gRPC transport against a small gRPC server of the gateway's {@code Readings/Send}: acks
 * matched to readings by device and sequence, in any order; a refused login ends the call and is a
 * login answer; a call the gateway ends closes the device's connection.
 */
class GrpcTransportTest {

  private static final String PASSWORD = "right";

  private static final ServiceMethod<Reading, Ack> SERVER_SEND =
      ServiceMethod.server(
          ServiceName.create(
              ReadingsProto.getDescriptor().findServiceByName("Readings").getFullName()),
          "Send",
          GrpcMessageEncoder.encoder(),
          GrpcMessageDecoder.decoder(Reading.getDefaultInstance()));

  private Vertx vertx;
  private HttpServer server;
  private GrpcTransport transport;
  private Context context;
  private final List<String> authorizations = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    GrpcServer grpc = GrpcServer.server(vertx).callHandler(SERVER_SEND, this::call);
    server =
        await(
            () ->
                vertx
                    .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                    .requestHandler(grpc)
                    .listen());
    transport =
        new GrpcTransport(
            vertx,
            new GatewaySettings(
                Via.GRPC, "127.0.0.1", 1, 1, server.actualPort(), 1, null, null, 4, 32, 1_000));
    context = vertx.getOrCreateContext();
  }

  @AfterEach
  void stop() throws Exception {
    transport.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /**
   * The gateway in the test: a wrong password ends the call before any reading; device {@code
   * ender} gets its first ack, then the call ends OK; others get their acks in reverse order once
   * three readings came, each by its sequence: 1 accepted, 2 replay, 3 rate limited.
   */
  private void call(GrpcServerRequest<Reading, Ack> call) {
    String auth = call.headers().get("authorization");
    synchronized (authorizations) {
      authorizations.add(auth);
    }
    if (!Wire.basic(device(auth), PASSWORD).equals(auth)) {
      call.response().trailers().set(GrpcTransport.REASON_TRAILER, "bad_secret");
      call.response().status(GrpcStatus.UNAUTHENTICATED).statusMessage("wrong secret for x").end();
      return;
    }
    List<Reading> held = new ArrayList<>();
    call.handler(
        r -> {
          if (device(auth).equals("ender")) {
            call.response().write(ack(r, Ack.Status.ACCEPTED, ""));
            call.response().end();
            return;
          }
          held.add(r);
          if (held.size() == 3) {
            for (int i = 2; i >= 0; i--) {
              Reading x = held.get(i);
              call.response()
                  .write(
                      switch ((int) x.getSequence()) {
                        case 1 -> ack(x, Ack.Status.ACCEPTED, "");
                        case 2 -> ack(x, Ack.Status.REFUSED, "replay");
                        default -> ack(x, Ack.Status.REFUSED, "rate_limited");
                      });
            }
            held.clear();
          }
        });
  }

  private static String device(String auth) {
    String user =
        new String(java.util.Base64.getDecoder().decode(auth.substring("Basic ".length())));
    return user.substring(0, user.indexOf(':'));
  }

  private static Ack ack(Reading r, Ack.Status status, String reason) {
    return Ack.newBuilder()
        .setDeviceId(r.getDeviceId())
        .setSequence(r.getSequence())
        .setStatus(status)
        .setReason(reason)
        .setMessage(reason.isEmpty() ? "" : reason + " for the test")
        .build();
  }

  private static List<DeviceReading> readings(String device, long... sequences) {
    List<DeviceReading> out = new ArrayList<>();
    for (long s : sequences) {
      out.add(
          new DeviceReading(
              device, s, 1_800_000_000_000L, 1_700_000_000_000L, Map.of("hr", 70.0), 80f));
    }
    return out;
  }

  /** Runs {@code f} on the devices' context and waits for its result. */
  private <T> T on(Supplier<Future<T>> f) throws Exception {
    CompletableFuture<T> out = new CompletableFuture<>();
    context.runOnContext(
        v ->
            f.get()
                .onComplete(
                    ar -> {
                      if (ar.succeeded()) {
                        out.complete(ar.result());
                      } else {
                        out.completeExceptionally(ar.cause());
                      }
                    }));
    return out.get(10, TimeUnit.SECONDS);
  }

  private static <T> T await(Supplier<Future<T>> f) throws Exception {
    return f.get().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void acksAreMatchedToTheirReadingsInAnyOrderAndMappedToWhatTheDeviceDoes() throws Exception {
    Transport.Link l = on(() -> transport.connect("p1.sink-a", PASSWORD, x -> {}));
    List<Answer> a = on(() -> l.send(readings("p1.ecg", 1, 2, 3)));
    assertThat(a)
        .extracting(Answer::kind)
        .containsExactly(Answer.Kind.ACCEPTED, Answer.Kind.REPLAY, Answer.Kind.RETRY);
    assertThat(a.get(2).reason()).isEqualTo("rate_limited");
    // The same call goes on, and several messages may be unanswered at once.
    List<List<Answer>> bc =
        on(
            () ->
                Future.all(l.send(readings("p1.ecg", 1)), l.send(readings("p1.eeg", 2, 3)))
                    .map(f -> List.of(f.<List<Answer>>resultAt(0), f.<List<Answer>>resultAt(1))));
    assertThat(bc.get(0)).extracting(Answer::kind).containsExactly(Answer.Kind.ACCEPTED);
    assertThat(bc.get(1))
        .extracting(Answer::kind)
        .containsExactly(Answer.Kind.REPLAY, Answer.Kind.RETRY);
    synchronized (authorizations) {
      assertThat(authorizations)
          .as("one call, with the credential in its metadata")
          .containsExactly(Wire.basic("p1.sink-a", PASSWORD));
    }
    on(
        () -> {
          l.close();
          return Future.succeededFuture();
        });
  }

  @Test
  void aRefusedLoginEndsTheCallAndAnswersEveryReadingWithTheReason() throws Exception {
    CompletableFuture<Transport.Link> closed = new CompletableFuture<>();
    Transport.Link l = on(() -> transport.connect("p1.sink-a", "wrong", closed::complete));
    List<Answer> a = on(() -> l.send(readings("p1.ecg", 1, 2)));
    assertThat(a).extracting(Answer::kind).containsOnly(Answer.Kind.LOGIN);
    assertThat(a.get(0).reason()).isEqualTo("bad_secret");
    assertThat(a.get(0).message()).isEqualTo("wrong secret for x");
    assertThat(closed.get(10, TimeUnit.SECONDS)).as("the connection is closed").isSameAs(l);
  }

  @Test
  void aCallTheGatewayEndsClosesTheConnectionAndFailsWhatIsUnanswered() throws Exception {
    CompletableFuture<Transport.Link> closed = new CompletableFuture<>();
    Transport.Link l = on(() -> transport.connect("ender", PASSWORD, closed::complete));
    List<Answer> a = on(() -> l.send(readings("ender", 1)));
    assertThat(a).extracting(Answer::kind).containsExactly(Answer.Kind.ACCEPTED);
    assertThat(closed.get(10, TimeUnit.SECONDS)).isSameAs(l);
    assertThatThrownBy(() -> on(() -> l.send(readings("ender", 2))))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(Wire.ConnectionLost.class);
  }

  @Test
  void aConnectionRefusedIsAFailureNotALoginRefusal() {
    GrpcTransport nowhere =
        new GrpcTransport(
            vertx,
            new GatewaySettings(Via.GRPC, "127.0.0.1", 1, 1, 1, 1, null, null, 4, 32, 1_000));
    try {
      assertThatThrownBy(() -> on(() -> nowhere.connect("p1.sink-a", PASSWORD, x -> {})))
          .isInstanceOf(ExecutionException.class)
          .satisfies(e -> assertThat(e.getCause()).isNotInstanceOf(LoginRefused.class));
    } finally {
      nowhere.close();
    }
  }

  @Test
  void acksAndEndedCallsMapToAnswers() {
    assertThat(GrpcTransport.answer(Ack.newBuilder().setStatus(Ack.Status.ACCEPTED).build()))
        .isEqualTo(Answer.ACCEPTED);
    assertThat(
            GrpcTransport.answer(
                    Ack.newBuilder()
                        .setStatus(Ack.Status.REFUSED)
                        .setReason("clock_skew")
                        .setMessage("set the clock")
                        .build())
                .kind())
        .isEqualTo(Answer.Kind.REFUSED);
    assertThat(
            GrpcTransport.answer(Ack.newBuilder().setStatus(Ack.Status.STATUS_UNSPECIFIED).build())
                .kind())
        .as("a status this client does not know: sent again")
        .isEqualTo(Answer.Kind.RETRY);
    assertThat(GrpcTransport.id(Ack.newBuilder().setReason("oversize").build()))
        .as("an ack of a message the gateway could not read")
        .isNull();
    assertThat(GrpcTransport.ended(GrpcStatus.UNAUTHENTICATED, "unknown_device", "who?"))
        .isEqualTo(Answer.login("unknown_device", "who?"));
    assertThat(GrpcTransport.ended(GrpcStatus.RESOURCE_EXHAUSTED, "login_throttled", "wait").kind())
        .isEqualTo(Answer.Kind.LOGIN);
    assertThat(GrpcTransport.ended(GrpcStatus.UNAVAILABLE, "unavailable", "retry")).isNull();
    assertThat(GrpcTransport.ended(GrpcStatus.OK, null, null)).isNull();
  }
}
