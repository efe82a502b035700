package io.biometer.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Devices posting batches to {@code POST /v1/readings} over keep-alive connections of one Vert.x
 * HTTP client: flat out (each of {@code connections} senders posts its next batch when the last is
 * answered, each sender for devices of its own), or paced (a batch every few milliseconds, from
 * when it was due to its answer). A batch counts when the gateway answers 200 with every reading
 * accepted, which it does only once Kafka has them all.
 */
final class HttpBatches implements AutoCloseable {

  private final Vertx vertx;
  private final List<Context> loops;
  private final HttpClientAgent client;
  private final int port;
  private final List<IngressDevices.Device> devices;
  private final int connections;
  private final int batch;
  private final LongAdder accepted = new LongAdder();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();
  private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
  private final Recorder latency = new Recorder(3);
  private volatile boolean running;
  private volatile long measureFrom = Long.MAX_VALUE;
  private volatile long measureUntil = Long.MAX_VALUE;

  /**
   * @param loops contexts on distinct event loops, over which the senders are spread
   */
  HttpBatches(
      Vertx vertx,
      List<Context> loops,
      int port,
      List<IngressDevices.Device> devices,
      int connections,
      int batch) {
    this.vertx = vertx;
    this.loops = loops;
    this.port = port;
    this.devices = devices;
    this.connections = connections;
    this.batch = batch;
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setIdleTimeout(0),
            new PoolOptions().setHttp1MaxSize(connections));
  }

  /** Readings the gateway accepted so far. */
  long accepted() {
    return accepted.sum();
  }

  /** Batches that were not answered 200 with every reading accepted. */
  long failed() {
    return failed.get();
  }

  /** The first errors, for a failure message. */
  List<String> errors() {
    return List.copyOf(errors);
  }

  /** Starts {@code connections} senders flat out until {@link #stop}. */
  void startFlatOut() {
    running = true;
    for (int w = 0; w < connections; w++) {
      List<IngressDevices.Device> own = new ArrayList<>();
      for (int i = w; i < devices.size(); i += connections) {
        own.add(devices.get(i));
      }
      loops.get(w % loops.size()).runOnContext(v -> loop(own, 0));
    }
  }

  private void loop(List<IngressDevices.Device> own, int next) {
    if (!running) {
      return;
    }
    long due = System.nanoTime();
    post(own.get(next), due).onComplete(r -> loop(own, (next + 1) % own.size()));
  }

  /**
   * Posts a batch every {@code period} so that {@code readingsPerSecond} readings go in all, each
   * from the next device not waiting for an answer; returns the rate offered.
   */
  double startPaced(double readingsPerSecond) {
    running = true;
    double batchesPerSecond = readingsPerSecond / batch;
    long periodMs = Math.max(1, Math.round(1000 / Math.min(1000, batchesPerSecond)));
    AtomicBoolean[] busy = new AtomicBoolean[devices.size()];
    for (int i = 0; i < busy.length; i++) {
      busy[i] = new AtomicBoolean();
    }
    long start = System.nanoTime();
    long[] state = {0, 0}; // batches due so far, next device
    loops
        .get(0)
        .runOnContext(
            v ->
                vertx.setPeriodic(
                    periodMs,
                    id -> {
                      if (!running) {
                        vertx.cancelTimer(id);
                        return;
                      }
                      long now = System.nanoTime();
                      long dueSoFar = (long) ((now - start) / 1e9 * batchesPerSecond);
                      for (; state[0] < dueSoFar; state[0]++) {
                        long due = start + (long) (state[0] * 1e9 / batchesPerSecond);
                        for (int k = 0; k < busy.length; k++) {
                          int i = (int) (state[1]++ % busy.length);
                          if (busy[i].compareAndSet(false, true)) {
                            post(devices.get(i), due).onComplete(r -> busy[i].set(false));
                            break;
                          }
                        }
                      }
                    }));
    return batchesPerSecond * batch;
  }

  /** Stops sending and waits up to {@code timeout} for the last answers; returns those missing. */
  long stop(Duration timeout) {
    running = false;
    long end = System.nanoTime() + timeout.toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < end) {
      LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
    }
    return inFlight.get();
  }

  /** Counts latencies of batches due from now on; forgets those counted before. */
  void measureFromNow() {
    latency.reset();
    measureUntil = Long.MAX_VALUE;
    measureFrom = System.nanoTime();
  }

  /** Stops counting batches due from now on. */
  void measureUntilNow() {
    measureUntil = System.nanoTime();
  }

  /** Due-to-answer latencies since {@link #measureFromNow}, microseconds. */
  Histogram latencies() {
    return latency.getIntervalHistogram();
  }

  private Future<Void> post(IngressDevices.Device d, long due) {
    inFlight.incrementAndGet();
    return client
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost("127.0.0.1")
                .setPort(port)
                .setURI("/v1/readings")
                .putHeader(HttpHeaders.AUTHORIZATION, d.basic)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json"))
        .compose(req -> req.send(d.batch(batch)))
        .compose(resp -> resp.body().map(body -> new Object[] {resp.statusCode(), body}))
        .<Void>map(
            a -> {
              long now = System.nanoTime();
              int status = (int) a[0];
              String body = a[1].toString();
              long ok = status == 200 ? new JsonObject(body).getLong("accepted", 0L) : 0;
              if (status != 200 || ok != batch) {
                failed.incrementAndGet();
                note(d.id + ": " + status + " " + body);
              } else {
                accepted.add(ok);
                if (due >= measureFrom && due < measureUntil) {
                  latency.recordValue(Math.max(1, (now - due) / 1000));
                }
              }
              return null;
            })
        .otherwise(
            e -> {
              failed.incrementAndGet();
              note(d.id + ": " + e);
              return null;
            })
        .onComplete(r -> inFlight.decrementAndGet());
  }

  private void note(String error) {
    if (errors.size() < 20) {
      errors.add(error);
    }
  }

  @Override
  public void close() {
    try {
      client.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing at the end of the bench: nothing left to measure
    }
  }
}
