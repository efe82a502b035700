package io.biometer.simulator.gateway;

import io.biometer.ingress.readings.DeviceReading;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A gateway in a test's hands: records every connect and message, and answers what the test says.
 * By default a connect succeeds at once and messages wait for {@link Sent#answer}.
 */
final class FakeTransport implements Transport {

  /** A connection attempt. */
  record Connect(String deviceId, String password) {}

  /** A message sent, waiting for its answer. */
  final class Sent {
    final FakeLink link;
    final List<DeviceReading> readings;
    final Promise<List<Answer>> promise = Promise.promise();

    Sent(FakeLink link, List<DeviceReading> readings) {
      this.link = link;
      this.readings = readings;
    }

    void answer(Answer a) {
      promise.tryComplete(Wire.all(readings.size(), a));
    }

    void answer(List<Answer> answers) {
      promise.tryComplete(answers);
    }

    List<String> ids() {
      return readings.stream().map(DeviceReading::id).toList();
    }
  }

  /** One connection. */
  final class FakeLink implements Link {
    final String deviceId;
    final Consumer<Link> onClosed;
    boolean open = true;

    FakeLink(String deviceId, Consumer<Link> onClosed) {
      this.deviceId = deviceId;
      this.onClosed = onClosed;
    }

    @Override
    public Future<List<Answer>> send(List<DeviceReading> readings) {
      Sent s = new Sent(this, readings);
      if (!open) {
        s.promise.fail(new Wire.ConnectionLost("closed"));
      } else {
        sent.add(s);
      }
      return s.promise.future();
    }

    /** The gateway ends the connection: every unanswered message fails. */
    void drop() {
      if (!open) {
        return;
      }
      open = false;
      for (Sent s : sent) {
        if (s.link == this) {
          s.promise.tryFail(new Wire.ConnectionLost("dropped"));
        }
      }
      onClosed.accept(this);
    }

    @Override
    public void close() {
      drop();
    }
  }

  final List<Connect> connects = new ArrayList<>();
  final List<Sent> sent = new ArrayList<>();
  final List<FakeLink> links = new ArrayList<>();
  boolean loginOnConnect = true;
  int maxMessagesInFlight = Integer.MAX_VALUE;
  boolean mixedBatches = true;

  /** What a connect of a device returns; null for a link at once. */
  Function<Connect, Throwable> refuse = c -> null;

  @Override
  public Future<Link> connect(String deviceId, String password, Consumer<Link> onClosed) {
    Connect c = new Connect(deviceId, password);
    connects.add(c);
    Throwable t = refuse.apply(c);
    if (t != null) {
      return Future.failedFuture(t);
    }
    FakeLink l = new FakeLink(deviceId, onClosed);
    links.add(l);
    return Future.succeededFuture(l);
  }

  @Override
  public boolean loginOnConnect() {
    return loginOnConnect;
  }

  @Override
  public int maxMessagesInFlight() {
    return maxMessagesInFlight;
  }

  @Override
  public boolean mixedBatches() {
    return mixedBatches;
  }

  @Override
  public void close() {}

  /** Messages not answered yet, oldest first. */
  List<Sent> unanswered() {
    return sent.stream().filter(s -> !s.promise.future().isComplete()).toList();
  }

  /** The last link opened. */
  FakeLink link() {
    return links.get(links.size() - 1);
  }

  /** Answers every unanswered message with {@code a}. */
  void answerAll(Answer a) {
    unanswered().forEach(s -> s.answer(a));
  }
}
