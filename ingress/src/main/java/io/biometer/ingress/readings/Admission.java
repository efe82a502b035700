package io.biometer.ingress.readings;

import io.biometer.Topics;
import io.biometer.avro.BodyReading;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.MeterReading;
import io.biometer.avro.Provenance;
import io.biometer.avro.RelayKind;
import io.biometer.catalog.SensorCatalog;
import io.biometer.catalog.SensorTypeSpec;
import io.biometer.ingress.IngressMetrics;
import io.biometer.ingress.Refusal;
import io.biometer.ingress.Refused;
import io.biometer.ingress.auth.Directory;
import io.biometer.ingress.auth.Principal;
import io.biometer.ingress.kafka.RecordSender;
import io.biometer.ingress.replay.ReplayGuard;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every front end does with a reading once it knows who sent it: the checks, then the record
 * to Kafka. In order:
 *
 * <ol>
 *   <li>the principal may speak for the claimed device: it is the device, or a sink whose registry
 *       entry lists the device in {@code via};
 *   <li>the device is registered and its channels are exactly its sensor type's;
 *   <li>{@code sentAt} is within the allowed skew of the gateway's clock;
 *   <li>(principal, device, sequence) was not accepted before ({@link ReplayGuard});
 *   <li>the device is within its rate (a replay, refused above, costs none).
 * </ol>
 *
 * The returned future completes when Kafka acknowledged the reading and then the updated replay
 * window, and fails with {@link Refused} otherwise. A reading Kafka did not take is released from
 * the window, so that the device's re-send is accepted. The window is written only after the
 * reading: a crash between the two leaves a reading in Kafka whose window does not hold it, so a
 * re-send after a restart is accepted again (a copy, which dedup removes), never refused unstored.
 */
public final class Admission {

  private static final Logger log = LoggerFactory.getLogger(Admission.class);

  private final Directory directory;
  private final ReplayGuard guard;
  private final RecordSender producer;
  private final IngressMetrics metrics;
  private final DeviceRateLimiter limiter;
  private final SensorCatalog catalog = SensorCatalog.standard();
  private final long skewMillis;
  private final java.util.Map<String, CompletableFuture<Void>> queuedWindows =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final LongSupplier clock;

  public Admission(
      Directory directory,
      ReplayGuard guard,
      RecordSender producer,
      IngressMetrics metrics,
      DeviceRateLimiter limiter,
      long skewMillis,
      LongSupplier clock) {
    this.directory = directory;
    this.guard = guard;
    this.producer = producer;
    this.metrics = metrics;
    this.limiter = limiter;
    this.skewMillis = skewMillis;
    this.clock = clock;
  }

