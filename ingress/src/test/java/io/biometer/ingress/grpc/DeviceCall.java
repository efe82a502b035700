package io.biometer.ingress.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.ingress.grpc.v1.Ack;
import io.biometer.ingress.grpc.v1.Reading;
import io.biometer.ingress.grpc.v1.ReadingsGrpc;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One {@code Readings/Send} call as a device makes it, through grpc-java's generated stub: the
 * readings up, the acks down, and how the call ended.
 */
final class DeviceCall implements StreamObserver<Ack> {

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> REASON =
      Metadata.Key.of(GrpcFrontEnd.REASON_TRAILER, Metadata.ASCII_STRING_MARSHALLER);

  final BlockingQueue<Ack> acks = new LinkedBlockingQueue<>();
  final CompletableFuture<Status> closed = new CompletableFuture<>();
  volatile Metadata trailers;
  private final StreamObserver<Reading> up;

  /** Only the receiving end, for a call the test opens itself. */
  DeviceCall() {
    up = null;
  }

  /** Opens the call; {@code authorization} null sends no credential. */
  DeviceCall(Channel channel, String authorization) {
    this(channel, authorization, null);
  }

  /** Opens the call, compressing its messages with {@code compression} (e.g. gzip) if not null. */
  DeviceCall(Channel channel, String authorization, String compression) {
    Metadata headers = new Metadata();
    if (authorization != null) {
      headers.put(AUTHORIZATION, authorization);
    }
    ReadingsGrpc.ReadingsStub stub =
        ReadingsGrpc.newStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    up = (compression == null ? stub : stub.withCompression(compression)).send(this);
  }

  DeviceCall send(Reading r) {
    up.onNext(r);
    return this;
  }

  DeviceCall send(Reading.Builder r) {
    return send(r.build());
  }

  /** The next ack, waiting up to 10 s for it. */
  Ack next() throws InterruptedException {
    Ack a = acks.poll(10, TimeUnit.SECONDS);
    assertThat(a).as("an ack within 10 s (call ended with %s)", closed.getNow(null)).isNotNull();
    return a;
  }

  /** Tells the server the device has sent everything. */
  void halfClose() {
    up.onCompleted();
  }

  /** Half-closes and waits for the end of the call. */
  Status end() throws Exception {
    halfClose();
    return status();
  }

  /** Cancels the call, as a device that gives up. */
  void cancel() {
    up.onError(Status.CANCELLED.withDescription("the device gave up").asRuntimeException());
  }

  /** How the call ended, waiting up to 10 s. */
  Status status() throws Exception {
    return closed.get(10, TimeUnit.SECONDS);
  }

  @Override
  public void onNext(Ack ack) {
    acks.add(ack);
  }

  @Override
  public void onError(Throwable t) {
    trailers = Status.trailersFromThrowable(t);
    closed.complete(Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    closed.complete(Status.OK);
  }
}
