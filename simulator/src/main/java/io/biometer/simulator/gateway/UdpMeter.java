package io.biometer.simulator.gateway;

import io.biometer.ingress.Refusal;
import io.biometer.ingress.readings.DeviceReading;
import io.biometer.ingress.replay.ReplayWindow;
import io.biometer.ingress.udp.UdpBatchClient;
import io.biometer.ingress.udp.UdpCodec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A simulated soil meter that uploads its days over UDP as a real one does (docs/ingress.md, "UDP
 * batches"): each batch signed with the meter's pre-shared key, kept until the gateway's signed ACK
 * says Kafka has every reading of it, batches one at a time, in sequence order.
 *
 * <ul>
 *   <li>A day ({@link #offer}) becomes one batch with the simulation's batch id, or several of at
 *       most {@link #MAX_SEQUENCES} consecutive sequences and {@link #MAX_BATCH_BYTES} of JSON,
 *       named {@code <id>#1}, {@code <id>#2}, ... A batch keeps its id on every re-send, and the
 *       gateway names it as the relay id of each reading's provenance.
 *   <li>Each send has a new {@code sentAt}, above every earlier one of the meter, in the batch and
 *       in each of its readings.
 *   <li>A signed ACK of the batch's sequences (of any send): delivered, the readings counted
 *       accepted or, as many as it says, replays.
 *   <li>A signed NACK of the latest send: {@code unavailable}, {@code rate_limited}, {@code
 *       truncated}, {@code login_throttled} or {@code replay} ({@link UdpBatchClient#retriable}):
 *       sent again after a pause that doubles while such answers go on; {@code unknown_device} or
 *       {@code not_permitted}: the same, up to {@link RelayDevice#MAX_TRANSIENT_ATTEMPTS} times;
 *       any other reason: every reading of the batch counted refused under it, never sent again.
 *   <li>An unsigned NACK: anyone could have sent it, so it is a hint only: the batch is sent again
 *       after a pause, and a refused key ({@code unknown_device}, {@code bad_signature}, {@code
 *       expired_secret}, {@code login_throttled}) counts as a refused login.
 *   <li>No answer within {@link #FIRST_WAIT_MILLIS}, doubling to {@link #MAX_WAIT_MILLIS}: sent
 *       again.
 * </ul>
 *
 * Until a signed answer proved its key, a meter sends only with a permit of the {@link LoginGate}
 * it shares with the run's other devices: each datagram the gateway cannot verify counts as a
 * failed login of the one source address they share, as a refused password does.
 *
 * <p>All state but the inbox is touched on the meter's {@link Loop} only.
 */
final class UdpMeter {

  /** The most sequences one batch spans: the gateway's replay window. */
  static final int MAX_SEQUENCES = ReplayWindow.SIZE;

  /** The most bytes of JSON in one batch, well under the gateway's default max.payload.bytes. */
  static final int MAX_BATCH_BYTES = 32 * 1024;

  /** The wait for the answer to a batch's first send; it doubles at each send after. */
  static final long FIRST_WAIT_MILLIS = 3_000;

  /** The longest wait for an answer before sending again. */
  static final long MAX_WAIT_MILLIS = RelayDevice.ANSWER_TIMEOUT_MILLIS;

  /** One batch: its id, readings and what became of its sends. */
  static final class Upload {
    final String batchId;
    final List<Pending> readings;
    final long first;
    final long last;
    int sends;
    int transientNacks;
    long sentAt;
    long sentNanos;

    Upload(String batchId, List<Pending> readings) {
      this.batchId = batchId;
      this.readings = List.copyOf(readings);
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      for (Pending p : readings) {
        min = Math.min(min, p.sequence);
        max = Math.max(max, p.sequence);
      }
      this.first = min;
      this.last = max;
    }
  }

  final String id;
  private final byte[] key;
  private final Datagrams socket;
  private final Loop loop;
  private final LoginGate gate;
  private final GatewayStats stats;
  private final RelayDevice.Outcomes outcomes;

  private final ConcurrentLinkedQueue<Upload> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainQueued = new AtomicBoolean();
  private final ArrayDeque<Upload> queue = new ArrayDeque<>();
  private Upload current;
  private boolean started;
  private boolean closed;
  private boolean proven;
  private boolean holdsPermit;
  private boolean waitingForGate;
  private long lastSentAt = Long.MIN_VALUE;
  private int retries;

  /**
   * @param id the meter's device id, also the auth id of its psk credential
   * @param key its pre-shared key
   */
  UdpMeter(
      String id,
      byte[] key,
      Datagrams socket,
      Loop loop,
      LoginGate gate,
      GatewayStats stats,
      RelayDevice.Outcomes outcomes) {
    this.id = id;
    this.key = key.clone();
    this.socket = socket;
    this.loop = loop;
    this.gate = gate;
    this.stats = stats;
    this.outcomes = outcomes;
  }

  /** The pre-shared key (a copy). */
  byte[] key() {
    return key.clone();
  }

  Loop loop() {
    return loop;
  }

  /**
   * Takes a day's readings to upload as batch {@code batchId} (any thread); readings beyond {@code
   * gateway.store.max} are counted lost.
   */
  void offer(String batchId, List<Pending> readings) {
    List<Pending> kept = new ArrayList<>(readings.size());
    for (Pending p : readings) {
      stats.offered.increment();
      if (stats.reserve()) {
        kept.add(p);
      } else {
        stats.lostStoreFull.increment();
        stats.warnOnce(
            "store-full",
            "the simulated devices hold gateway.store.max readings; later readings are counted"
                + " lost until the gateway takes some");
        outcomes.lost(batchId, p, "store full");
      }
    }
    if (kept.isEmpty()) {
      return;
    }
    inbox.addAll(split(batchId, kept));
    if (drainQueued.compareAndSet(false, true)) {
      loop.execute(this::drain);
    }
  }

  /** Starts uploading (on the loop). */
  void start() {
    started = true;
    pump();
  }

  /** Readings held: queued or unanswered (on the loop). */
  int held() {
    int n = current == null ? 0 : current.readings.size();
    for (Upload u : queue) {
      n += u.readings.size();
    }
    return n;
  }

  /** Stops (on the loop); returns how many readings were left, which are reported lost. */
  int shutdown() {
    drain0();
    closed = true;
    if (holdsPermit) {
      holdsPermit = false;
      gate.release(LoginGate.Outcome.FAILED);
    }
    int left = 0;
    if (current != null) {
      socket.forget(current.batchId);
      queue.addFirst(current);
      current = null;
    }
    for (Upload u : queue) {
      for (Pending p : u.readings) {
        outcomes.lost(u.batchId, p, "left unsent at the end of the run");
        left++;
      }
    }
    queue.clear();
    stats.release(left);
    return left;
  }

  private void drain() {
    drainQueued.set(false);
    drain0();
    pump();
  }

  private void drain0() {
    for (Upload u; (u = inbox.poll()) != null; ) {
      queue.add(u);
    }
  }

  private void pump() {
    if (!started || closed || current != null || queue.isEmpty()) {
      return;
    }
    current = queue.poll();
    Upload u = current;
    socket.listen(u.batchId, a -> loop.execute(() -> answered(u, a)));
    send();
  }

  /** Sends the current batch (again), with a permit while the key is not proven. */
  private void send() {
    if (current == null || closed) {
      return;
    }
    if (proven || holdsPermit) {
      transmit(current);
    } else if (!waitingForGate) {
      waitingForGate = true;
      gate.acquire(() -> loop.execute(this::granted));
    }
  }

  private void granted() {
    waitingForGate = false;
    if (closed || current == null) {
      gate.release(LoginGate.Outcome.FAILED);
      return;
    }
    holdsPermit = true;
    transmit(current);
  }

  private void transmit(Upload u) {
    long sentAt = Math.max(loop.wallMillis(), lastSentAt + 1);
    lastSentAt = sentAt;
    if (u.sends++ > 0) {
      stats.resent.add(u.readings.size());
    }
    List<DeviceReading> readings = new ArrayList<>(u.readings.size());
    for (Pending p : u.readings) {
      p.attempts++;
      readings.add(p.reading(sentAt));
    }
    List<byte[]> datagrams =
        UdpBatchClient.datagrams(
            key,
            id,
            id,
            u.batchId,
            u.first,
            u.last,
            sentAt,
            UdpBatchClient.json(readings, sentAt),
            UdpCodec.DEFAULT_DATAGRAM);
    u.sentAt = sentAt;
    u.sentNanos = System.nanoTime();
    socket.send(datagrams);
    loop.schedule(wait(u.sends), () -> timedOut(u, sentAt));
  }

  /** The wait for an answer to send {@code n} (from 1): doubling, capped, jittered down. */
  static long wait(int n) {
    long w = Math.min(MAX_WAIT_MILLIS, FIRST_WAIT_MILLIS << Math.min(Math.max(0, n - 1), 10));
    return w - ThreadLocalRandom.current().nextLong(w / 4 + 1);
  }

  private void timedOut(Upload u, long sentAt) {
    if (current != u || u.sentAt != sentAt || closed) {
      return; // answered, or sent again since
    }
    stats.timeouts.increment();
    stats.warnOnce(
        "udp-timeout",
        "the gateway did not answer batch {} of {} in time; sending it again (a lost datagram or"
            + " a slow gateway)",
        u.batchId,
        id);
    if (holdsPermit) {
      holdsPermit = false;
      gate.release(LoginGate.Outcome.FAILED);
    }
    send();
  }

  private void answered(Upload u, UdpCodec.Answer a) {
    if (current != u || closed) {
      return;
    }
    if (a.ack()) {
      if (!a.verify(key) || a.firstSequence() != u.first || a.lastSequence() != u.last) {
        return; // not the gateway's, or not this batch's sequences
      }
      proven();
      stats.recordLatencyNanos(System.nanoTime() - u.sentNanos);
      retries = 0;
      for (int i = 0; i < u.readings.size(); i++) {
        // The ACK counts the replays, not which they are.
        boolean replay = i >= a.accepted();
        if (replay) {
          stats.replays.increment();
        } else {
          stats.meterAccepted.increment();
        }
        stats.release(1);
        outcomes.delivered(u.batchId, u.readings.get(i), replay);
      }
      done(u);
      return;
    }
    if (a.sentAt() != u.sentAt) {
      return; // a NACK of an earlier send: this one gets its own answer
    }
    if (!a.signed()) {
      unsigned(u, a);
      return;
    }
    if (!a.verify(key)) {
      return; // signed, but not with this meter's key: forged
    }
    proven();
    switch (kind(a)) {
      case RETRY -> {
        stats.retryAnswers.increment();
        later(u);
      }
      case TRANSIENT -> {
        if (++u.transientNacks >= RelayDevice.MAX_TRANSIENT_ATTEMPTS) {
          refuse(u, a);
        } else {
          later(u);
        }
      }
      default -> refuse(u, a);
    }
  }

  /**
   * What a meter does after a verified NACK: {@code RETRY}, {@code TRANSIENT} or {@code REFUSED}.
   */
  static Answer.Kind kind(UdpCodec.Answer nack) {
    Refusal r = nack.refusal();
    if (UdpBatchClient.retriable(r)) {
      return Answer.Kind.RETRY;
    }
    if (r == Refusal.UNKNOWN_DEVICE || r == Refusal.NOT_PERMITTED) {
      return Answer.Kind.TRANSIENT;
    }
    return Answer.Kind.REFUSED;
  }

  /** True if an unsigned NACK says the gateway could not verify the meter's key. */
  static boolean refusesTheKey(UdpCodec.Answer nack) {
    return Answer.isLoginReason(nack.reason())
        || Refusal.BAD_SIGNATURE.label().equals(nack.reason());
  }

  private void unsigned(Upload u, UdpCodec.Answer a) {
    if (refusesTheKey(a)) {
      // The gateway may not have read the credential yet, or throttles the address.
      stats.loginRefused(id, a.reason(), a.message());
      proven = false;
      if (holdsPermit) {
        holdsPermit = false;
        gate.release(LoginGate.Outcome.REFUSED);
      } else {
        gate.refusedLater();
      }
    } else {
      if (holdsPermit) {
        holdsPermit = false;
        gate.release(LoginGate.Outcome.FAILED);
      }
      stats.warnOnce(
          "udp-unsigned:" + a.reason(),
          "an unsigned NACK of batch {} ({}: {}); sending it again",
          u.batchId,
          a.reason(),
          a.message());
    }
    later(u);
  }

  /** Sends {@code u} again after a pause that doubles while the gateway asks for pauses. */
  private void later(Upload u) {
    u.sentAt = 0; // void the wait of the last send, and any other answer to it
    retries++;
    loop.schedule(
        RelayDevice.backoff(retries),
        () -> {
          if (current == u) {
            send();
          }
        });
  }

  private void proven() {
    boolean was = proven;
    proven = true;
    if (holdsPermit) {
      holdsPermit = false;
      gate.release(LoginGate.Outcome.LOGGED_IN);
    } else if (!was) {
      gate.provenLater();
    }
  }

  private void refuse(Upload u, UdpCodec.Answer a) {
    retries = 0;
    for (Pending p : u.readings) {
      stats.refused(a.reason(), p.id(), u.batchId + ": " + a.message());
      stats.release(1);
      outcomes.lost(u.batchId, p, "refused by the gateway: " + a.reason());
    }
    done(u);
  }

  private void done(Upload u) {
    socket.forget(u.batchId);
    current = null;
    pump();
  }

  /**
   * {@code readings} (in sequence order) as batches of at most {@link #MAX_SEQUENCES} sequences and
   * {@link #MAX_BATCH_BYTES} of JSON: one named {@code batchId}, or several named {@code
   * batchId#1}, {@code batchId#2}, ...
   */
  static List<Upload> split(String batchId, List<Pending> readings) {
    List<List<Pending>> parts = new ArrayList<>();
    List<Pending> part = new ArrayList<>();
    long first = 0;
    int bytes = 2;
    for (Pending p : readings) {
      // Its bytes in the array, with a comma and a 13-digit sentAt.
      int size = UdpBatchClient.json(List.of(p.reading(0)), 1_000_000_000_000L).length - 1;
      if (!part.isEmpty()
          && (p.sequence - first >= MAX_SEQUENCES
              || p.sequence < first
              || bytes + size > MAX_BATCH_BYTES)) {
        parts.add(part);
        part = new ArrayList<>();
        bytes = 2;
      }
      if (part.isEmpty()) {
        first = p.sequence;
      }
      part.add(p);
      bytes += size;
    }
    if (!part.isEmpty()) {
      parts.add(part);
    }
    List<Upload> out = new ArrayList<>(parts.size());
    for (int i = 0; i < parts.size(); i++) {
      String name = parts.size() == 1 ? batchId : batchId + "#" + (i + 1);
      out.add(new Upload(batchIdOf(name), parts.get(i)));
    }
    return out;
  }

  /**
   * {@code name} as a batch id, 1 to 64 printable ASCII characters: itself if it is one, else the
   * hex SHA-256 of it.
   */
  static String batchIdOf(String name) {
    boolean ok = !name.isEmpty() && name.length() <= UdpCodec.MAX_BATCH_ID;
    for (int i = 0; i < name.length() && ok; i++) {
      char c = name.charAt(i);
      ok = c >= 0x21 && c <= 0x7e;
    }
    if (ok) {
      return name;
    }
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
