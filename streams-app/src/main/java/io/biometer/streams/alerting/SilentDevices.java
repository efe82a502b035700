package io.biometer.streams.alerting;

import io.biometer.avro.Alert;
import io.biometer.avro.AlertKind;
import io.biometer.avro.CleanReading;
import io.biometer.avro.ConnectionEvent;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.SensorType;
import io.biometer.avro.Severity;
import io.biometer.catalog.SensorCatalog;
import io.biometer.streams.PipelineMetrics;
import io.biometer.streams.StreamsAppConfig;
import io.biometer.streams.internal.DeviceCache;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The silent-device step: raises DEVICE_SILENT for a device from which no reading arrived for
 * {@code alerts.silent.factor} times its cadence (meters: {@code alerts.silent.meter.after.ms});
 * the device's next reading clears it. Silence is measured in WALL-CLOCK time, on purpose: a device
 * is silent when nothing arrives, which no event time shows. A wall-clock punctuator looks for
 * silent devices every {@code alerts.silent.check.interval.ms}. When each device was last heard of
 * is kept in a changelogged store ({@value #LAST_SEEN_STORE}). Input keyed by device id; output
 * keyed by device id.
 *
 * <p>A RAISED alert says whether the device is connected to the ingress gateway but quiet, or
 * disconnected, or neither (never seen by the gateway): {@code Alert.connection} and the end of the
 * message, from the latest connection events of the device and of the sinks that relay for it
 * ({@code Device.via}), in the global store of {@code telemetry.connections} ({@link
 * SilentConnection}).
 */
public final class SilentDevices {

  public static final String NODE = "silent-devices";
  public static final String LAST_SEEN_STORE = "last-seen-store";

  /** The {@code Alert.rule} id of DEVICE_SILENT alerts. */
  public static final String RULE = "device.silent";

  private SilentDevices() {}

  public static KStream<String, Alert> apply(
      StreamsBuilder builder,
      KStream<String, CleanReading> readings,
      StreamsAppConfig config,
      PipelineMetrics metrics,
      String devicesStore,
      String connectionsStore) {
    builder.addStateStore(
        lastSeenStore(Stores.persistentKeyValueStore(LAST_SEEN_STORE)).withCachingEnabled());
    return readings.process(
        () -> new SilentDevicesProcessor(config, metrics, devicesStore, connectionsStore),
        Named.as(NODE),
        LAST_SEEN_STORE);
  }

  /**
   * The builder of the step's store over {@code supplier} (persistent in the topology; tests pass
   * an in-memory one), with the store's key and value serdes.
   */
  public static StoreBuilder<? extends StateStore> lastSeenStore(
      KeyValueBytesStoreSupplier supplier) {
    return Stores.keyValueStoreBuilder(
        supplier, Serdes.String(), new LastSeenSerde(supplier.name()));
  }

  /** The processor alone, for tests that drive it directly (a restart over a kept store). */
  public static Processor<String, CleanReading, String, Alert> processor(
      StreamsAppConfig config,
      PipelineMetrics metrics,
      String devicesStore,
      String connectionsStore) {
    return new SilentDevicesProcessor(config, metrics, devicesStore, connectionsStore);
  }

  private static final class SilentDevicesProcessor
      implements Processor<String, CleanReading, String, Alert> {
    private final PipelineMetrics metrics;
    private final PipelineMetrics.Latency latency;
    private final String devicesStoreName;
    private final String connectionsStoreName;
    private final long lateAfter;
    private final double silentFactor;
    private final long meterSilentAfter;
    private final long checkInterval;
    private final long cacheMs;
    private final SensorCatalog catalog = SensorCatalog.standard();
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, LastSeen> lastSeen;
    private DeviceCache devices;
    private TimestampedKeyValueStore<String, ConnectionEvent> connections;
    // Last-seen times of this task's devices, a copy of the store reloaded on every init (which
    // also follows a restore); written to the store when a flag changes or at most once a second
    // per device, so a restart loses at most a second of it.
    private final Map<String, LastSeen> seenDevices = new HashMap<>();

    SilentDevicesProcessor(
        StreamsAppConfig config,
        PipelineMetrics metrics,
        String devicesStore,
        String connectionsStore) {
      AlertsConfig alerts = config.alerts();
      this.metrics = metrics;
      this.latency = metrics.latency("alert");
      this.devicesStoreName = devicesStore;
      this.connectionsStoreName = connectionsStore;
      this.lateAfter = alerts.lateAfterMs();
      this.silentFactor = alerts.silentFactor();
      this.meterSilentAfter = alerts.silentMeterAfterMs();
      this.checkInterval = alerts.silentCheckIntervalMs();
      this.cacheMs = config.registryCacheMs();
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
      this.context = context;
      this.lastSeen = context.getStateStore(LAST_SEEN_STORE);
      TimestampedKeyValueStore<String, Device> store = context.getStateStore(devicesStoreName);
      this.devices = new DeviceCache(store, cacheMs);
      this.connections = context.getStateStore(connectionsStoreName);
      seenDevices.clear();
      try (KeyValueIterator<String, LastSeen> it = lastSeen.all()) {
        it.forEachRemaining(kv -> seenDevices.put(kv.key, kv.value));
      }
      // Wall clock on purpose: a device is silent when nothing arrives, which no event time shows.
      context.schedule(
          Duration.ofMillis(checkInterval), PunctuationType.WALL_CLOCK_TIME, this::findSilent);
    }

    /** Records when the device was last heard of, and clears its silent alert if it had one. */
    @Override
    public void process(Record<String, CleanReading> record) {
      CleanReading r = record.value();
      long now = context.currentSystemTimeMs();
      long t = r.getEventTime().toEpochMilli();
      LastSeen s = seenDevices.get(r.getDeviceId());
      if (s == null) {
        s = new LastSeen();
        seenDevices.put(r.getDeviceId(), s);
      }
      boolean wasSilent = s.silent;
      if (wasSilent) {
        emit(
            Alerts.cleared(AlertKind.DEVICE_SILENT, RULE)
                .about(r.getDeviceId(), r.getOwnerId(), r.getSensorType())
                .severity(Severity.MEDIUM)
                .at(t, now, now - t > lateAfter)
                .message("device " + r.getDeviceId() + " is sending again")
                .build(),
            now,
            t);
      }
      s.last = now;
      s.silent = false;
      s.owner = r.getOwnerId();
      s.type = r.getSensorType();
      s.silentAfter = silentAfter(r.getSensorType(), devices.get(r.getDeviceId(), now));
      if (wasSilent || now - s.storedAt >= 1000) {
        s.storedAt = now;
        lastSeen.put(r.getDeviceId(), s);
      }
    }

    private long silentAfter(SensorType type, Device device) {
      if (type == SensorType.SOIL_METER) {
        return meterSilentAfter;
      }
      long cadence =
          device != null && device.getCadenceMillis() != null
              ? device.getCadenceMillis()
              : catalog.contains(type) ? catalog.spec(type).cadence().toMillis() : 60_000L;
      return (long) (cadence * silentFactor);
    }

    /** The wall-clock punctuation: raises an alert for each device silent since the last one. */
    private void findSilent(long now) {
      Map<String, Map<String, ConnectionEvent>> relays = null;
      for (Map.Entry<String, LastSeen> e : seenDevices.entrySet()) {
        LastSeen s = e.getValue();
        if (!s.silent && now - s.last > s.silentAfter) {
          if (relays == null) {
            relays = relays(now);
          }
          SilentConnection connection =
              SilentConnection.of(event(e.getKey()), relays.getOrDefault(e.getKey(), Map.of()));
          emit(
              Alerts.raised(AlertKind.DEVICE_SILENT, RULE)
                  .about(e.getKey(), s.owner, s.type)
                  .severity(Severity.MEDIUM)
                  .value(null, null, (double) s.silentAfter)
                  .at(now, now, false)
                  .message(
                      "no reading from "
                          + e.getKey()
                          + " for "
                          + (now - s.last) / 1000
                          + " s (expected within "
                          + s.silentAfter / 1000
                          + " s)"
                          + (connection.description() == null
                              ? ""
                              : "; " + connection.description()))
                  .connection(connection.connection())
                  .build(),
              now,
              now);
          s.silent = true;
          s.storedAt = now;
          lastSeen.put(e.getKey(), s);
        }
      }
    }

    private ConnectionEvent event(String deviceId) {
      ValueAndTimestamp<ConnectionEvent> v = connections.get(deviceId);
      return v == null ? null : v.value();
    }

    /**
     * The latest connection events of the sinks, by the devices they relay for ({@code Device.via})
     * and then by sink id. Built at most once per punctuation, and only when a device falls silent:
     * it reads every device the gateway has seen, and the registry entry of each.
     */
    private Map<String, Map<String, ConnectionEvent>> relays(long now) {
      Map<String, Map<String, ConnectionEvent>> bySensor = new HashMap<>();
      try (KeyValueIterator<String, ValueAndTimestamp<ConnectionEvent>> it = connections.all()) {
        while (it.hasNext()) {
          var kv = it.next();
          if (kv.value == null || kv.value.value() == null) {
            continue;
          }
          Device sink = devices.get(kv.key, now);
          if (sink == null || sink.getKind() != DeviceKind.SINK) {
            continue;
          }
          for (String sensor : sink.getVia()) {
            bySensor.computeIfAbsent(sensor, k -> new HashMap<>()).put(kv.key, kv.value.value());
          }
        }
      }
      return bySensor;
    }

    private void emit(Alert a, long now, long eventTime) {
      metrics.alert(a.getKind(), a.getState(), a.getLate());
      latency.record(now - eventTime);
      context.forward(new Record<>(a.getDeviceId(), a, Math.max(0, eventTime)));
    }
  }
}
