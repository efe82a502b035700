package io.biometer.simulator.gateway;

import io.biometer.ingress.readings.DeviceReading;
import io.vertx.core.AsyncResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One simulated device that talks to the gateway itself, a sink or a meter, with its own connection
 * and credential. It stores and forwards: every reading it is given stays with it until the gateway
 * answered it.
 *
 * <ul>
 *   <li>Accepted or {@code replay}: delivered (a replay was accepted before, its answer lost).
 *   <li>{@code unavailable} or {@code rate_limited}: kept, and sent again after a pause that grows
 *       while such answers continue.
 *   <li>{@code unknown_device} or {@code not_permitted}: kept and sent again up to {@link
 *       #MAX_TRANSIENT_ATTEMPTS} times in all, since the gateway may not have read the registry
 *       entries written at start yet; then refused.
 *   <li>Any other refusal: counted by reason (and logged, once per reason), never sent again.
 *   <li>No answer because the connection ended, or none within {@link #ANSWER_TIMEOUT_MILLIS}:
 *       everything unanswered goes back to the front of the store, in order, and is sent again on
 *       the next connection. Reconnects back off from {@link #MIN_BACKOFF_MILLIS} to {@link
 *       #MAX_BACKOFF_MILLIS}, with jitter, so a gateway that comes back is not hit by every device
 *       at once.
 * </ul>
 *
 * After a connection ended with messages unanswered, the next connection sends one reading at a
 * time until one is answered: a gateway that closes the connection instead of answering (MQTT 3.1.1
 * has no way to refuse a PUBLISH) thus shows which reading it will not take; one that ended {@link
 * #MAX_STRIKES} connections that way is counted refused as {@code connection_closed}.
 *
 * <p>At most {@code window} readings are unanswered at once (at most 64, the gateway's replay
 * window: a reading sent again must not fall behind the readings accepted after it). All state but
 * the inbox is touched on the device's {@link Loop} only.
 */
final class RelayDevice {

  static final long ANSWER_TIMEOUT_MILLIS = 30_000;
  static final long MIN_BACKOFF_MILLIS = 250;
  static final long MAX_BACKOFF_MILLIS = 10_000;
  static final int MAX_TRANSIENT_ATTEMPTS = 5;
  static final int MAX_STRIKES = 5;

  /** Where delivered and lost readings are reported. */
  interface Outcomes {
    /** The gateway has {@code reading} from {@code relayId} (accepted now, or before). */
    void delivered(String relayId, Pending reading, boolean replay);

    /** {@code reading} will never reach the gateway, for {@code why}. */
    void lost(String relayId, Pending reading, String why);
  }

  private enum State {
    NEW,
    WAITING,
    CONNECTING,
    CONNECTED,
    BACKOFF,
    CLOSED
  }

  /** A message sent and not answered yet. */
  private record Sent(List<Pending> readings, long sentAt, long sentNanos, Transport.Link link) {}

  final String id;
  private final String password;
  private final Transport transport;
  private final Loop loop;
  private final LoginGate gate;
  private final GatewayStats stats;
  private final Outcomes outcomes;
  private final int window;

  private final ConcurrentLinkedQueue<Pending> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainQueued = new AtomicBoolean();

  private final ArrayDeque<Pending> store = new ArrayDeque<>();
  private final ArrayDeque<Sent> inFlight = new ArrayDeque<>();
  private int inFlightReadings;
  private Transport.Link link;
  private State state = State.NEW;
  private int failures;
  private long connectedAt;
  private int retries;
  private long pausedUntil;
  private boolean resumeSet;
  private boolean watchdogSet;
  private boolean holdsPermit;
  private boolean loginUnproven;
  private boolean careful;

  RelayDevice(
      String id,
      String password,
      Transport transport,
      Loop loop,
      LoginGate gate,
      GatewayStats stats,
      Outcomes outcomes,
      int window) {
    this.id = id;
    this.password = password;
    this.transport = transport;
    this.loop = loop;
    this.gate = gate;
    this.stats = stats;
    this.outcomes = outcomes;
    this.window = window;
  }

  String password() {
    return password;
  }

  Loop loop() {
    return loop;
  }

  /** Takes a reading to send (any thread); counted lost if the devices hold the most they may. */
  void offer(Pending p) {
    stats.offered.increment();
    if (!stats.reserve()) {
      stats.lostStoreFull.increment();
      stats.warnOnce(
          "store-full",
          "the simulated devices hold gateway.store.max readings; later readings are counted"
              + " lost until the gateway takes some");
      outcomes.lost(id, p, "store full");
      return;
    }
    inbox.add(p);
    if (drainQueued.compareAndSet(false, true)) {
      loop.execute(this::drain);
    }
  }

  /** Starts connecting (on the loop). */
  void start() {
    if (state == State.NEW) {
      waitForGate();
    }
  }

  /**
   * Closes the connection and stops (on the loop); returns how many readings were left, which are
   * reported lost.
   */
  int shutdown() {
    drain0();
    State was = state;
    state = State.CLOSED;
    if (holdsPermit) {
      holdsPermit = false;
      gate.release(LoginGate.Outcome.FAILED);
    }
    if (link != null) {
      Transport.Link l = link;
      lost(l, "the run ended");
      l.close();
    }
    int left = store.size();
    for (Pending p : store) {
      outcomes.lost(id, p, "left unsent at the end of the run");
    }
    stats.release(left);
    store.clear();
    if (was == State.CONNECTED) {
      stats.connected.decrementAndGet();
    }
    return left;
  }

  /** Readings held: in the store or unanswered (on the loop). */
  int held() {
    return store.size() + inFlightReadings;
  }

  private void drain() {
    drainQueued.set(false);
    drain0();
    pump();
  }

  private void drain0() {
    for (Pending p; (p = inbox.poll()) != null; ) {
      if (state == State.CLOSED) {
        outcomes.lost(id, p, "left unsent at the end of the run");
        stats.release(1);
      } else {
        store.add(p);
      }
    }
  }

  private void waitForGate() {
    state = State.WAITING;
    gate.acquire(() -> loop.execute(this::connect));
  }

  private void connect() {
    if (state != State.WAITING) {
      gate.release(LoginGate.Outcome.FAILED);
      return;
    }
    holdsPermit = true;
    state = State.CONNECTING;
    io.vertx.core.Future<Transport.Link> f;
    try {
      f =
          transport.connect(
              id, password, l -> loop.execute(() -> lost(l, "the connection closed")));
    } catch (RuntimeException e) {
      f = io.vertx.core.Future.failedFuture(e);
    }
    f.onComplete(ar -> loop.execute(() -> connected(ar)));
  }

  private void connected(AsyncResult<Transport.Link> ar) {
    if (state != State.CONNECTING) {
      if (ar.succeeded()) {
        ar.result().close();
      }
      releasePermit(LoginGate.Outcome.FAILED);
      return;
    }
    if (ar.failed()) {
      if (ar.cause() instanceof LoginRefused r) {
        stats.loginRefused(id, r.reason(), r.getMessage());
        releasePermit(LoginGate.Outcome.REFUSED);
        // Back of the queue: the gate spaces the attempts, and another device tries first.
        waitForGate();
      } else {
        stats.connectFailures.increment();
        stats.warnOnce(
            "connect:" + ar.cause().getClass().getName(),
            "cannot connect to the gateway ({}); devices keep their readings and try again with"
                + " backoff",
            String.valueOf(ar.cause()));
        releasePermit(LoginGate.Outcome.FAILED);
        backOff();
      }
      return;
    }
    link = ar.result();
    state = State.CONNECTED;
    connectedAt = loop.wallMillis();
    stats.connects.increment();
    stats.connected.incrementAndGet();
    if (transport.loginOnConnect()) {
      releasePermit(LoginGate.Outcome.LOGGED_IN);
    } else {
      loginUnproven = true;
      if (store.isEmpty()) {
        // Nothing to prove the credential with yet: let others log in meanwhile.
        releasePermit(LoginGate.Outcome.UNPROVEN);
      }
    }
    pump();
  }

  private void releasePermit(LoginGate.Outcome outcome) {
    if (holdsPermit) {
      holdsPermit = false;
      gate.release(outcome);
    }
  }

  private void pump() {
    if (state != State.CONNECTED) {
      return;
    }
    long now = loop.wallMillis();
    if (now < pausedUntil) {
      if (!resumeSet) {
        resumeSet = true;
        loop.schedule(
            pausedUntil - now,
            () -> {
              resumeSet = false;
              pump();
            });
      }
      return;
    }
    while (!store.isEmpty()
        && inFlightReadings < window
        && inFlight.size() < transport.maxMessagesInFlight()
        && !((careful || loginUnproven) && !inFlight.isEmpty())) {
      send(take(careful ? 1 : window - inFlightReadings));
    }
  }

  /** Up to {@code room} readings from the front of the store that may share a message. */
  private List<Pending> take(int room) {
    Pending first = store.poll();
    List<Pending> batch = new ArrayList<>(Math.min(room, store.size() + 1));
    batch.add(first);
    while (batch.size() < room
        && !store.isEmpty()
        && (transport.mixedBatches() || store.peek().deviceId.equals(first.deviceId))) {
      batch.add(store.poll());
    }
    return batch;
  }

  private void send(List<Pending> batch) {
    long now = loop.wallMillis();
    List<DeviceReading> readings = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      if (p.attempts++ > 0) {
        stats.resent.increment();
      }
      readings.add(p.reading(now));
    }
    Sent s = new Sent(batch, now, System.nanoTime(), link);
    inFlight.add(s);
    inFlightReadings += batch.size();
    io.vertx.core.Future<List<Answer>> answer;
    try {
      answer = link.send(readings);
    } catch (RuntimeException e) {
      answer = io.vertx.core.Future.failedFuture(e);
    }
    answer.onComplete(ar -> loop.execute(() -> answered(s, ar)));
    watch();
  }

  private void answered(Sent s, AsyncResult<List<Answer>> ar) {
    if (!inFlight.contains(s)) {
      return; // its connection was given up already, and it went back to the store
    }
    if (ar.failed()) {
      lost(s.link(), String.valueOf(ar.cause()));
      return;
    }
    List<Answer> answers = ar.result();
    if (answers.size() != s.readings().size()) {
      throw new IllegalStateException(
          "transport answered " + answers.size() + " of " + s.readings().size() + " readings");
    }
    inFlight.remove(s);
    inFlightReadings -= s.readings().size();
    if (answers.get(0).kind() == Answer.Kind.LOGIN) {
      Answer a = answers.get(0);
      stats.loginRefused(id, a.reason(), a.message());
      requeue(s.readings());
      if (holdsPermit) {
        releasePermit(LoginGate.Outcome.REFUSED);
      } else {
        gate.refusedLater();
      }
      Transport.Link l = link;
      lost(l, "login refused");
      l.close();
      return;
    }
    if (loginUnproven) {
      loginUnproven = false;
      if (holdsPermit) {
        releasePermit(LoginGate.Outcome.LOGGED_IN);
      } else {
        gate.provenLater();
      }
    }
    stats.recordLatencyNanos(System.nanoTime() - s.sentNanos());
    careful = false;
    failures = 0;
    List<Pending> back = new ArrayList<>();
    boolean pause = false;
    for (int i = 0; i < answers.size(); i++) {
      Pending p = s.readings().get(i);
      Answer a = answers.get(i);
      switch (a.kind()) {
        case ACCEPTED -> delivered(p, false);
        case REPLAY -> delivered(p, true);
        case RETRY -> {
          stats.retryAnswers.increment();
          back.add(p);
          pause = true;
        }
        case TRANSIENT -> {
          if (p.attempts >= MAX_TRANSIENT_ATTEMPTS) {
            refused(p, a.reason(), a.message());
          } else {
            back.add(p);
            pause = true;
          }
        }
        case REFUSED, LOGIN -> refused(p, a.reason(), a.message());
      }
    }
    requeue(back);
    if (pause) {
      retries++;
      pausedUntil = loop.wallMillis() + backoff(retries);
    } else {
      retries = 0;
    }
    pump();
  }

  private void delivered(Pending p, boolean replay) {
    if (replay) {
      stats.replays.increment();
    } else if (p.meter) {
      stats.meterAccepted.increment();
    } else {
      stats.bodyAccepted.increment();
    }
    stats.release(1);
    outcomes.delivered(id, p, replay);
  }

  private void refused(Pending p, String reason, String message) {
    stats.refused(reason, p.id(), message);
    stats.release(1);
    outcomes.lost(id, p, "refused by the gateway: " + reason);
  }

  /** Puts {@code readings} back at the front of the store, in their order. */
  private void requeue(List<Pending> readings) {
    for (int i = readings.size() - 1; i >= 0; i--) {
      store.addFirst(readings.get(i));
    }
  }

  /** The connection {@code l} ended: everything unanswered on it goes back to the store. */
  private void lost(Transport.Link l, String why) {
    if (l == null || l != link) {
      return; // an older connection's end, handled when it ended
    }
    link = null;
    boolean wasConnected = state == State.CONNECTED;
    if (wasConnected) {
      stats.connected.decrementAndGet();
      stats.connectionsLost.increment();
    }
    releasePermit(LoginGate.Outcome.FAILED);
    boolean unanswered = !inFlight.isEmpty();
    if (careful && inFlight.size() == 1 && state != State.CLOSED) {
      // The only message on the connection, and the connection ended: a strike against it.
      List<Pending> back = new ArrayList<>();
      for (Pending p : inFlight.peek().readings()) {
        if (++p.strikes >= MAX_STRIKES) {
          refused(p, "connection_closed", transport.closedHint() + " (" + why + ")");
        } else {
          back.add(p);
        }
      }
      requeue(back);
    } else {
      for (Iterator<Sent> it = inFlight.descendingIterator(); it.hasNext(); ) {
        requeue(it.next().readings());
      }
    }
    inFlight.clear();
    inFlightReadings = 0;
    careful = unanswered;
    loginUnproven = false;
    if (state == State.CLOSED) {
      return;
    }
    if (wasConnected && loop.wallMillis() - connectedAt > MAX_BACKOFF_MILLIS) {
      failures = 0; // a connection that lived a while (an idle timeout): reconnect soon
    }
    backOff();
  }

  private void backOff() {
    state = State.BACKOFF;
    failures++;
    loop.schedule(
        backoff(failures),
        () -> {
          if (state == State.BACKOFF) {
            waitForGate();
          }
        });
  }

  /** The pause before attempt {@code n} (from 1): doubling from the minimum, capped, jittered. */
  static long backoff(int n) {
    long b = MIN_BACKOFF_MILLIS << Math.min(Math.max(0, n - 1), 10);
    b = Math.min(MAX_BACKOFF_MILLIS, b);
    return b / 2 + ThreadLocalRandom.current().nextLong(b / 2 + 1);
  }

  /** Closes a connection whose oldest message waited {@link #ANSWER_TIMEOUT_MILLIS} unanswered. */
  private void watch() {
    if (watchdogSet || inFlight.isEmpty()) {
      return;
    }
    watchdogSet = true;
    long due = inFlight.peek().sentAt() + ANSWER_TIMEOUT_MILLIS - loop.wallMillis();
    loop.schedule(
        Math.max(1, due),
        () -> {
          watchdogSet = false;
          Sent oldest = inFlight.peek();
          if (oldest == null) {
            return;
          }
          if (loop.wallMillis() - oldest.sentAt() >= ANSWER_TIMEOUT_MILLIS) {
            stats.timeouts.increment();
            stats.warnOnce(
                "timeout",
                "the gateway did not answer {} within {} ms; closing the connection and sending"
                    + " again",
                id,
                ANSWER_TIMEOUT_MILLIS);
            Transport.Link l = oldest.link();
            lost(l, "no answer within " + ANSWER_TIMEOUT_MILLIS + " ms");
            l.close();
          } else {
            watch();
          }
        });
  }
}
