package io.biometer.ingress.udp;

import io.biometer.ingress.IngressMetrics;
import io.biometer.ingress.Refusal;
import io.biometer.ingress.Refused;
import io.biometer.ingress.auth.Authenticator;
import io.biometer.ingress.auth.Hmacs;
import io.biometer.ingress.auth.Principal;
import io.biometer.ingress.readings.DeviceReading;
import io.biometer.ingress.readings.ReadingJson;
import io.biometer.ingress.udp.Reassembler.Batch;
import io.biometer.ingress.udp.Reassembler.Expired;
import io.biometer.ingress.udp.Reassembler.Offered;
import io.biometer.ingress.udp.UdpCodec.BadDatagram;
import io.biometer.ingress.udp.UdpCodec.BatchHeader;
import io.biometer.ingress.udp.UdpCodec.Fragment;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.SocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP front end of soil meters' daily batches ({@link UdpCodec} has the byte layout,
 * docs/ingress.md the protocol). Per datagram, in order:
 *
 * <ol>
 *   <li>its structure ({@link UdpCodec#decodeData}): a cut datagram is TRUNCATED, any other fault
 *       MALFORMED;
 *   <li>the auth id's psk credential ({@link Authenticator#psk}) and the datagram's HMAC with one
 *       of its keys valid now; a failure is counted as a failed login ({@link
 *       Authenticator#signatureFailed});
 *   <li>its {@code sentAt} within the allowed clock skew;
 *   <li>reassembly ({@link Reassembler}): bounded in bytes, batches and time; a batch whose
 *       fragments do not all arrive in time is refused as TRUNCATED.
 * </ol>
 *
 * A complete batch must carry a valid batch signature ({@link Hmacs#verify} with the credential's
 * device id and the batch's first sequence), be a JSON array of readings ({@link ReadingJson})
 * whose lowest and highest sequences are the header's, and then each reading goes through admission
 * with the batch id as relay id and protocol {@value #UDP}. The batch is answered ACK, signed with
 * the key of its fragments, once Kafka has every reading (a reading refused as REPLAY is in Kafka
 * already and counts as delivered), else NACK with the first refusal. A send that completes while
 * an earlier send of the same batch still waits for Kafka is admitted after it.
 *
 * <p>Every refusal is counted in {@code biometer_ingress_refused_total{protocol="udp"}} (those of
 * readings by admission) and answered when the datagram named its batch: signed when the datagram's
 * HMAC verified, unsigned (and no longer than the datagram) when not. Nothing is thrown on the
 * event loop. All state is confined to the socket's event loop.
 */
public final class UdpFrontEnd {

  /** The protocol label of metrics and admission. */
  public static final String UDP = "udp";

  /**
   * The socket's receive buffer, which Vert.x also uses as netty's buffer per read: it must hold
   * the largest datagram, or netty would cut it.
   */
  static final int RECEIVE_BUFFER = 65_536;

  private static final Logger log = LoggerFactory.getLogger(UdpFrontEnd.class);

  /** Admission of one reading, as {@code Admission::admit}. */
  @FunctionalInterface
  public interface Admitter {
    /**
     * Checks and sends a reading; the future completes when Kafka has it and fails with {@link
     * Refused} otherwise.
     */
    CompletableFuture<Void> admit(
        Principal principal, DeviceReading reading, String relayId, String protocol);
  }

  /**
   * The bounds of the front end.
   *
   * @param maxBatchBytes the largest batch, max.payload.bytes
   * @param maxBatches batches reassembled at once, udp.max.batches
   * @param maxBufferedBytes bytes they may reserve together, udp.max.buffered.bytes
   * @param reassemblyTimeoutMillis time a batch has from its first datagram, udp.reassembly.timeout
   * @param clockSkewMillis how far a datagram's sentAt may be from the gateway's clock, clock.skew
   */
  public record Limits(
      int maxBatchBytes,
      int maxBatches,
      long maxBufferedBytes,
      long reassemblyTimeoutMillis,
      long clockSkewMillis) {}

  /** Who sent a fragment, and the key that verified it. */
  record Sender(SocketAddress address, byte[] key, Principal principal) {}

  private final Vertx vertx;
  private final Authenticator authenticator;
  private final Admitter admitter;
  private final IngressMetrics metrics;
  private final Limits limits;
  private final LongSupplier wallClock;
  private final Reassembler<Sender> reassembler;
  private final Map<String, Future<Void>> inFlight = new HashMap<>();
  private final AtomicLong batchesGauge = new AtomicLong();
  private final AtomicLong bytesGauge = new AtomicLong();
  private Context context;
  private DatagramSocket socket;
  private long timer = -1;

  /**
   * @param wallClock epoch milliseconds, for the clock skew
   * @param monotonicClock milliseconds that never go backwards, for reassembly timeouts
   */
  public UdpFrontEnd(
      Vertx vertx,
      Authenticator authenticator,
      Admitter admitter,
      IngressMetrics metrics,
      Limits limits,
      LongSupplier wallClock,
      LongSupplier monotonicClock) {
    this.vertx = vertx;
    this.authenticator = authenticator;
    this.admitter = admitter;
    this.metrics = metrics;
    this.limits = limits;
    this.wallClock = wallClock;
    this.reassembler =
        new Reassembler<>(
            limits.maxBatchBytes(),
            limits.maxBatches(),
            limits.maxBufferedBytes(),
            limits.reassemblyTimeoutMillis(),
            monotonicClock);
    Gauge.builder("biometer.ingress.udp.batches", batchesGauge, AtomicLong::get)
        .description("UDP batches being reassembled")
        .register(metrics.registry());
    Gauge.builder("biometer.ingress.udp.buffered", bytesGauge, AtomicLong::get)
        .description("Bytes reserved by UDP batches being reassembled")
        .baseUnit("bytes")
        .register(metrics.registry());
  }

  /** Binds to {@code host}:{@code port} (0 for any free port) on an event loop of its own. */
  public Future<Void> listen(String host, int port) {
    context = vertx.getOrCreateContext();
    Promise<Void> bound = Promise.promise();
    context.runOnContext(
        v -> {
          socket =
              vertx.createDatagramSocket(
                  new DatagramSocketOptions().setReceiveBufferSize(RECEIVE_BUFFER));
          socket.handler(this::receive);
          socket.exceptionHandler(e -> log.debug("UDP socket: {}", e.toString()));
          socket
              .listen(port, host)
              .onComplete(
                  r -> {
                    if (r.failed()) {
                      bound.fail(r.cause());
                      return;
                    }
                    long every = Math.max(50, Math.min(1000, limits.reassemblyTimeoutMillis() / 4));
                    timer = vertx.setPeriodic(every, id -> expireSafely());
                    bound.complete();
                  });
        });
    return bound.future();
  }

  /** The bound port. */
  public int port() {
    return socket.localAddress().port();
  }

  /**
   * Refuses as TRUNCATED, now, the batches whose time is up. The front end does this on a timer and
   * before each datagram; this is for tests that move the clock.
   */
  public Future<Void> sweep() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(
        v -> {
          expireSafely();
          done.complete();
        });
    return done.future();
  }

  /** Stops listening. */
  public Future<Void> close() {
    if (socket == null) {
      return Future.succeededFuture();
    }
    vertx.cancelTimer(timer);
    return socket.close();
  }

  private void receive(DatagramPacket packet) {
    try {
      handle(packet.sender(), packet.data().getBytes());
    } catch (RuntimeException e) {
      log.error("UDP: a datagram from {} failed unexpectedly", packet.sender(), e);
    }
  }

  private void handle(SocketAddress from, byte[] datagram) {
    expire();
    Fragment f;
    try {
      f = UdpCodec.decodeData(datagram, datagram.length);
    } catch (BadDatagram e) {
      metrics.refused(UDP, e.reason());
      log.debug("UDP: refused a datagram from {}: {}", from, e.getMessage());
      if (e.batchId() != null) {
        send(
            from,
            UdpCodec.encodeNack(
                null,
                e.batchId(),
                e.firstSequence(),
                e.lastSequence(),
                e.sentAt(),
                e.reason(),
                e.getMessage(),
                datagram.length));
      }
      return;
    }
    BatchHeader h = f.header();
    String address = from.hostAddress();
    Authenticator.PskIdentity id;
    try {
      id = authenticator.psk(h.authId(), address);
    } catch (Refused e) {
      refuse(from, h, e, null, datagram.length);
      return;
    }
    byte[] key = null;
    for (byte[] k : id.keys()) {
      if (f.verify(k)) {
        key = k;
        break;
      }
    }
    if (key == null) {
      authenticator.signatureFailed(h.authId(), address);
      refuse(
          from,
          h,
          new Refused(
              Refusal.BAD_SIGNATURE,
              "the HMAC of fragment "
                  + f.index()
                  + " of "
                  + h.name()
                  + " does not verify with a valid key of "
                  + h.authId()),
          null,
          datagram.length);
      return;
    }
    long now = wallClock.getAsLong();
    if (Math.abs(h.sentAt() - now) > limits.clockSkewMillis()) {
      refuse(
          from,
          h,
          new Refused(
              Refusal.CLOCK_SKEW,
              h.name()
                  + ": sentAt "
                  + Instant.ofEpochMilli(h.sentAt())
                  + " is more than "
                  + limits.clockSkewMillis() / 1000
                  + " s from the gateway's clock ("
                  + Instant.ofEpochMilli(now)
                  + "); set the meter's clock"),
          key,
          Integer.MAX_VALUE);
      return;
    }
    Offered<Sender> o;
    try {
      o = reassembler.offer(f, new Sender(from, key, id.principal()));
    } catch (Refused e) {
      refuse(from, h, e, key, Integer.MAX_VALUE);
      return;
    } finally {
      gauges();
    }
    switch (o.outcome()) {
      case BUFFERED -> {}
      case DUPLICATE -> {
        if (o.answer() != null) {
          send(from, o.answer());
        }
      }
      case COMPLETE -> complete(o.batch());
    }
  }

  private void expireSafely() {
    try {
      expire();
    } catch (RuntimeException e) {
      log.error("UDP: expiring batches failed unexpectedly", e);
    }
  }

  private void expire() {
    for (Expired<Sender> e : reassembler.expire()) {
      Refused r = e.refusal(limits.reassemblyTimeoutMillis());
      log.debug("UDP: {}", r.getMessage());
      refuse(e.context().address(), e.header(), r, e.context().key(), Integer.MAX_VALUE);
    }
    gauges();
  }

  private void complete(Batch<Sender> b) {
    Sender s = b.context();
    BatchHeader h = b.header();
    String device = s.principal().deviceId();
    if (!Hmacs.verify(s.key(), device, h.firstSequence(), h.sentAt(), b.payload(), b.signature())) {
      authenticator.signatureFailed(h.authId(), s.address().hostAddress());
      answer(
          b,
          refuse(
              h,
              new Refused(
                  Refusal.BAD_SIGNATURE,
                  h.name()
                      + ": the batch signature does not verify; sign "
                      + device
                      + "|"
                      + h.firstSequence()
                      + "|"
                      + h.sentAt()
                      + "|sha256hex(payload) with the key of the fragments"),
              s.key()));
      return;
    }
    List<DeviceReading> readings;
    try {
      readings = readings(h, b.payload());
    } catch (Refused e) {
      answer(b, refuse(h, e, s.key()));
      return;
    }
    String k = h.authId() + "\n" + h.batchId();
    Future<Void> before = inFlight.get(k);
    Future<byte[]> answer =
        before == null ? admitAll(s, h, readings) : before.transform(x -> admitAll(s, h, readings));
    Future<Void> done = answer.map(bytes -> answer(b, bytes));
    inFlight.put(k, done);
    done.onComplete(x -> inFlight.remove(k, done));
  }

  /** The readings of a batch, checked against its header. */
  private static List<DeviceReading> readings(BatchHeader h, byte[] payload) {
    int i = 0;
    while (i < payload.length && Character.isWhitespace(payload[i])) {
      i++;
    }
    if (i == payload.length || payload[i] != '[') {
      throw new Refused(Refusal.MALFORMED, h.name() + ": a batch is a JSON array of readings");
    }
    List<DeviceReading> readings = ReadingJson.parse(Buffer.buffer(payload));
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (DeviceReading r : readings) {
      min = Math.min(min, r.sequence());
      max = Math.max(max, r.sequence());
    }
    if (min != h.firstSequence() || max != h.lastSequence()) {
      throw new Refused(
          Refusal.MALFORMED,
          h.name() + ": its readings hold sequences " + min + ".." + max + ", not the header's");
    }
    return readings;
  }

  /** The answer to a batch once admission is done with every reading; never fails. */
  private Future<byte[]> admitAll(Sender s, BatchHeader h, List<DeviceReading> readings) {
    List<Future<Void>> each = new ArrayList<>(readings.size());
    for (DeviceReading r : readings) {
      CompletableFuture<Void> admitted;
      try {
        admitted = admitter.admit(s.principal(), r, h.batchId(), UDP);
      } catch (RuntimeException e) {
        admitted = CompletableFuture.failedFuture(e);
      }
      each.add(Future.fromCompletionStage(admitted, context));
    }
    return Future.join(each)
        .transform(
            all -> {
              int accepted = 0;
              int replayed = 0;
              int refused = 0;
              Refused first = null;
              for (Future<Void> f : each) {
                if (f.succeeded()) {
                  accepted++;
                } else if (f.cause() instanceof Refused r && r.reason() == Refusal.REPLAY) {
                  replayed++;
                } else {
                  refused++;
                  if (first == null) {
                    first = refusal(f.cause());
                  }
                }
              }
              if (first == null) {
                return Future.succeededFuture(UdpCodec.encodeAck(s.key(), h, accepted, replayed));
              }
              String message =
                  h.name()
                      + ": "
                      + refused
                      + " of "
                      + readings.size()
                      + " readings refused ("
                      + accepted
                      + " accepted, "
                      + replayed
                      + " delivered before); the first: "
                      + first.getMessage();
              return Future.succeededFuture(
                  UdpCodec.encodeNack(
                      s.key(),
                      h.batchId(),
                      h.firstSequence(),
                      h.lastSequence(),
                      h.sentAt(),
                      first.reason(),
                      message,
                      Integer.MAX_VALUE));
            });
  }

  private Refused refusal(Throwable e) {
    if (e instanceof Refused r) {
      return r;
    }
    // Admission counts its own refusals; anything else is a fault of ours, counted here.
    metrics.refused(UDP, Refusal.UNAVAILABLE);
    log.warn("UDP: admission failed unexpectedly: {}", e.toString());
    return new Refused(Refusal.UNAVAILABLE, "internal error (" + e + "); send again");
  }

  private Void answer(Batch<Sender> b, byte[] answer) {
    reassembler.answered(b.header(), answer);
    send(b.context().address(), answer);
    return null;
  }

  /** Counts a refusal of a whole batch and returns its signed NACK. */
  private byte[] refuse(BatchHeader h, Refused e, byte[] key) {
    metrics.refused(UDP, e.reason());
    return UdpCodec.encodeNack(
        key,
        h.batchId(),
        h.firstSequence(),
        h.lastSequence(),
        h.sentAt(),
        e.reason(),
        e.getMessage(),
        Integer.MAX_VALUE);
  }

  /** Counts a refusal and answers it; unsigned (and cut to {@code maxLength}) without a key. */
  private void refuse(SocketAddress to, BatchHeader h, Refused e, byte[] key, int maxLength) {
    metrics.refused(UDP, e.reason());
    log.debug("UDP: refused a datagram from {}: {}", to, e.getMessage());
    send(
        to,
        UdpCodec.encodeNack(
            key,
            h.batchId(),
            h.firstSequence(),
            h.lastSequence(),
            h.sentAt(),
            e.reason(),
            e.getMessage(),
            maxLength));
  }

  private void send(SocketAddress to, byte[] datagram) {
    if (datagram == null) {
      return;
    }
    socket
        .send(Buffer.buffer(datagram), to.port(), to.hostAddress())
        .onFailure(e -> log.debug("UDP: could not answer {}: {}", to, e.toString()));
  }

  private void gauges() {
    bytesGauge.set(reassembler.bufferedBytes());
    batchesGauge.set(reassembler.inProgress());
  }
}
