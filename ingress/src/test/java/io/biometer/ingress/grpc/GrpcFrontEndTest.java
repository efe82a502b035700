package io.biometer.ingress.grpc;

import static io.biometer.ingress.grpc.Devices.PASSWORD;
import static io.biometer.ingress.grpc.Devices.basic;
import static io.biometer.ingress.grpc.Devices.reading;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.UnknownFieldSet;
import io.biometer.Topics;
import io.biometer.avro.BodyReading;
import io.biometer.ingress.IngressMetrics;
import io.biometer.ingress.Refusal;
import io.biometer.ingress.auth.Authenticator;
import io.biometer.ingress.auth.DeviceLogin;
import io.biometer.ingress.auth.Directory;
import io.biometer.ingress.auth.LoginThrottle;
import io.biometer.ingress.grpc.v1.Ack;
import io.biometer.ingress.grpc.v1.Reading;
import io.biometer.ingress.grpc.v1.ReadingsGrpc;
import io.biometer.ingress.readings.Admission;
import io.biometer.ingress.readings.DeviceRateLimiter;
import io.biometer.ingress.replay.ReplayGuard;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gRPC front end on a real HTTP/2 port, called by grpc-java's generated stub as a device would,
 * with a real {@link Admission} in front of a {@link FakeKafka}.
 */
class GrpcFrontEndTest {

  private static final int MAX_PAYLOAD = 1024;
  private static final String DEVICE = "p0001.spo2";
  private static final String OTHER = "p0002.spo2";

  private Vertx vertx;
  private IngressMetrics metrics;
  private FakeKafka kafka;
  private GrpcFrontEnd frontEnd;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    metrics = new IngressMetrics();
    kafka = new FakeKafka();
    Directory directory = new Directory();
    Devices.oximeter(directory, DEVICE, "p0001");
    Devices.oximeter(directory, OTHER, "p0002");
    Devices.password(directory, DEVICE, DEVICE);
    Devices.password(directory, OTHER, OTHER);
    LoginThrottle throttle = new LoginThrottle(3, 50, 60_000, System::currentTimeMillis);
    DeviceLogin login =
        new DeviceLogin(
            vertx,
            new Authenticator(directory, throttle, System::currentTimeMillis, 60_000),
            metrics);
    Admission admission =
        new Admission(
            directory,
            new ReplayGuard(),
            kafka,
            metrics,
            new DeviceRateLimiter(1_000, 1_000, System::nanoTime),
            300_000,
            System::currentTimeMillis);
    frontEnd = new GrpcFrontEnd(vertx, login, admission, metrics, MAX_PAYLOAD);
    frontEnd
        .listen(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", frontEnd.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private DeviceCall call() {
    return new DeviceCall(channel, basic(DEVICE, PASSWORD));
  }

  @Test
  void anAcceptedReadingIsAckedOnceKafkaHasIt() throws Exception {
    DeviceCall call = call().send(reading(DEVICE, 7));

    Ack ack = call.next();
    assertThat(ack.getStatus()).isEqualTo(Ack.Status.ACCEPTED);
    assertThat(ack.getDeviceId()).isEqualTo(DEVICE);
    assertThat(ack.getSequence()).isEqualTo(7);
    assertThat(ack.getReason()).isEmpty();
    assertThat(kafka.readings()).hasSize(1);
    FakeKafka.Sent sent = kafka.readings().get(0);
    assertThat(sent.topic()).isEqualTo(Topics.BODY_READINGS);
    assertThat(sent.key()).isEqualTo(DEVICE);
    BodyReading body = (BodyReading) sent.value();
    assertThat(body.getSequence()).isEqualTo(7);
    assertThat(body.getPatientId()).isEqualTo("p0001");
    assertThat(body.getValues().get(0).getValue()).isEqualTo(97.5);
    assertThat(body.getProvenance().getRelayId()).isEqualTo(DEVICE);
    assertThat(call.end().getCode()).isEqualTo(Status.Code.OK);
    assertThat(metrics.acceptedCount()).isEqualTo(1.0);
  }

  @Test
  void noAckBeforeKafkaHasTheReadingButACopyInFlightIsToldToRetryAtOnce() throws Exception {
    kafka.hold();
    DeviceCall call = call().send(reading(DEVICE, 1)).send(reading(DEVICE, 2));
    // Each reading's record; its replay window is sent only once Kafka has the reading.
    await().atMost(Duration.ofSeconds(10)).until(() -> kafka.waiting() == 2);
    // A copy of one not yet in Kafka: neither accepted twice nor called a replay (the first
    // might still fail); the device is told to send it again.
    call.send(reading(DEVICE, 2));
    Ack copy = call.next();
    assertThat(copy.getReason()).isEqualTo(Refusal.UNAVAILABLE.label());
    assertThat(copy.getMessage()).contains("being written to Kafka");
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> call.acks.isEmpty() && !call.closed.isDone());

