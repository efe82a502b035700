package io.biometer.bench;

import io.biometer.avro.BodyReading;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.CredentialType;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.Provenance;
import io.biometer.avro.RelayKind;
import io.biometer.avro.SensorType;
import io.biometer.catalog.ChannelSpec;
import io.biometer.catalog.SensorCatalog;
import io.biometer.devstack.LocalStack;
import io.biometer.ingress.admin.CredentialAdmin;
import io.biometer.ingress.admin.CredentialAdmin.AddRequest;
import io.biometer.ingress.auth.PasswordHash;
import io.biometer.ingress.readings.DeviceReading;
import io.biometer.ingress.readings.ReadingJson;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ingress bench's virtual devices: ECG body sensors registered in telemetry.devices, each with
 * a hashed-password credential ({@link PasswordHash#MIN_ITERATIONS} PBKDF2 iterations, so that
 * registering and logging in 10,000 devices takes seconds, not the hours of the production default;
 * a login's cost is stated beside the connection rate). A device's readings carry its own
 * increasing sequence, whichever front end sends them, so the gateway refuses none as a replay.
 */
final class IngressDevices {

  /** The sensor type of every bench device. */
  static final SensorType TYPE = SensorType.ECG;

  /** PBKDF2 iterations of the bench devices' passwords. */
  static final int ITERATIONS = PasswordHash.MIN_ITERATIONS;

  private static final Map<String, Double> VALUES = values();

  private IngressDevices() {}

  /** One device: its id, password and sequence counter. */
  static final class Device {
    final String id;
    final String password;
    final String owner;
    final String topic;
    final String commands;
    final String responses;
    final String basic;
    private final AtomicLong next = new AtomicLong();

    Device(String id, String password, String owner) {
      this.id = id;
      this.password = password;
      this.owner = owner;
      this.topic = "biometer/" + id + "/readings";
      this.commands = "biometer/" + id + "/commands";
      this.responses = "biometer/" + id + "/responses";
      this.basic =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString((id + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The next sequence of this device. */
    long nextSequence() {
      return next.getAndIncrement();
    }

    /** The next reading, sent and measured now, as the JSON a device sends. */
    Buffer json() {
      return ReadingJson.toJson(reading(System.currentTimeMillis())).toBuffer();
    }

    /** A batch of {@code n} next readings as a JSON array. */
    Buffer batch(int n) {
      long now = System.currentTimeMillis();
      JsonArray a = new JsonArray(new ArrayList<>(n));
      for (int i = 0; i < n; i++) {
        a.add(ReadingJson.toJson(reading(now)));
      }
      return a.toBuffer();
    }

    private DeviceReading reading(long now) {
      return new DeviceReading(id, nextSequence(), now, now, VALUES, 87.5f);
    }

    /**
     * The record the gateway writes for a reading of this device (as its admission builds it), for
     * the baseline that sends the same records straight to Kafka.
     */
    BodyReading record(long sequence, long now) {
      List<ChannelValue> values = new ArrayList<>(VALUES.size());
      VALUES.forEach((c, v) -> values.add(new ChannelValue(c, v)));
      return BodyReading.newBuilder()
          .setDeviceId(id)
          .setPatientId(owner)
          .setSensorType(TYPE)
          .setSequence(sequence)
          .setEventTime(Instant.ofEpochMilli(now))
          .setValues(values)
          .setBatteryPercent(87.5f)
          .setProvenance(new Provenance(RelayKind.SINK, id, Instant.ofEpochMilli(now), false))
          .build();
    }
  }

  /** Every channel of {@link #TYPE}, each in the middle of its normal range. */
  private static Map<String, Double> values() {
    Map<String, Double> v = new LinkedHashMap<>();
    for (ChannelSpec c : SensorCatalog.standard().spec(TYPE).channels()) {
      v.put(c.name(), Math.rint((c.normalMin() + c.normalMax()) / 2 * 10) / 10);
    }
    return Map.copyOf(v);
  }

  /**
   * Registers {@code n} devices named {@code <prefix>00000}... with a credential each, in one round
   * of writes, and returns them with their passwords.
   */
  static List<Device> register(LocalStack stack, String prefix, int n) throws Exception {
    return register(stack, prefix, n, DeviceKind.BODY_SENSOR, TYPE);
  }

  /**
   * As {@link #register(LocalStack, String, int)}, devices of {@code kind} and {@code type} (the
   * commands bench's are {@code ACTUATOR} fans).
   */
  static List<Device> register(
      LocalStack stack, String prefix, int n, DeviceKind kind, SensorType type) throws Exception {
    List<AddRequest> requests = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String id = String.format("%s%05d", prefix, i);
      requests.add(
          new AddRequest(
              id,
              kind,
              type,
              "patient-" + id,
              List.of(),
              CredentialType.HASHED_PASSWORD,
              id,
              null,
              ITERATIONS));
    }
    List<Device> devices = new ArrayList<>(n);
    try (CredentialAdmin admin =
        new CredentialAdmin(
            stack.bootstrapServers(), stack.registryUrl(), Map.of(), Duration.ofSeconds(60))) {
      for (CredentialAdmin.Issued i : admin.addAll(requests)) {
        String id = i.credential().getDeviceId();
        devices.add(new Device(id, i.secret(), "patient-" + id));
      }
    }
    return devices;
  }
}