  /**
   * Checks {@code r} and sends it.
   *
   * @param relayId what the record's provenance names as relay: the principal's device, or a
   *     meter's upload batch id
   */
  public CompletableFuture<Void> admit(
      Principal principal, DeviceReading r, String relayId, String protocol) {
    long arrived = System.nanoTime();
    String key;
    SpecificRecord record;
    String topic;
    try {
      Device device = permitted(principal, r.deviceId());
      check(device, r);
      long now = clock.getAsLong();
      if (Math.abs(r.sentAt() - now) > skewMillis) {
        throw new Refused(
            Refusal.CLOCK_SKEW,
            r.id()
                + ": sentAt "
                + Instant.ofEpochMilli(r.sentAt())
                + " is more than "
                + skewMillis / 1000
                + " s from the gateway's clock ("
                + Instant.ofEpochMilli(now)
                + "); set the device's clock");
      }
      key = ReplayGuard.key(principal.deviceId(), r.deviceId());
      // A replay is answered before the rate limit: it costs no write, and a device re-sending
      // what it was not told was delivered must not spend its rate on it.
      guard.reserve(key, r.deviceId(), r.sequence());
      if (!limiter.tryAcquire(r.deviceId())) {
        guard.release(key, r.sequence());
        throw new Refused(
            Refusal.RATE_LIMITED, r.id() + ": " + r.deviceId() + " sends too fast; retry later");
      }
      // A field's valve reports beside the field's meters; a room's fan beside the patient's body.
      boolean meter =
          device.getKind() == DeviceKind.SOIL_METER
              || device.getSensorType() == io.biometer.avro.SensorType.VALVE;
      topic = meter ? Topics.METER_READINGS : Topics.BODY_READINGS;
      record = meter ? meterReading(device, r, relayId, now) : bodyReading(device, r, relayId, now);
    } catch (Refused e) {
      metrics.refused(protocol, e.reason());
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<?> sent;
    try {
      sent = producer.send(topic, r.deviceId(), record);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    String k = key;
    // The window is stored only after Kafka has the reading: a window stored without its reading
    // would make a crashed gateway answer the device's re-send as a replay, and lose the reading.
    return sent.handle(
            (md, e) -> {
              if (e != null) {
                guard.release(k, r.sequence());
                throw unavailable(protocol, r, "it", e);
              }
              guard.commit(k, r.sequence());
              return md;
            })
        .thenCompose(md -> storeWindow(k))
        .handle(
            (md, e) -> {
              if (e != null) {
                Throwable cause =
                    e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
                if (cause instanceof Refused refused) {
                  throw refused;
                }
                // Kafka has the reading; only its window was not stored. The device's re-send is
                // answered as a replay by this gateway, which still has the window in memory.
                throw unavailable(protocol, r, "its replay window", cause);
              }
              metrics.accepted(protocol);
              metrics.ackNanos(protocol, System.nanoTime() - arrived);
              return null;
            });
  }

  /**
   * Writes the window {@code key} to telemetry.ingress.replay. Readings of one window acknowledged
   * close together share one write: a write not yet begun takes the window as it is when it begins,
   * which holds every sequence committed before.
   */
  private CompletableFuture<?> storeWindow(String key) {
    CompletableFuture<Void> mine = new CompletableFuture<>();
    CompletableFuture<Void> queued = queuedWindows.putIfAbsent(key, mine);
    if (queued != null) {
      return queued;
    }
    producer
        .sendLater(
            Topics.INGRESS_REPLAY,
            key,
            () -> {
              queuedWindows.remove(key, mine);
              return guard.snapshot(key);
            })
        .whenComplete(
            (md, e) -> {
              queuedWindows.remove(key, mine);
              if (e != null) {
                mine.completeExceptionally(e);
              } else {
                mine.complete(null);
              }
            });
    return mine;
  }

  private Refused unavailable(String protocol, DeviceReading r, String what, Throwable e) {
    Throwable cause = e.getCause() != null && !(e instanceof Refused) ? e.getCause() : e;
    metrics.refused(protocol, Refusal.UNAVAILABLE);
    log.warn("Kafka did not take {} of {}: {}", what, r.id(), cause.toString());
    return new Refused(
        Refusal.UNAVAILABLE,
        r.id()
            + ": Kafka did not acknowledge "
            + what
            + " ("
            + cause.getMessage()
            + "); send again");
  }

  /** The registry entry of {@code deviceId}, if {@code principal} may send its readings. */
  Device permitted(Principal principal, String deviceId) {
    if (!principal.deviceId().equals(deviceId)) {
      Device relay = directory.device(principal.deviceId());
      if (relay == null
          || relay.getKind() != DeviceKind.SINK
          || !relay.getVia().contains(deviceId)) {
        throw new Refused(
            Refusal.NOT_PERMITTED,
            principal.deviceId()
                + " may not send readings of "
                + deviceId
                + (relay != null && relay.getKind() == DeviceKind.SINK
                    ? " (not in its via list)"
                    : " (only a sink relays for other devices)"));
      }
    }
    Device d = directory.device(deviceId);
    if (d == null) {
      throw new Refused(
          Refusal.UNKNOWN_DEVICE, deviceId + " is not registered in telemetry.devices");
    }
    if (d.getKind() != DeviceKind.BODY_SENSOR
        && d.getKind() != DeviceKind.SOIL_METER
        && d.getKind() != DeviceKind.ACTUATOR) {
      throw new Refused(
          Refusal.NOT_PERMITTED, deviceId + " is a " + d.getKind() + ", which measures nothing");
    }
    return d;
  }

  private void check(Device d, DeviceReading r) {
    if (d.getSensorType() == null || !catalog.contains(d.getSensorType())) {
      throw new Refused(
          Refusal.UNKNOWN_FIELD,
          r.id() + ": " + d.getDeviceId() + " has no sensor type the catalogue knows");
    }
    SensorTypeSpec spec = catalog.spec(d.getSensorType());
    for (String channel : r.values().keySet()) {
      if (spec.channel(channel).isEmpty()) {
        throw new Refused(
            Refusal.UNKNOWN_FIELD,
            r.id()
                + ": unknown channel '"
                + channel
                + "' for "
                + d.getSensorType()
                + "; channels: "
                + spec.channelNames());
      }
    }
    if (r.values().size() != spec.channels().size()) {
      throw new Refused(
          Refusal.MALFORMED,
          r.id() + ": " + d.getSensorType() + " needs every channel of " + spec.channelNames());
    }
  }

  private static List<ChannelValue> values(DeviceReading r) {
    List<ChannelValue> out = new ArrayList<>(r.values().size());
    r.values().forEach((c, v) -> out.add(new ChannelValue(c, v)));
    return out;
  }

  private static BodyReading bodyReading(Device d, DeviceReading r, String relayId, long now) {
    return BodyReading.newBuilder()
        .setDeviceId(r.deviceId())
        .setPatientId(d.getOwnerId())
        .setSensorType(d.getSensorType())
        .setSequence(r.sequence())
        .setEventTime(Instant.ofEpochMilli(r.eventTime()))
        .setValues(values(r))
        .setBatteryPercent(r.batteryPercent())
        .setProvenance(new Provenance(RelayKind.SINK, relayId, Instant.ofEpochMilli(now), false))
        .build();
  }

  private static MeterReading meterReading(Device d, DeviceReading r, String relayId, long now) {
    return MeterReading.newBuilder()
        .setDeviceId(r.deviceId())
        .setSiteId(d.getOwnerId())
        .setSensorType(d.getSensorType())
        .setSequence(r.sequence())
        .setEventTime(Instant.ofEpochMilli(r.eventTime()))
        .setValues(values(r))
        .setBatteryPercent(r.batteryPercent())
        .setProvenance(
            new Provenance(RelayKind.UPLOAD_BATCH, relayId, Instant.ofEpochMilli(now), false))
        .build();
  }
}