    kafka.release();

    assertThat(call.next().getStatus()).isEqualTo(Ack.Status.ACCEPTED);
    assertThat(call.next().getStatus()).isEqualTo(Ack.Status.ACCEPTED);
    assertThat(call.end().getCode()).isEqualTo(Status.Code.OK);
  }

  @Test
  void aHalfCloseWithReadingsInFlightEndsTheCallOnlyAfterTheirAcks() throws Exception {
    kafka.hold();
    DeviceCall call = call().send(reading(DEVICE, 1)).send(reading(DEVICE, 2));
    await().atMost(Duration.ofSeconds(10)).until(() -> kafka.waiting() == 2);

    call.halfClose();
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> call.acks.isEmpty() && !call.closed.isDone());
    kafka.release();

    assertThat(call.status().getCode()).isEqualTo(Status.Code.OK);
    assertThat(call.acks)
        .extracting(Ack::getSequence, Ack::getStatus)
        .containsExactlyInAnyOrder(tuple(1L, Ack.Status.ACCEPTED), tuple(2L, Ack.Status.ACCEPTED));
  }

  @Test
  void atMostMaxInFlightReadingsOfACallWaitForKafkaTheRestWaitsUnread() throws Exception {
    kafka.hold();
    int n = GrpcFrontEnd.MAX_IN_FLIGHT + 40;
    DeviceCall call = call();
    for (int i = 0; i < n; i++) {
      call.send(reading(DEVICE, i));
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> kafka.readings().size() == GrpcFrontEnd.MAX_IN_FLIGHT);
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> kafka.readings().size() == GrpcFrontEnd.MAX_IN_FLIGHT);

    kafka.release();

    for (int i = 0; i < n; i++) {
      assertThat(call.next().getStatus()).isEqualTo(Ack.Status.ACCEPTED);
    }
    assertThat(call.end().getCode()).isEqualTo(Status.Code.OK);
    assertThat(kafka.readings()).hasSize(n);
  }

  @Test
  void aReplayIsRefusedAsAlreadyExistsAndTheCallGoesOn() throws Exception {
    DeviceCall call = call().send(reading(DEVICE, 5));
    assertThat(call.next().getStatus()).isEqualTo(Ack.Status.ACCEPTED);

    call.send(reading(DEVICE, 5));
    Ack replay = call.next();
    assertThat(replay.getStatus()).isEqualTo(Ack.Status.REFUSED);
    assertThat(replay.getDeviceId()).isEqualTo(DEVICE);
    assertThat(replay.getSequence()).isEqualTo(5);
    assertThat(replay.getReason()).isEqualTo("replay");
    assertThat(replay.getGrpcStatus()).isEqualTo("ALREADY_EXISTS");
    assertThat(replay.getMessage()).contains(DEVICE);

    call.send(reading(DEVICE, 6));
    assertThat(call.next().getStatus()).isEqualTo(Ack.Status.ACCEPTED);
    assertThat(call.end().getCode()).isEqualTo(Status.Code.OK);
    assertThat(kafka.readings()).hasSize(2);
    assertThat(metrics.refusedCount(Refusal.REPLAY)).isEqualTo(1.0);
  }

  @Test
  void aReadingClaimingAnotherDeviceIsPermissionDenied() throws Exception {
    DeviceCall call = call().send(reading(OTHER, 1));

    Ack ack = call.next();
    assertThat(ack.getStatus()).isEqualTo(Ack.Status.REFUSED);
    assertThat(ack.getDeviceId()).isEqualTo(OTHER);
    assertThat(ack.getReason()).isEqualTo("not_permitted");
    assertThat(ack.getGrpcStatus()).isEqualTo("PERMISSION_DENIED");
    assertThat(ack.getMessage()).contains(DEVICE + " may not send readings of " + OTHER);
    assertThat(call.end().getCode()).isEqualTo(Status.Code.OK);
    assertThat(kafka.readings()).isEmpty();
  }

  @Test
  void anUnknownChannelIsRefusedAsInvalidArgument() throws Exception {
    DeviceCall call = call().send(reading(DEVICE, 1).clearValues().putValues("pulse", 71));

    Ack ack = call.next();
    assertThat(ack.getStatus()).isEqualTo(Ack.Status.REFUSED);
    assertThat(ack.getReason()).isEqualTo("unknown_field");
    assertThat(ack.getGrpcStatus()).isEqualTo("INVALID_ARGUMENT");
    assertThat(ack.getMessage()).contains("unknown channel 'pulse'").contains("spo2");
    assertThat(call.end().getCode()).isEqualTo(Status.Code.OK);
    assertThat(kafka.readings()).isEmpty();
  }

  @Test
  void malformedReadingsAreRefusedAsInvalidArgumentNamingTheField() throws Exception {
    DeviceCall call = call();
    call.send(reading(DEVICE, 1).clearSequence());
    call.send(reading(DEVICE, 2).setBatteryPercent(140));
    call.send(reading(DEVICE, 3).clearDeviceId());
    call.send(
        reading(DEVICE, 4)
            .setUnknownFields(
                UnknownFieldSet.newBuilder()
                    .addField(9, UnknownFieldSet.Field.newBuilder().addVarint(1).build())
                    .build()));

    Ack noSequence = call.next();
    assertThat(noSequence.getReason()).isEqualTo("malformed");
    assertThat(noSequence.getGrpcStatus()).isEqualTo("INVALID_ARGUMENT");
    assertThat(noSequence.getMessage()).contains("sequence must be set");
    assertThat(call.next().getMessage()).contains("battery_percent");
    assertThat(call.next().getMessage()).contains("device_id");
    Ack unknown = call.next();
    assertThat(unknown.getReason()).isEqualTo("unknown_field");
    assertThat(unknown.getMessage()).contains("field numbers [9]");
    assertThat(call.end().getCode()).isEqualTo(Status.Code.OK);
    assertThat(kafka.readings()).isEmpty();
  }

  @Test
  void aMessageOverTheLimitIsRefusedUnreadAndTheCallGoesOn() throws Exception {
    Reading.Builder big = reading(DEVICE, 1);
    for (int i = 0; big.build().getSerializedSize() <= MAX_PAYLOAD; i++) {
      big.putValues("padding-channel-" + i, i);
    }
    DeviceCall call = call().send(big);

    Ack oversize = call.next();
    assertThat(oversize.getStatus()).isEqualTo(Ack.Status.REFUSED);
    assertThat(oversize.getReason()).isEqualTo("oversize");
    assertThat(oversize.getGrpcStatus()).isEqualTo("INVALID_ARGUMENT");
    assertThat(oversize.getDeviceId()).isEmpty();
    assertThat(oversize.getMessage()).contains("max.payload.bytes (" + MAX_PAYLOAD + ")");

    call.send(reading(DEVICE, 2));
    assertThat(call.next().getStatus()).isEqualTo(Ack.Status.ACCEPTED);
    assertThat(call.end().getCode()).isEqualTo(Status.Code.OK);
    assertThat(metrics.refusedCount(Refusal.OVERSIZE)).isEqualTo(1.0);
  }

  @Test
  void aCompressedCallIsRefusedAsUnimplemented() throws Exception {
    DeviceCall call =
        new DeviceCall(channel, basic(DEVICE, PASSWORD), "gzip").send(reading(DEVICE, 1));

    Status status = call.status();
    assertThat(status.getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    assertThat(status.getDescription()).contains("grpc-encoding: gzip").contains("uncompressed");
    assertThat(kafka.readings()).isEmpty();
  }

  @Test
  void aMessageThatIsNotAReadingIsRefusedAsMalformedAndTheCallGoesOn() throws Exception {
    MethodDescriptor<byte[], Ack> raw =
        ReadingsGrpc.getSendMethod().toBuilder(
                new Bytes(), ReadingsGrpc.getSendMethod().getResponseMarshaller())
            .build();
    Metadata headers = new Metadata();
    headers.put(DeviceCall.AUTHORIZATION, basic(DEVICE, PASSWORD));
    Channel authorized =
        ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    DeviceCall acks = new DeviceCall();
    StreamObserver<byte[]> up =
        ClientCalls.asyncBidiStreamingCall(authorized.newCall(raw, CallOptions.DEFAULT), acks);

    up.onNext(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
    Ack malformed = acks.next();
    assertThat(malformed.getStatus()).isEqualTo(Ack.Status.REFUSED);
    assertThat(malformed.getReason()).isEqualTo("malformed");
    assertThat(malformed.getGrpcStatus()).isEqualTo("INVALID_ARGUMENT");
    assertThat(malformed.getDeviceId()).isEmpty();
    assertThat(malformed.getMessage()).contains("not a biometer.ingress.v1.Reading");

    up.onNext(reading(DEVICE, 1).build().toByteArray());
    assertThat(acks.next().getStatus()).isEqualTo(Ack.Status.ACCEPTED);
    up.onCompleted();
    assertThat(acks.status().getCode()).isEqualTo(Status.Code.OK);
  }

  /** Messages as they are: what a device with broken firmware might send. */
  private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Test
  void whenKafkaFailsTheReadingIsRefusedAsUnavailableAndItsResendIsAccepted() throws Exception {
    kafka.failWith(new TimeoutException("no broker answered"));
    DeviceCall call = call().send(reading(DEVICE, 3));

    Ack unavailable = call.next();
    assertThat(unavailable.getStatus()).isEqualTo(Ack.Status.REFUSED);
    assertThat(unavailable.getReason()).isEqualTo("unavailable");
    assertThat(unavailable.getGrpcStatus()).isEqualTo("UNAVAILABLE");
    assertThat(unavailable.getMessage()).contains("no broker answered").contains("send again");

    kafka.failWith(null);
    call.send(reading(DEVICE, 3));
    assertThat(call.next().getStatus()).isEqualTo(Ack.Status.ACCEPTED);
    assertThat(call.end().getCode()).isEqualTo(Status.Code.OK);
  }

  @Test
  void aWrongPasswordEndsTheCallUnauthenticatedBeforeAnyReading() throws Exception {
    DeviceCall call = new DeviceCall(channel, basic(DEVICE, "guess")).send(reading(DEVICE, 1));

    Status status = call.status();
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(status.getDescription()).contains("wrong secret for " + DEVICE);
    assertThat(call.trailers.get(DeviceCall.REASON)).isEqualTo("bad_secret");
    assertThat(call.acks).isEmpty();
    assertThat(kafka.readings()).isEmpty();
    assertThat(metrics.refusedCount(Refusal.BAD_SECRET)).isEqualTo(1.0);
  }

  @Test
  void aCallWithoutCredentialEndsUnauthenticated() throws Exception {
    DeviceCall call = new DeviceCall(channel, null).send(reading(DEVICE, 1));

    Status status = call.status();
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(status.getDescription()).contains("authorization: Basic");
    assertThat(call.trailers.get(DeviceCall.REASON)).isEqualTo("unknown_device");
    assertThat(metrics.refusedCount(Refusal.UNKNOWN_DEVICE)).isEqualTo(1.0);
    assertThat(kafka.readings()).isEmpty();
  }

  @Test
  void aThrottledLoginEndsTheCallResourceExhaustedEvenWithTheRightPassword() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(new DeviceCall(channel, basic(DEVICE, "guess " + i)).status().getCode())
          .isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    DeviceCall call = call().send(reading(DEVICE, 1));

    Status status = call.status();
    assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(status.getDescription()).contains("too many failed logins");
    assertThat(call.trailers.get(DeviceCall.REASON)).isEqualTo("login_throttled");
    assertThat(kafka.readings()).isEmpty();
  }

  @Test
  void anOpenCallCountsAsAConnectionUntilItEndsOrIsCancelled() throws Exception {
    DeviceCall ended = call().send(reading(DEVICE, 1));
    ended.next();
    DeviceCall cancelled = call().send(reading(DEVICE, 2));
    cancelled.next();
    assertThat(metrics.connections(GrpcFrontEnd.GRPC).get()).isEqualTo(2);

    ended.end();
    cancelled.cancel();

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> metrics.connections(GrpcFrontEnd.GRPC).get() == 0);
  }

  @Test
  void sendIsServedUnderTheNameOfTheGeneratedDescriptor() {
    assertThat(GrpcFrontEnd.SEND.fullMethodName())
        .isEqualTo(ReadingsGrpc.getSendMethod().getFullMethodName())
        .isEqualTo("biometer.ingress.v1.Readings/Send");
    assertThat(ReadingsGrpc.getSendMethod().getType()).isEqualTo(MethodType.BIDI_STREAMING);
  }

  @Test
  void everyRefusalNamesAGrpcStatusCode() {
    for (Refusal r : Refusal.values()) {
      assertThat(Status.Code.valueOf(r.grpcStatus())).as(r.name()).isNotEqualTo(Status.Code.OK);
    }
  }
}
