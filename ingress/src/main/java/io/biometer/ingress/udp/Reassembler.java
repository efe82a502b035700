package io.biometer.ingress.udp;

import io.biometer.ingress.Refusal;
import io.biometer.ingress.Refused;
import io.biometer.ingress.replay.ReplayWindow;
import io.biometer.ingress.udp.UdpCodec.BatchHeader;
import io.biometer.ingress.udp.UdpCodec.Fragment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Puts the authenticated fragments of UDP batches back together, within bounds:
 *
 * <ul>
 *   <li>a batch declares its length in every fragment and may not declare more than {@code
 *       maxBatchBytes};
 *   <li>at most {@code maxBatches} batches are in progress at once, and together they may reserve
 *       at most {@code maxBufferedBytes}: a batch reserves its declared length plus {@value
 *       #FRAGMENT_OVERHEAD} bytes per fragment from its first fragment on, so fragments that never
 *       come still count. A batch beyond either cap is refused as UNAVAILABLE (retry later);
 *   <li>a batch not complete {@code timeoutMillis} after its first fragment arrived is dropped by
 *       {@link #expire} and returned, to be refused as TRUNCATED;
 *   <li>a batch of one fragment completes at once and takes no place.
 * </ul>
 *
 * A batch is one send: fragments are grouped by (auth id, batch id) and must agree on every header
 * field. A fragment with a later {@code sentAt} starts a new send and drops an incomplete earlier
 * one; a fragment with an earlier {@code sentAt} than the current or last completed send is refused
 * as REPLAY. A completed send is remembered for {@code timeoutMillis} after its completion or
 * answer (at most {@code maxBatches} of them), so that a late duplicate of one of its fragments
 * gets the same answer again ({@link #answered}) instead of starting a batch that would never
 * complete.
 *
 * <p>Time is {@code clock}, in milliseconds, which must not go backwards (the gateway gives {@code
 * System.nanoTime() / 1e6}). Not thread-safe: the UDP front end calls it from its event loop only.
 *
 * @param <C> what the caller keeps with a batch (its sender and key); the latest fragment's wins
 */
public final class Reassembler<C> {

  /** Bytes a fragment counts against the caps beyond its chunk (its array and reference). */
  public static final int FRAGMENT_OVERHEAD = 32;

  /** What {@link #offer} did with a fragment. */
  public enum Outcome {
    /** Kept; its batch still misses fragments. */
    BUFFERED,
    /** A copy of a fragment already held, or of a completed send: ignored. */
    DUPLICATE,
    /** The batch's last missing fragment: the batch is complete. */
    COMPLETE
  }

  /**
   * A complete batch.
   *
   * @param header its fields
   * @param payload the fragments' chunks in index order
   * @param signature the batch signature of its last fragment
   * @param context the caller's value of the latest fragment
   */
  public record Batch<C>(BatchHeader header, byte[] payload, byte[] signature, C context) {}

  /**
   * The result of {@link #offer}.
   *
   * @param outcome what happened
   * @param batch the batch, if COMPLETE
   * @param answer for a DUPLICATE of a completed send: the answer given to it, or null if there is
   *     none yet
   */
  public record Offered<C>(Outcome outcome, Batch<C> batch, byte[] answer) {}

  /**
   * A batch dropped because its fragments did not all arrive in time.
   *
   * @param header its fields
   * @param context the caller's value of its latest fragment
   * @param missing the indexes of the fragments that did not arrive
   */
  public record Expired<C>(BatchHeader header, C context, List<Integer> missing) {

    /** The refusal to answer with. */
    public Refused refusal(long timeoutMillis) {
      List<Integer> shown = missing.size() > 10 ? missing.subList(0, 10) : missing;
      return new Refused(
          Refusal.TRUNCATED,
          header.name()
              + ": fragments "
              + shown
              + (missing.size() > shown.size() ? " and " + (missing.size() - 10) + " more" : "")
              + " of "
              + header.fragmentCount()
              + " did not arrive within "
              + timeoutMillis
              + " ms of the first; send the whole batch again");
    }
  }

  private record Key(String authId, String batchId) {}

  private static final class Partial<C> {
    final BatchHeader header;
    final byte[][] chunks;
    final long startedAt;
    final long reserved;
    byte[] signature;
    long bytes;
    int received;
    C context;

    Partial(BatchHeader header, long startedAt, long reserved) {
      this.header = header;
      this.chunks = new byte[header.fragmentCount()][];
      this.startedAt = startedAt;
      this.reserved = reserved;
    }
  }

  private static final class Finished {
    final long sentAt;
    long until;
    byte[] answer;

    Finished(long sentAt, long until) {
      this.sentAt = sentAt;
      this.until = until;
    }
  }

  private final int maxBatchBytes;
  private final int maxBatches;
  private final long maxBufferedBytes;
  private final long timeoutMillis;
  private final LongSupplier clock;
  // Insertion order is start order, so expiry looks at the head only.
  private final LinkedHashMap<Key, Partial<C>> partials = new LinkedHashMap<>();
  // Re-inserted on every change, so the head is the first to expire.
  private final LinkedHashMap<Key, Finished> finished = new LinkedHashMap<>();
  private long buffered;

  /**
   * @param maxBatchBytes the largest batch (max.payload.bytes)
   * @param maxBatches batches in progress at once (udp.max.batches)
   * @param maxBufferedBytes bytes they may reserve together (udp.max.buffered.bytes)
   * @param timeoutMillis how long a batch may take from its first fragment (udp.reassembly.timeout)
   * @param clock milliseconds that never go backwards
   */
  public Reassembler(
      int maxBatchBytes,
      int maxBatches,
      long maxBufferedBytes,
      long timeoutMillis,
      LongSupplier clock) {
    this.maxBatchBytes = maxBatchBytes;
    this.maxBatches = maxBatches;
    this.maxBufferedBytes = maxBufferedBytes;
    this.timeoutMillis = timeoutMillis;
    this.clock = clock;
  }

  /**
   * Takes a fragment whose HMAC the caller verified.
   *
   * @throws Refused OVERSIZE, MALFORMED (a field out of range, fragments that disagree), REPLAY (a
   *     fragment of an earlier send) or UNAVAILABLE (caps reached); a batch in progress that the
   *     fragment contradicts is dropped
   */
  public Offered<C> offer(Fragment f, C context) {
    BatchHeader h = f.header();
    validate(f);
    Key k = new Key(h.authId(), h.batchId());
    Finished done = finished.get(k);
    if (done != null && h.sentAt() <= done.sentAt) {
      if (h.sentAt() < done.sentAt) {
        throw stale(f, done.sentAt);
      }
      return new Offered<>(Outcome.DUPLICATE, null, done.answer);
    }
    Partial<C> p = partials.get(k);
    if (p != null && h.sentAt() < p.header.sentAt()) {
      throw stale(f, p.header.sentAt());
    }
    if (p != null && h.sentAt() > p.header.sentAt()) {
      drop(k);
      p = null;
    }
    if (p != null && !h.equals(p.header)) {
      drop(k);
      throw new Refused(
          Refusal.MALFORMED,
          "fragment "
              + f.index()
              + " of "
              + h.name()
              + " disagrees with the earlier fragments of the send (count, length or"
              + " sequences); the batch is dropped, send it again");
    }
    if (p == null) {
      if (h.fragmentCount() == 1) {
        return complete(
            k, h, new byte[][] {f.chunk()}, f.chunk().length, f.batchSignature(), context);
      }
      p = start(k, h);
    }
    p.context = context;
    byte[] held = p.chunks[f.index()];
    if (held != null) {
      if (Arrays.equals(held, f.chunk())) {
        return new Offered<>(Outcome.DUPLICATE, null, null);
      }
      drop(k);
      throw new Refused(
          Refusal.MALFORMED,
          "fragment " + f.index() + " of " + h.name() + " came twice with different bytes");
    }
    if (p.bytes + f.chunk().length > h.batchLength()) {
      drop(k);
      throw new Refused(
          Refusal.MALFORMED,
          h.name()
              + ": its fragments hold more than the "
              + h.batchLength()
              + " bytes its header declares");
    }
    p.chunks[f.index()] = f.chunk();
    p.bytes += f.chunk().length;
    p.received++;
    if (f.batchSignature() != null) {
      p.signature = f.batchSignature();
    }
    if (p.received < h.fragmentCount()) {
      return new Offered<>(Outcome.BUFFERED, null, null);
    }
    drop(k);
    return complete(k, h, p.chunks, p.bytes, p.signature, context);
  }

  /**
   * Records the answer given to a completed send, so that a late duplicate of its fragments gets it
   * again; ignored if the send is no longer remembered.
   */
  public void answered(BatchHeader h, byte[] answer) {
    Key k = new Key(h.authId(), h.batchId());
    Finished f = finished.get(k);
    if (f != null && f.sentAt == h.sentAt()) {
      f.answer = answer;
      f.until = clock.getAsLong() + timeoutMillis;
      finished.remove(k);
      finished.put(k, f);
    }
  }

  /** Drops and returns the batches whose time is up; forgets completed sends past their time. */
  public List<Expired<C>> expire() {
    long now = clock.getAsLong();
    List<Expired<C>> out = new ArrayList<>();
    Iterator<Map.Entry<Key, Partial<C>>> it = partials.entrySet().iterator();
    while (it.hasNext()) {
      Partial<C> p = it.next().getValue();
      if (now - p.startedAt < timeoutMillis) {
        break;
      }
      it.remove();
      buffered -= p.reserved;
      List<Integer> missing = new ArrayList<>();
      for (int i = 0; i < p.chunks.length; i++) {
        if (p.chunks[i] == null) {
          missing.add(i);
        }
      }
      out.add(new Expired<>(p.header, p.context, missing));
    }
    Iterator<Finished> f = finished.values().iterator();
    while (f.hasNext() && f.next().until <= now) {
      f.remove();
    }
    return out;
  }

  /** Batches in progress. */
  public int inProgress() {
    return partials.size();
  }

  /** Bytes the batches in progress reserve. */
  public long bufferedBytes() {
    return buffered;
  }

  /** The memory a batch reserves. */
  public static long cost(BatchHeader h) {
    return h.batchLength() + (long) FRAGMENT_OVERHEAD * h.fragmentCount();
  }

  private void validate(Fragment f) {
    BatchHeader h = f.header();
    if (h.batchLength() > maxBatchBytes) {
      throw new Refused(
          Refusal.OVERSIZE,
          h.name()
              + " is "
              + h.batchLength()
              + " bytes, over max.payload.bytes ("
              + maxBatchBytes
              + "); send the day as several batches");
    }
    if (h.firstSequence() < 0 || h.lastSequence() < h.firstSequence()) {
      throw new Refused(
          Refusal.MALFORMED,
          h.name() + ": sequences must be >= 0 and the last not below the first");
    }
    if (h.lastSequence() - h.firstSequence() >= ReplayWindow.SIZE) {
      throw new Refused(
          Refusal.OVERSIZE,
          h.name()
              + " spans "
              + (h.lastSequence() - h.firstSequence() + 1)
              + " sequences; a batch may span at most "
              + ReplayWindow.SIZE
              + " (the replay window), so that a re-send is recognised as delivered");
    }
    if (h.fragmentCount() < 1 || h.fragmentCount() > h.batchLength()) {
      throw new Refused(
          Refusal.MALFORMED,
          h.name()
              + ": "
              + h.fragmentCount()
              + " fragments for "
              + h.batchLength()
              + " bytes; every fragment carries at least one byte");
    }
    if (f.index() >= h.fragmentCount()) {
      throw new Refused(
          Refusal.MALFORMED,
          h.name()
              + ": fragment index "
              + f.index()
              + " is out of range 0.."
              + (h.fragmentCount() - 1));
    }
    if (f.chunk().length == 0) {
      throw new Refused(
          Refusal.MALFORMED, h.name() + ": fragment " + f.index() + " carries no bytes");
    }
  }

  private Partial<C> start(Key k, BatchHeader h) {
    long cost = cost(h);
    if (partials.size() >= maxBatches) {
      throw new Refused(
          Refusal.UNAVAILABLE,
          h.name()
              + ": the gateway is reassembling "
              + maxBatches
              + " batches (udp.max.batches); send it again in a few seconds");
    }
    if (buffered + cost > maxBufferedBytes) {
      throw new Refused(
          Refusal.UNAVAILABLE,
          h.name()
              + ": the gateway holds "
              + buffered
              + " bytes of incomplete batches and may hold "
              + maxBufferedBytes
              + " (udp.max.buffered.bytes); send it again in a few seconds");
    }
    Partial<C> p = new Partial<>(h, clock.getAsLong(), cost);
    partials.put(k, p);
    buffered += cost;
    return p;
  }

  private void drop(Key k) {
    Partial<C> p = partials.remove(k);
    if (p != null) {
      buffered -= p.reserved;
    }
  }

  private Offered<C> complete(
      Key k, BatchHeader h, byte[][] chunks, long bytes, byte[] signature, C context) {
    if (bytes != h.batchLength()) {
      throw new Refused(
          Refusal.MALFORMED,
          h.name()
              + ": its fragments hold "
              + bytes
              + " bytes, its header declares "
              + h.batchLength());
    }
    byte[] payload = new byte[(int) bytes];
    int at = 0;
    for (byte[] c : chunks) {
      System.arraycopy(c, 0, payload, at, c.length);
      at += c.length;
    }
    finished.remove(k);
    finished.put(k, new Finished(h.sentAt(), clock.getAsLong() + timeoutMillis));
    if (finished.size() > maxBatches) {
      Iterator<Finished> eldest = finished.values().iterator();
      eldest.next();
      eldest.remove();
    }
    return new Offered<>(Outcome.COMPLETE, new Batch<>(h, payload, signature, context), null);
  }

  private static Refused stale(Fragment f, long current) {
    return new Refused(
        Refusal.REPLAY,
        "fragment "
            + f.index()
            + " of "
            + f.header().name()
            + " belongs to a send (sentAt "
            + f.header().sentAt()
            + ") older than the latest one (sentAt "
            + current
            + ")");
  }
}
