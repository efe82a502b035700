package io.biometer.bench;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Many MQTT devices on one Vert.x instance: Vert.x's event-loop {@link MqttClient} (MQTT 3.1.1), a
 * connection each, no thread per connection. Each device's client, its in-flight messages and its
 * timers live on the event loop it connected on. It connects them all (the set-up rate), then runs
 * them flat out (each keeps {@code inFlight} QoS 1 messages unacknowledged and sends the next on
 * each PUBACK) or paced (each sends on a timer of its own, the fleet's sends spread evenly over the
 * period). Publish-to-PUBACK latency is measured per message from the publish call to the PUBACK,
 * for messages sent inside a measuring window.
 *
 * <p>For the commands bench the devices also take commands ({@link #subscribeToCommands}): each
 * subscribes to its {@code biometer/<device>/commands} at QoS 1, tells a {@link CommandReceiver}
 * the moment its client gets a command, and answers it at once on {@code
 * biometer/<device>/responses}, QoS 1, {@code {"type":"response","id":...,"status":"ok"}}.
 */
final class MqttFleet implements AutoCloseable {

  /** Connections being set up at once. */
  static final int CONNECTING_AT_ONCE = 256;

  /** The keep-alive the devices declare, seconds (the gateway requires one). */
  static final int KEEP_ALIVE_SECONDS = 60;

  private final Vertx vertx;
  private final List<Context> loops;
  private final int port;
  private final List<Dev> devices = new ArrayList<>();
  private final LongAdder acked = new LongAdder();
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong unexpectedCloses = new AtomicLong();
  private final AtomicLong publishFailures = new AtomicLong();
  private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
  private final Recorder latency = new Recorder(3);
  private volatile boolean flatOut;
  private volatile int window = 1;
  private volatile long measureFrom = Long.MAX_VALUE;
  private volatile long measureUntil = Long.MAX_VALUE;
  private volatile CommandReceiver receiver;
  private final LongAdder commandsReceived = new LongAdder();
  private final LongAdder answersAcked = new LongAdder();
  private final AtomicLong answersFailed = new AtomicLong();

  /** One device's client and its messages in flight (touched on its event loop only). */
  private static final class Dev {
    final IngressDevices.Device device;
    MqttClient client;
    Context context;
    boolean closing;
    int outstanding;
    long timer = -1;
    final Map<Integer, Long> sent = new HashMap<>();
    final Map<Integer, Long> ackedBeforeSent = new HashMap<>();
    final java.util.Set<Integer> answers = new java.util.HashSet<>();

    Dev(IngressDevices.Device device) {
      this.device = device;
    }
  }

  /** Told of every command a device's client gets. */
  interface CommandReceiver {
    /**
     * Device {@code deviceId} got command {@code commandId} at {@code nanoTime} ({@link
     * System#nanoTime()}, taken as the client handed the message over); on its event loop.
     */
    void command(String deviceId, String commandId, long nanoTime);
  }

  /** What {@link #subscribeToCommands} did. */
  record Subscribed(int subscribed, int failed, double seconds, String firstError) {}

  /** What {@link #connect} did. */
  record Connected(int connections, int failed, double seconds, String firstError) {

    /** Connections set up per second. */
    double rate() {
      return connections / seconds;
    }
  }

  /**
   * @param loops contexts on distinct event loops: the devices are spread over them (a context made
   *     outside Vert.x sticks to one event loop for its thread)
   */
  MqttFleet(Vertx vertx, List<Context> loops, int port) {
    this.vertx = vertx;
    this.loops = loops;
    this.port = port;
  }

  /**
   * Connects {@code toConnect}, {@link #CONNECTING_AT_ONCE} at a time, from the first CONNECT to
   * the last CONNACK; a device that fails to connect is left out of the fleet and counted.
   */
  Connected connect(List<IngressDevices.Device> toConnect, Duration timeout) throws Exception {
    Semaphore permits = new Semaphore(CONNECTING_AT_ONCE);
    CountDownLatch done = new CountDownLatch(toConnect.size());
    AtomicLong failed = new AtomicLong();
    AtomicLong last = new AtomicLong();
    ConcurrentLinkedQueue<Dev> ok = new ConcurrentLinkedQueue<>();
    long t0 = System.nanoTime();
    long end = t0 + timeout.toNanos();
    int next = 0;
    for (IngressDevices.Device d : toConnect) {
      Context loop = loops.get(next++ % loops.size());
      if (!permits.tryAcquire(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        throw new IllegalStateException(
            "connecting "
                + toConnect.size()
                + " MQTT devices took longer than "
                + timeout.toSeconds()
                + " s; "
                + ok.size()
                + " connected");
      }
      Dev dev = new Dev(d);
      MqttClient c =
          MqttClient.create(
              vertx,
              new MqttClientOptions()
                  .setClientId(d.id)
                  .setUsername(d.id)
                  .setPassword(d.password)
                  .setKeepAliveInterval(KEEP_ALIVE_SECONDS)
                  .setMaxInflightQueue(100)
                  .setCleanSession(true));
      dev.client = c;
      c.publishCompletionHandler(id -> acked(dev, id));
      c.closeHandler(
          v -> {
            if (!dev.closing) {
              unexpectedCloses.incrementAndGet();
            }
          });
      c.exceptionHandler(e -> note("client " + d.id + ": " + e));
      loop.runOnContext(
          v ->
              c.connect(port, "127.0.0.1")
                  .onComplete(
                      r -> {
                        if (r.succeeded()) {
                          dev.context = Vertx.currentContext();
                          ok.add(dev);
                        } else {
                          failed.incrementAndGet();
                          note("connect " + d.id + ": " + r.cause());
                        }
                        last.set(System.nanoTime());
                        permits.release();
                        done.countDown();
                      }));
    }
    if (!done.await(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
      throw new IllegalStateException(
          "connecting "
              + toConnect.size()
              + " MQTT devices took longer than "
              + timeout.toSeconds()
              + " s; "
              + ok.size()
              + " connected");
    }
    devices.addAll(ok);
    return new Connected(ok.size(), (int) failed.get(), (last.get() - t0) / 1e9, errors.peek());
  }

  private void note(String error) {
    if (errors.size() < 20) {
      errors.add(error);
    }
  }

  /** The devices connected now. */
  int size() {
    return devices.size();
  }

  /** PUBACKs so far. */
  long acked() {
    return acked.sum();
  }

  /** Connections the gateway closed (a refused message closes an MQTT 3.1.1 connection). */
  long unexpectedCloses() {
    return unexpectedCloses.get();
  }

  /** Publishes the client refused (its own in-flight limit) or could not write. */
  long publishFailures() {
    return publishFailures.get();
  }

  /** The first errors the clients reported, for a failure message. */
  List<String> errors() {
    return List.copyOf(errors);
  }

  /**
   * Subscribes every device to its commands topic at QoS 1, {@link #CONNECTING_AT_ONCE} at a time,
   * from the first SUBSCRIBE to the last SUBACK; from then on each device tells {@code to} of every
   * command it gets and answers it "ok". A subscription the gateway refuses (a SUBACK of 0x80, or a
   * QoS below 1) is counted as failed.
   */
  Subscribed subscribeToCommands(CommandReceiver to, Duration timeout) throws Exception {
    receiver = to;
    Semaphore permits = new Semaphore(CONNECTING_AT_ONCE);
    CountDownLatch done = new CountDownLatch(devices.size());
    AtomicLong failed = new AtomicLong();
    AtomicLong last = new AtomicLong();
    ConcurrentLinkedQueue<String> firstErrors = new ConcurrentLinkedQueue<>();
    long t0 = System.nanoTime();
    long end = t0 + timeout.toNanos();
    for (Dev d : devices) {
      if (!permits.tryAcquire(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        throw new IllegalStateException(
            "subscribing "
                + devices.size()
                + " MQTT devices to their commands took longer than "
                + timeout.toSeconds()
                + " s; "
                + (devices.size() - done.getCount())
                + " answered");
      }
      d.context.runOnContext(
          v -> {
            d.client.publishHandler(m -> command(d, m));
            d.client.subscribeCompletionHandler(
                ack -> {
                  int qos = ack.grantedQoSLevels().isEmpty() ? 0x80 : ack.grantedQoSLevels().get(0);
                  if (qos != MqttQoS.AT_LEAST_ONCE.value()) {
                    failed.incrementAndGet();
                    String e = "subscribe " + d.device.commands + ": granted " + qos;
                    firstErrors.add(e);
                    note(e);
                  }
                  last.set(System.nanoTime());
                  permits.release();
                  done.countDown();
                });
            d.client
                .subscribe(d.device.commands, MqttQoS.AT_LEAST_ONCE.value())
                .onFailure(
                    e -> {
                      failed.incrementAndGet();
                      firstErrors.add("subscribe " + d.device.commands + ": " + e);
                      note("subscribe " + d.device.commands + ": " + e);
                      permits.release();
                      done.countDown();
                    });
          });
    }
    if (!done.await(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
      throw new IllegalStateException(
          "subscribing "
              + devices.size()
              + " MQTT devices to their commands took longer than "
              + timeout.toSeconds()
              + " s; "
              + (devices.size() - done.getCount())
              + " answered");
    }
    int n = devices.size() - (int) failed.get();
    return new Subscribed(n, (int) failed.get(), (last.get() - t0) / 1e9, firstErrors.peek());
  }

  /** A command came: the receiver is told first, then the device answers "ok". */
  private void command(Dev d, io.vertx.mqtt.messages.MqttPublishMessage m) {
    long now = System.nanoTime();
    commandsReceived.increment();
    String id;
    try {
      id = m.payload().toJsonObject().getString("id");
    } catch (RuntimeException e) {
      note("command to " + d.device.id + " is not a command frame: " + e);
      return;
    }
    CommandReceiver r = receiver;
    if (r != null) {
      r.command(d.device.id, id, now);
    }
    io.vertx.core.buffer.Buffer answer =
        new io.vertx.core.json.JsonObject()
            .put("type", "response")
            .put("id", id)
            .put("status", "ok")
            .toBuffer();
    d.client
        .publish(d.device.responses, answer, MqttQoS.AT_LEAST_ONCE, false, false)
        .onComplete(
            p -> {
              if (p.failed()) {
                answersFailed.incrementAndGet();
                note("answer of " + d.device.id + ": " + p.cause());
              } else if (d.ackedBeforeSent.remove(p.result()) != null) {
                answersAcked.increment();
              } else {
                d.answers.add(p.result());
              }
            });
  }

  /** Commands the devices got. */
  long commandsReceived() {
    return commandsReceived.sum();
  }

  /** Answers the gateway acknowledged (its PUBACK comes once Kafka has the response). */
  long answersAcked() {
    return answersAcked.sum();
  }

  /** Answers the clients could not send. */
  long answersFailed() {
    return answersFailed.get();
  }

  /** Every device keeps {@code perDevice} messages unacknowledged until {@link #stop}. */
  void startFlatOut(int perDevice) {
    window = perDevice;
    flatOut = true;
    for (Dev d : devices) {
      d.context.runOnContext(
          v -> {
            for (int i = 0; i < perDevice; i++) {
              publish(d);
            }
          });
    }
  }

  /**
   * Every device sends on a timer of its own, {@code rate} messages/s in all, the first sends
   * spread evenly over one period. Returns the rate actually offered (the period is whole
   * milliseconds).
   */
  double startPaced(double rate) {
    int n = devices.size();
    long period = Math.max(1, Math.round(1000.0 * n / rate));
    for (int i = 0; i < n; i++) {
      Dev d = devices.get(i);
      long offset = 1 + (long) i * period / n;
      d.context.runOnContext(
          v ->
              d.timer =
                  vertx.setTimer(
                      offset,
                      t -> {
                        publish(d);
                        d.timer = vertx.setPeriodic(period, p -> publish(d));
                      }));
    }
    return n * 1000.0 / period;
  }

  /** Stops sending (flat out or paced) and waits up to {@code timeout} for the last PUBACKs. */
  long stop(Duration timeout) {
    flatOut = false;
    CountDownLatch cancelled = new CountDownLatch(devices.size());
    for (Dev d : devices) {
      d.context.runOnContext(
          v -> {
            if (d.timer >= 0) {
              vertx.cancelTimer(d.timer);
              d.timer = -1;
            }
            cancelled.countDown();
          });
    }
    long end = System.nanoTime() + timeout.toNanos();
    try {
      cancelled.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    while (inFlight.get() > 0 && System.nanoTime() < end) {
      LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
    }
    return inFlight.get();
  }

  /** Counts latencies of messages sent from now on; forgets those counted before. */
  void measureFromNow() {
    latency.reset();
    measureUntil = Long.MAX_VALUE;
    measureFrom = System.nanoTime();
  }

  /** Stops counting messages sent from now on (their PUBACKs still come in). */
  void measureUntilNow() {
    measureUntil = System.nanoTime();
  }

  /** The latencies counted since {@link #measureFromNow}, in microseconds. */
  Histogram latencies() {
    return latency.getIntervalHistogram();
  }

  private void publish(Dev d) {
    if (!d.client.isConnected()) {
      return;
    }
    long t = System.nanoTime();
    inFlight.incrementAndGet();
    d.outstanding++;
    d.client
        .publish(d.device.topic, d.device.json(), MqttQoS.AT_LEAST_ONCE, false, false)
        .onComplete(
            r -> {
              if (r.failed()) {
                inFlight.decrementAndGet();
                d.outstanding--;
                publishFailures.incrementAndGet();
                note("publish " + d.device.id + ": " + r.cause());
                return;
              }
              Long ackedAt = d.ackedBeforeSent.remove(r.result());
              if (ackedAt != null) {
                done(d, t, ackedAt);
              } else {
                d.sent.put(r.result(), t);
              }
            });
  }

  private void acked(Dev d, int packetId) {
    long now = System.nanoTime();
    if (d.answers.remove(packetId)) {
      answersAcked.increment();
      return;
    }
    Long t = d.sent.remove(packetId);
    if (t == null) {
      // The PUBACK overtook the completion of the write that sent the message.
      d.ackedBeforeSent.put(packetId, now);
      return;
    }
    done(d, t, now);
  }

  private void done(Dev d, long sentAt, long ackedAt) {
    inFlight.decrementAndGet();
    d.outstanding--;
    acked.increment();
    if (sentAt >= measureFrom && sentAt < measureUntil) {
      latency.recordValue(Math.max(1, (ackedAt - sentAt) / 1000));
    }
    if (flatOut && d.outstanding < window) {
      publish(d);
    }
  }

  /** Disconnects every device, {@link #CONNECTING_AT_ONCE} at a time. */
  @Override
  public void close() {
    Semaphore permits = new Semaphore(CONNECTING_AT_ONCE);
    CountDownLatch done = new CountDownLatch(devices.size());
    for (Dev d : devices) {
      try {
        permits.tryAcquire(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      d.context.runOnContext(
          v -> {
            d.closing = true;
            d.client
                .disconnect()
                .onComplete(
                    r -> {
                      permits.release();
                      done.countDown();
                    });
          });
    }
    try {
      done.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    devices.clear();
  }
}
