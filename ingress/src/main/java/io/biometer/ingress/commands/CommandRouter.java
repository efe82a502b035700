package io.biometer.ingress.commands;

import io.biometer.Topics;
import io.biometer.avro.CommandResponse;
import io.biometer.avro.CommandStatus;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceCommand;
import io.biometer.avro.DeviceKind;
import io.biometer.ingress.IngressMetrics;
import io.biometer.ingress.Refusal;
import io.biometer.ingress.Refused;
import io.biometer.ingress.auth.Directory;
import io.biometer.ingress.auth.Principal;
import io.biometer.ingress.kafka.RecordSender;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each command of {@code telemetry.commands} to the connection its device holds, within the
 * access map and before its expiry, and writes what became of it to {@code
 * telemetry.command.responses}.
 *
 * <p><b>At most once.</b> A command is written to a device only after Kafka has acknowledged its
 * DELIVERED response, and a command that has any response is never delivered again, by this gateway
 * or by one restarted after it ({@link #answered}). A gateway that dies between the two writes
 * loses that command: the issuer sees DELIVERED and no answer.
 *
 * <p><b>Order.</b> One device's commands are delivered in the order of the topic, one at a time:
 * the next waits until the DELIVERED record of the one before it is in Kafka.
 *
 * <p>Every method is thread-safe: commands arrive on the consumer's thread, subscriptions and
 * answers on the event loops, acknowledgements on the producer's thread. The state is guarded by
 * this object's lock, which is never held while waiting.
 */
public final class CommandRouter {

  private static final Logger log = LoggerFactory.getLogger(CommandRouter.class);

  /**
   * A connection on which a device takes its commands: an MQTT subscription, a WebSocket... The
   * router calls it under its lock, so neither method may take another lock or block: ask no Vert.x
   * connection object (an event loop holding the connection's lock may be waiting for the
   * router's), only flags and {@code Context.runOnContext}.
   */
  public interface Subscriber {

    /** {@code mqtt}, {@code websocket} or {@code grpc}. */
    String protocol();

    /** Whether the connection can still take a command. */
    boolean isOpen();

    /**
     * Writes the command frame to the device, on the connection's own thread; never blocks. If the
     * connection closed before the frame could be written, calls {@code notWritten} instead (from
     * any thread), and the router gives the command to the next subscription.
     */
    void deliver(JsonObject frame, Runnable notWritten);
  }

  private static final class Pending {
    final DeviceCommand command;
    boolean recorded; // its DELIVERED response is in Kafka
    boolean inFlight; // its DELIVERED response is being written
    boolean finished; // answered, expired, refused: no longer waiting

    Pending(DeviceCommand command) {
      this.command = command;
    }

    long expiresAt() {
      return command.getExpiresAt().toEpochMilli();
    }
  }

  private final Directory directory;
  private final AccessMap access;
  private final RecordSender sender;
  private final IngressMetrics metrics;
  private final LongSupplier clock;
  private final long maxTtlMillis;
  private final String gatewayId;

  private final Map<String, ArrayDeque<Pending>> waiting = new HashMap<>();
  private final PriorityQueue<Pending> byExpiry =
      new PriorityQueue<>(java.util.Comparator.comparingLong(Pending::expiresAt));
  private final Map<String, List<Subscriber>> subscribers = new HashMap<>();
  private final Map<String, Pending> delivered = new HashMap<>();
  // Answers taken, by command id, with the device: a repeat is acknowledged, not refused.
  private final Map<String, String> answered = new HashMap<>();
  private final java.util.ArrayDeque<Map.Entry<String, Long>> answeredByTime =
      new java.util.ArrayDeque<>();
  private boolean stopping;
  private int recording; // DELIVERED writes in flight
  // Command ids this router has seen or found answered, until twice the longest life of a command:
  // a command read again (a restart, a producer's retry) is not handled twice.
  private final Map<String, Long> seen = new HashMap<>();
  private final PriorityQueue<Map.Entry<String, Long>> seenByTime =
      new PriorityQueue<>(Map.Entry.comparingByValue());
  // Read without the lock (the metrics gauge): the registry may hold its own lock while it asks.
  private final java.util.concurrent.atomic.AtomicInteger waitingCount =
      new java.util.concurrent.atomic.AtomicInteger();

  public CommandRouter(
      Directory directory,
      AccessMap access,
      RecordSender sender,
      IngressMetrics metrics,
      LongSupplier clock,
      long maxTtlMillis,
      String gatewayId) {
    this.directory = directory;
    this.access = access;
    this.sender = sender;
    this.metrics = metrics;
    this.clock = clock;
    this.maxTtlMillis = maxTtlMillis;
    this.gatewayId = gatewayId;
    metrics.registry().gauge("biometer_ingress_commands_waiting", this, r -> r.waiting());
  }

  /**
   * Marks a command as answered before this gateway started (read back from {@code
   * telemetry.command.responses}): it is never delivered again.
   */
  public synchronized void answered(String commandId) {
    remember(commandId);
  }

  /** Takes a command from {@code telemetry.commands}: refuses, delivers, or keeps it waiting. */
  public synchronized void offer(DeviceCommand c) {
    long now = clock.getAsLong();
    if (seen.containsKey(c.getCommandId())) {
      return;
    }
    remember(c.getCommandId());
    String malformed = Commands.malformed(c, maxTtlMillis);
    if (malformed == null && c.getExpiresAt().toEpochMilli() > now + maxTtlMillis) {
      // A restarted gateway reads back commands.max.ttl of the topic: a command that could wait
      // longer would be forgotten by it (and its id, so a copy would be taken as new).
      malformed =
          "it expires "
              + c.getExpiresAt()
              + ", further out than commands.max.ttl ("
              + java.time.Duration.ofMillis(maxTtlMillis)
              + ") from now; is the issuer's clock ahead?";
    }
    if (malformed != null) {
      finish(c, CommandStatus.MALFORMED, malformed);
      return;
    }
    // The access map first: an issuer without rights learns nothing about which devices exist.
    String denial = access.denial(c.getIssuedBy(), c.getDeviceId(), c.getName());
    if (denial != null) {
      finish(c, CommandStatus.FORBIDDEN, denial);
      return;
    }
    if (directory.device(c.getDeviceId()) == null) {
      finish(
          c,
          CommandStatus.UNKNOWN_DEVICE,
          c.getDeviceId() + " is not registered in telemetry.devices");
      return;
    }
    if (now > c.getExpiresAt().toEpochMilli()) {
      finish(c, CommandStatus.EXPIRED, "expired at " + c.getExpiresAt() + " before it was read");
      return;
    }
    Pending p = new Pending(c);
    waiting.computeIfAbsent(c.getDeviceId(), d -> new ArrayDeque<>()).add(p);
    byExpiry.add(p);
    waitingCount.incrementAndGet();
    pump(c.getDeviceId());
  }

  /**
   * Lets {@code s} take the commands of {@code deviceId}, and delivers those waiting.
   *
   * @throws Refused UNKNOWN_COMMAND if {@code principal} may not act for {@code deviceId}
   */
  public synchronized void subscribe(Principal principal, String deviceId, Subscriber s) {
    if (!mayActFor(principal, deviceId)) {
      throw new Refused(
          Refusal.UNKNOWN_COMMAND,
          principal.deviceId()
              + " may take commands only for itself (or, a sink, for the sensors in its via list),"
              + " not for "
              + deviceId);
    }
    List<Subscriber> list = subscribers.computeIfAbsent(deviceId, d -> new ArrayList<>(1));
    list.remove(s);
    list.add(s);
    pump(deviceId);
  }

  /** Stops delivering to {@code s}: an unsubscribe, or its connection closed. */
  public synchronized void unsubscribe(String deviceId, Subscriber s) {
    List<Subscriber> list = subscribers.get(deviceId);
    if (list != null) {
      list.remove(s);
      if (list.isEmpty()) {
        subscribers.remove(deviceId);
      }
    }
  }

  /**
   * Takes a device's answer: {@code {"type":"response","id":...,"status":"ok"|"failed",
   * "details":{...},"reason":...}}. Completes once Kafka has the response.
   *
   * @throws Refused MALFORMED for a frame that is not a response; UNKNOWN_COMMAND for a command
   *     that was not delivered to a device {@code principal} acts for, or is answered already
   */
  public CompletableFuture<Void> respond(Principal principal, JsonObject frame) {
    return respond(principal, null, frame);
  }

  /**
   * As {@link #respond(Principal, JsonObject)}, for an answer that names its device ({@code
   * biometer/<device>/responses}): the command must be that device's.
   */
  public CompletableFuture<Void> respond(Principal principal, String device, JsonObject frame) {
    Commands.Answer a = Commands.answer(frame);
    Pending p;
    synchronized (this) {
      String answeredBy = answered.get(a.id());
      if (answeredBy != null && mayActFor(principal, answeredBy)) {
        // The same answer again (its acknowledgement was lost): Kafka has it; say so, as a replay
        // of a reading is acknowledged, so that an MQTT 3.1.1 device is not cut off for it.
        return CompletableFuture.completedFuture(null);
      }
      p = delivered.get(a.id());
      if (p != null && device != null && !device.equals(p.command.getDeviceId().toString())) {
        throw new Refused(
            Refusal.UNKNOWN_COMMAND,
            "command " + a.id() + " is for " + p.command.getDeviceId() + ", answered on " + device);
      }
      if (p == null || !mayActFor(principal, p.command.getDeviceId())) {
        throw new Refused(
            Refusal.UNKNOWN_COMMAND,
            "no command "
                + a.id()
                + " awaits an answer from "
                + principal.deviceId()
                + " (never delivered to it, or answered already)");
      }
      delivered.remove(a.id());
      answered.put(a.id(), p.command.getDeviceId().toString());
      answeredByTime.add(Map.entry(a.id(), clock.getAsLong()));
    }
    CommandResponse r =
        response(p.command, a.ok() ? CommandStatus.OK : CommandStatus.FAILED, a.reason());
    r.setDetails(new HashMap<>(a.details()));
    return sender
        .send(Topics.COMMAND_RESPONSES, p.command.getDeviceId(), r)
        .handle(
            (md, e) -> {
              if (e != null) {
                synchronized (this) {
                  answered.remove(a.id());
                  delivered.put(a.id(), p); // the device answers again when not acknowledged
                }
                throw new Refused(
                    Refusal.UNAVAILABLE,
                    "Kafka did not take the response to " + a.id() + " (" + e.getMessage() + ")");
              }
              metrics.command(r.getStatus().name());
              return null;
            });
  }

  /**
   * Writes a command a device issued ({@code POST /v1/commands}) to {@code telemetry.commands},
   * where it is routed like any other; completes once Kafka has it.
   */
  public CompletableFuture<Void> issue(DeviceCommand c) {
    return sender.send(Topics.COMMANDS, c.getDeviceId().toString(), c).thenApply(md -> null);
  }

  /**
   * Answers EXPIRED for every waiting command past its expiry, and forgets what is old. Called
   * every few hundred milliseconds.
   */
  public synchronized void tick() {
    long now = clock.getAsLong();
    List<Pending> undecided = new ArrayList<>();
    while (!byExpiry.isEmpty() && byExpiry.peek().expiresAt() < now) {
      Pending p = byExpiry.poll();
      if (p.finished) {
        continue;
      }
      if (p.inFlight) {
        undecided.add(p); // its DELIVERED write decides; if it fails, it expires on a later tick
        continue;
      }
      ArrayDeque<Pending> q = waiting.get(p.command.getDeviceId());
      if (q != null && q.remove(p)) {
        waitingCount.decrementAndGet();
        if (q.isEmpty()) {
          waiting.remove(p.command.getDeviceId());
        }
      }
      p.finished = true;
      finish(
          p.command,
          CommandStatus.EXPIRED,
          "expired at "
              + p.command.getExpiresAt()
              + "; "
              + p.command.getDeviceId()
              + (subscribers.containsKey(p.command.getDeviceId())
                  ? " was busy with the commands before it"
                  : " was not connected (no subscription to its commands)"));
    }
    byExpiry.addAll(undecided);
    // A DELIVERED write that failed left its command waiting: try again.
    for (String deviceId : new ArrayList<>(waiting.keySet())) {
      if (subscribers.containsKey(deviceId)) {
        pump(deviceId);
      }
    }
    long horizon = now - 2 * maxTtlMillis;
    while (!seenByTime.isEmpty() && seenByTime.peek().getValue() < horizon) {
      Map.Entry<String, Long> e = seenByTime.poll();
      seen.remove(e.getKey(), e.getValue());
    }
    while (!answeredByTime.isEmpty() && answeredByTime.peek().getValue() < now - maxTtlMillis) {
      answered.remove(answeredByTime.poll().getKey());
    }
    Iterator<Pending> it = delivered.values().iterator();
    while (it.hasNext()) {
      if (it.next().expiresAt() < now - maxTtlMillis) {
        it.remove(); // a device that never answered: DELIVERED stays its last word
      }
    }
  }

  /** Commands waiting for their device. */
  public int waiting() {
    return waitingCount.get();
  }

  /** Commands delivered and not answered yet. */
  public synchronized int awaitingAnswers() {
    return delivered.size();
  }

  /** Hands the head of {@code deviceId}'s queue to its newest open subscriber, if it has one. */
  private void pump(String deviceId) {
    if (stopping) {
      return;
    }
    ArrayDeque<Pending> q = waiting.get(deviceId);
    while (q != null && !q.isEmpty() && !q.peek().inFlight) {
      Pending p = q.peek();
      if (newest(deviceId) == null) {
        return;
      }
      Stop refusal = refusal(p);
      if (refusal != null) {
        drop(p, refusal);
        continue;
      }
      p.inFlight = true;
      if (p.recorded) {
        handOver(p);
        return;
      }
      recording++;
      sender
          .send(
              Topics.COMMAND_RESPONSES,
              deviceId,
              response(p.command, CommandStatus.DELIVERED, null))
          .whenComplete(
              (md, e) -> {
                synchronized (this) {
                  recording--;
                  notifyAll();
                  if (e != null) {
                    log.warn(
                        "command {} for {}: Kafka did not take its DELIVERED response ({}); it"
                            + " waits",
                        p.command.getCommandId(),
                        deviceId,
                        e.toString());
                    p.inFlight = false;
                    return; // the next subscription or answer tries again
                  }
                  p.recorded = true;
                  metrics.command(CommandStatus.DELIVERED.name());
                  // Checked again: the write may have taken long enough for either to change.
                  Stop late = refusal(p);
                  if (late != null) {
                    p.inFlight = false;
                    drop(p, late);
                    pump(deviceId);
                    return;
                  }
                  handOver(p);
                }
              });
      return;
    }
    if (q != null && q.isEmpty()) {
      waiting.remove(deviceId);
    }
  }

  /** A response that ends a waiting command: FORBIDDEN or EXPIRED, and why. */
  private record Stop(CommandStatus status, String reason) {}

  /** Why {@code p} may not be handed over now, or null. */
  private Stop refusal(Pending p) {
    String denial =
        access.denial(
            p.command.getIssuedBy().toString(),
            p.command.getDeviceId().toString(),
            p.command.getName().toString());
    if (denial != null) {
      return new Stop(CommandStatus.FORBIDDEN, denial + " (taken away while it waited)");
    }
    if (clock.getAsLong() > p.expiresAt()) {
      return new Stop(
          CommandStatus.EXPIRED,
          "expired at " + p.command.getExpiresAt() + " before it could be handed over");
    }
    return null;
  }

  /** Takes the head of its device's queue, {@code p}, out with the response {@code refusal}. */
  private void drop(Pending p, Stop refusal) {
    ArrayDeque<Pending> q = waiting.get(p.command.getDeviceId().toString());
    if (q != null && q.remove(p)) {
      waitingCount.decrementAndGet();
    }
    p.finished = true;
    finish(p.command, refusal.status(), refusal.reason());
  }

  /** Writes a recorded command to the device, or leaves it waiting if its connection went. */
  private void handOver(Pending p) {
    String deviceId = p.command.getDeviceId();
    Subscriber s = newest(deviceId);
    if (s == null) {
      p.inFlight = false; // recorded: the next subscription gets it without a second DELIVERED
      return;
    }
    ArrayDeque<Pending> q = waiting.get(deviceId);
    q.poll();
    waitingCount.decrementAndGet();
    p.finished = true;
    p.inFlight = false;
    delivered.put(p.command.getCommandId().toString(), p);
    s.deliver(Commands.frame(p.command), () -> returned(p));
    pump(deviceId);
  }

  /**
   * A recorded command whose connection closed before it could be written: first in its queue
   * again, for the next subscription, without a second DELIVERED.
   */
  private synchronized void returned(Pending p) {
    if (delivered.remove(p.command.getCommandId().toString()) == null) {
      return;
    }
    log.info(
        "command {} for {}: its connection closed before it was written; it waits again",
        p.command.getCommandId(),
        p.command.getDeviceId());
    p.finished = false;
    waiting
        .computeIfAbsent(p.command.getDeviceId().toString(), d -> new ArrayDeque<>())
        .addFirst(p);
    waitingCount.incrementAndGet();
    byExpiry.add(p);
    pump(p.command.getDeviceId().toString());
  }

  /**
   * Stops handing commands over (a gateway that stops): no new DELIVERED is written, and those in
   * flight are waited for (up to {@code timeout}) so that their commands reach their connections
   * before these close.
   */
  public synchronized void stop(java.time.Duration timeout) {
    stopping = true;
    long end = System.nanoTime() + timeout.toNanos();
    try {
      while (recording > 0 && System.nanoTime() < end) {
        wait(Math.max(1, (end - System.nanoTime()) / 1_000_000));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Subscriber newest(String deviceId) {
    List<Subscriber> list = subscribers.get(deviceId);
    if (list == null) {
      return null;
    }
    for (int i = list.size() - 1; i >= 0; i--) {
      Subscriber s = list.get(i);
      if (s.isOpen()) {
        return s;
      }
      list.remove(i);
    }
    subscribers.remove(deviceId);
    return null;
  }

  private boolean mayActFor(Principal principal, String deviceId) {
    if (principal.deviceId().equals(deviceId)) {
      return true;
    }
    Device relay = directory.device(principal.deviceId());
    return relay != null && relay.getKind() == DeviceKind.SINK && relay.getVia().contains(deviceId);
  }

  private void remember(String commandId) {
    long now = clock.getAsLong();
    seen.put(commandId, now);
    seenByTime.add(Map.entry(commandId, now));
  }

  private void finish(DeviceCommand c, CommandStatus status, String reason) {
    metrics.command(status.name());
    log.info("command {} for {}: {} ({})", c.getCommandId(), c.getDeviceId(), status, reason);
    sender
        .send(Topics.COMMAND_RESPONSES, key(c), response(c, status, reason))
        .whenComplete(
            (md, e) -> {
              if (e != null) {
                log.error(
                    "command {}: Kafka did not take its {} response ({})",
                    c.getCommandId(),
                    status,
                    e.toString());
              }
            });
  }

  private static String key(DeviceCommand c) {
    return c.getDeviceId() == null ? "" : c.getDeviceId();
  }

  private CommandResponse response(DeviceCommand c, CommandStatus status, String reason) {
    return CommandResponse.newBuilder()
        .setCommandId(c.getCommandId())
        .setDeviceId(key(c))
        .setName(c.getName() == null ? "" : c.getName())
        .setStatus(status)
        .setReason(reason)
        .setIssuedBy(c.getIssuedBy() == null ? "" : c.getIssuedBy())
        .setGateway(gatewayId)
        .setRespondedAt(Instant.ofEpochMilli(clock.getAsLong()))
        .build();
  }
}
