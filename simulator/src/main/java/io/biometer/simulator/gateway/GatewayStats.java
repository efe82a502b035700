package io.biometer.simulator.gateway;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the simulated devices sent through the gateway and what became of it, per outcome; and how
 * many readings they hold. Thread-safe: devices on every event loop count here.
 */
public final class GatewayStats {

  private static final Logger log = LoggerFactory.getLogger(GatewayStats.class);

  /** Readings handed to a relaying device (each copy a sink relays counts once). */
  public final LongAdder offered = new LongAdder();

  /** Body readings the gateway accepted: Kafka has them. */
  public final LongAdder bodyAccepted = new LongAdder();

  /** Meter samples the gateway accepted. */
  public final LongAdder meterAccepted = new LongAdder();

  /** Readings answered {@code replay}: accepted before, so delivered. */
  public final LongAdder replays = new LongAdder();

  /**
   * Sends of a reading after its first (after a lost connection, a retry answer, or a UDP batch
   * unanswered in time).
   */
  public final LongAdder resent = new LongAdder();

  /** Answers {@code unavailable} or {@code rate_limited}: the reading was kept and sent again. */
  public final LongAdder retryAnswers = new LongAdder();

  /** Readings lost because the devices held {@code gateway.store.max} already. */
  public final LongAdder lostStoreFull = new LongAdder();

  /** Readings still held when the run ended: never sent, or never answered. */
  public final LongAdder leftAtExit = new LongAdder();

  /** Connections opened (logged in, for MQTT and WebSocket). */
  public final LongAdder connects = new LongAdder();

  /** Connection attempts that failed for want of the gateway (not a refused credential). */
  public final LongAdder connectFailures = new LongAdder();

  /** Logins the gateway refused (a credential it had not read yet, or a throttled address). */
  public final LongAdder loginRefusals = new LongAdder();

  /** Connections that ended while the device was connected. */
  public final LongAdder connectionsLost = new LongAdder();

  /**
   * Messages unanswered for too long, whose connection was then closed; via {@code udp}, sends of a
   * meter's batch that had no answer in time, and went again.
   */
  public final LongAdder timeouts = new LongAdder();

  /** Commands the actuators were given by the gateway (each once, however often it came). */
  public final LongAdder commands = new LongAdder();

  /** Commands an actuator answered {@code failed}: an unknown name or a bad argument. */
  public final LongAdder commandsFailed = new LongAdder();

  /** Answers to commands whose connection ended before the gateway acknowledged them. */
  public final LongAdder responsesLost = new LongAdder();

  /** Devices connected now. */
  public final AtomicInteger connected = new AtomicInteger();

  private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();
  private final Map<String, Boolean> logged = new ConcurrentHashMap<>();
  private final AtomicLong held = new AtomicLong();
  private final long maxHeld;
  private final Recorder latency = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
  private final Histogram total = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);

  /** Stats of devices that hold at most {@code maxHeld} readings between them. */
  public GatewayStats(long maxHeld) {
    this.maxHeld = maxHeld;
  }

  /** Takes room for one more reading; false if the devices hold the most they may. */
  boolean reserve() {
    if (held.incrementAndGet() > maxHeld) {
      held.decrementAndGet();
      return false;
    }
    return true;
  }

  /** Frees the room of a reading that is done (delivered, refused or lost). */
  void release(int n) {
    held.addAndGet(-n);
  }

  /** Readings held now: not yet sent, or sent and not yet answered. */
  public long held() {
    return held.get();
  }

  /** Body readings and meter samples accepted. */
  public long accepted() {
    return bodyAccepted.sum() + meterAccepted.sum();
  }

  /** Accepted plus replays: everything Kafka has. */
  public long delivered() {
    return accepted() + replays.sum();
  }

  /** Counts a reading refused for good; the first of each reason is logged with its message. */
  void refused(String reason, String readingId, String message) {
    refused.computeIfAbsent(reason, r -> new LongAdder()).increment();
    if (logged.putIfAbsent("refused:" + reason, Boolean.TRUE) == null) {
      log.warn(
          "the gateway refused {} ({}): {}; further refusals for this reason are counted in the"
              + " report, not logged",
          readingId,
          reason,
          message);
    }
  }

  /** Counts a refused login; the first of each reason is logged. */
  void loginRefused(String deviceId, String reason, String message) {
    loginRefusals.increment();
    if (logged.putIfAbsent("login:" + reason, Boolean.TRUE) == null) {
      log.info(
          "the gateway refused the login of {} ({}: {}); logging in again with backoff (the"
              + " gateway may not have read the credentials written at start yet)",
          deviceId,
          reason,
          message);
    }
  }

  /** Logs {@code message} the first time {@code key} comes, at WARN. */
  void warnOnce(String key, String message, Object... args) {
    if (logged.putIfAbsent(key, Boolean.TRUE) == null) {
      log.warn(message, args);
    }
  }

  /** Readings refused for good, by the gateway's reason, sorted. */
  public Map<String, Long> refusedByReason() {
    Map<String, Long> out = new TreeMap<>();
    refused.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Readings refused for good, every reason. */
  public long refusedTotal() {
    return refused.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Records the time from a message's send to the gateway's answer. */
  void recordLatencyNanos(long nanos) {
    latency.recordValue(Math.min(TimeUnit.SECONDS.toMicros(60), Math.max(0, nanos / 1000)));
  }

  /** Every answer latency recorded so far, in microseconds. */
  public synchronized Histogram latencyMicros() {
    total.add(latency.getIntervalHistogram());
    return total.copy();
  }
}
