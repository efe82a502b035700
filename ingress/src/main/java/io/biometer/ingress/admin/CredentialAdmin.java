package io.biometer.ingress.admin;

import io.biometer.Topics;
import io.biometer.avro.CredentialSecret;
import io.biometer.avro.CredentialType;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceCredential;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.SensorType;
import io.biometer.ingress.auth.Directory;
import io.biometer.ingress.auth.PasswordHash;
import io.biometer.ingress.kafka.CompactedView;
import io.biometer.ingress.kafka.ReadingProducer;
import io.biometer.serde.AvroSerdeConfig;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.security.auth.x500.X500Principal;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * Manages devices and their credentials in telemetry.devices and telemetry.credentials: what {@code
 * ./biometer devices add|rotate|revoke|list|reset} do. It reads both topics to their end first, so
 * it works on what the gateways see. A generated secret is returned once, in {@link Issued}, and
 * only its hash (passwords) is stored.
 */
public final class CredentialAdmin implements AutoCloseable {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A credential just written, and its secret in the clear (null for x509): shown once. */
  public record Issued(DeviceCredential credential, String secret) {}

  /** What {@link #add} registers and issues. */
  public record AddRequest(
      String deviceId,
      DeviceKind kind,
      SensorType sensorType,
      String ownerId,
      List<String> via,
      CredentialType type,
      String authId,
      Duration validFor,
      int iterations) {}

  private final Directory directory = new Directory();
  private final Map<String, byte[]> windows = new ConcurrentHashMap<>();
  private final ReadingProducer producer;
  private final List<CompactedView> views = new ArrayList<>();
  private final java.util.function.LongSupplier clock;

  /**
   * Connects to Kafka and the registry and reads the registry, credentials and replay windows.
   *
   * @throws Exception naming the topic that could not be read
   */
  public CredentialAdmin(
      String bootstrap, String registryUrl, Map<String, Object> kafka, Duration timeout)
      throws Exception {
    this(bootstrap, registryUrl, kafka, timeout, System::currentTimeMillis);
  }

  CredentialAdmin(
      String bootstrap,
      String registryUrl,
      Map<String, Object> kafka,
      Duration timeout,
      java.util.function.LongSupplier clock)
      throws Exception {
    this.clock = clock;
    Map<String, Object> serde = new HashMap<>();
    serde.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, registryUrl);
    serde.put(AvroSerdeConfig.SPECIFIC_AVRO_READER_CONFIG, true);
    serde.putAll(AvroSerdeConfig.clientSettings(kafka));
    Map<String, Object> k = new HashMap<>(kafka);
    k.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    Map<String, Object> producerProps = new HashMap<>(k);
    producerProps.put("client.id", "biometer-devices");
    this.producer = new ReadingProducer(producerProps, serde);
    views.addAll(directory.views(k, serde));
    views.add(
        new CompactedView(
            Topics.INGRESS_REPLAY,
            k,
            (key, v) -> {
              if (v == null) {
                windows.remove(key);
              } else {
                windows.put(key, v);
              }
            }));
    try {
      for (CompactedView v : views) {
        v.start();
      }
      for (CompactedView v : views) {
        v.awaitLoaded(timeout);
      }
    } catch (Exception e) {
      close();
      throw e;
    }
  }

  /**
   * Registers the device if a kind is given, and issues a credential for it.
   *
   * @throws IllegalArgumentException saying what is missing or taken
   */
  public Issued add(AddRequest r) throws Exception {
    List<java.util.concurrent.CompletableFuture<?>> sends = new ArrayList<>();
    Issued issued = add(r, sends);
    for (java.util.concurrent.CompletableFuture<?> f : sends) {
      get(f);
    }
    return issued;
  }

  /**
   * {@link #add(AddRequest)} of many devices at once: the writes go out together and are waited for
   * once (a fleet of virtual devices, a test's thousand devices).
   */
  public List<Issued> addAll(List<AddRequest> requests) throws Exception {
    List<java.util.concurrent.CompletableFuture<?>> sends = new ArrayList<>();
    List<Issued> issued = new ArrayList<>(requests.size());
    for (AddRequest r : requests) {
      issued.add(add(r, sends));
    }
    for (java.util.concurrent.CompletableFuture<?> f : sends) {
      get(f);
    }
    return issued;
  }

  private Issued add(AddRequest r, List<java.util.concurrent.CompletableFuture<?>> sends) {
    long now = clock.getAsLong();
    Device existing = directory.device(r.deviceId());
    if (r.kind() != null) {
      if (r.ownerId() == null) {
        throw new IllegalArgumentException("--owner is needed to register " + r.deviceId());
      }
      if ((r.kind() == DeviceKind.BODY_SENSOR || r.kind() == DeviceKind.SOIL_METER)
          && r.sensorType() == null) {
        throw new IllegalArgumentException(
            "--sensor-type is needed to register a " + r.kind() + " (" + r.deviceId() + ")");
      }
      if (r.kind() != DeviceKind.SINK && !r.via().isEmpty()) {
        throw new IllegalArgumentException("--via is for sinks only");
      }
      Device d =
          Device.newBuilder()
              .setDeviceId(r.deviceId())
              .setKind(r.kind())
              .setSensorType(r.kind() == DeviceKind.SINK ? null : r.sensorType())
              .setOwnerId(r.ownerId())
              .setVia(r.via())
              .setThresholds(existing == null ? List.of() : existing.getThresholds())
              .setLabels(existing == null ? Map.of() : existing.getLabels())
              .setCadenceMillis(existing == null ? null : existing.getCadenceMillis())
              .setRegisteredAt(
                  existing == null ? Instant.ofEpochMilli(now) : existing.getRegisteredAt())
              .build();
      sends.add(producer.send(Topics.DEVICES, r.deviceId(), d));
      directory.device(r.deviceId(), d);
    } else if (existing == null) {
      throw new IllegalArgumentException(
          r.deviceId()
              + " is not registered in telemetry.devices: give --kind and --owner (and"
              + " --sensor-type) to register it");
    }
    String authId =
        r.type() == CredentialType.X509
            ? new X500Principal(r.authId()).getName(X500Principal.RFC2253)
            : r.authId() != null ? r.authId() : r.deviceId();
    if (directory.credential(r.type(), authId) != null) {
      throw new IllegalArgumentException(
          Directory.credentialKey(r.type(), authId)
              + " exists already: rotate it, or revoke it and choose another auth id");
    }
    Secret s = newSecret(r.type(), r.iterations(), now, r.validFor(), "s1");
    DeviceCredential c =
        DeviceCredential.newBuilder()
            .setAuthId(authId)
            .setType(r.type())
            .setDeviceId(r.deviceId())
            .setEnabled(true)
            .setSecrets(List.of(s.stored()))
            .setUpdatedAt(Instant.ofEpochMilli(now))
            .build();
    String key = Directory.credentialKey(c.getType(), c.getAuthId());
    sends.add(producer.send(Topics.CREDENTIALS, key, c));
    directory.credential(key, c);
    return new Issued(c, s.clear());
  }

  /**
   * Adds a new secret valid from now and ends the old ones after {@code overlap}, so a device can
   * switch without downtime.
   */
  public Issued rotate(
      CredentialType type, String authId, Duration overlap, Duration validFor, int iterations)
      throws Exception {
    DeviceCredential c = existing(type, authId);
    if (type == CredentialType.X509) {
      throw new IllegalArgumentException(
          "an x509 credential has no secret to rotate: add one for the new certificate's subject");
    }
    long now = clock.getAsLong();
    long end = now + overlap.toMillis();
    List<CredentialSecret> secrets = new ArrayList<>();
    int n = 0;
    for (CredentialSecret old : c.getSecrets()) {
      n = Math.max(n, number(old.getId()));
      if (old.getNotAfter() != null && old.getNotAfter().toEpochMilli() < now) {
        continue; // long expired: drop it
      }
      CredentialSecret ended = CredentialSecret.newBuilder(old).build();
      if (ended.getNotAfter() == null || ended.getNotAfter().toEpochMilli() > end) {
        ended.setNotAfter(Instant.ofEpochMilli(end));
      }
      secrets.add(ended);
    }
    Secret s = newSecret(type, iterations, now, validFor, "s" + (n + 1));
    secrets.add(s.stored());
    DeviceCredential updated =
        DeviceCredential.newBuilder(c)
            .setSecrets(secrets)
            .setEnabled(true)
            .setUpdatedAt(Instant.ofEpochMilli(now))
            .build();
    write(updated);
    return new Issued(updated, s.clear());
  }

  /** Disables a credential: every secret stops working at once. */
  public DeviceCredential revoke(CredentialType type, String authId) throws Exception {
    DeviceCredential c = existing(type, authId);
    DeviceCredential updated =
        DeviceCredential.newBuilder(c)
            .setEnabled(false)
            .setUpdatedAt(Instant.ofEpochMilli(clock.getAsLong()))
            .build();
    write(updated);
    return updated;
  }

  /** Every credential, by device then auth id. */
  public List<DeviceCredential> list() {
    List<DeviceCredential> all = new ArrayList<>(directory.credentials());
    all.sort(
        Comparator.comparing((DeviceCredential c) -> c.getDeviceId())
            .thenComparing(DeviceCredential::getAuthId));
    return all;
  }

  public Device device(String deviceId) {
    return directory.device(deviceId);
  }

  /**
   * Forgets the replay windows of {@code deviceId} (every principal's), for a device that restarted
   * its sequence counter. Gateways read the windows at start: restart them, or the device keeps its
   * old window until then.
   *
   * @return how many windows were reset
   */
  public int reset(String deviceId) throws Exception {
    int n = 0;
    for (String key : Set.copyOf(windows.keySet())) {
      if (key.endsWith("|" + deviceId)) {
        get(producer.send(Topics.INGRESS_REPLAY, key, (byte[]) null));
        n++;
      }
    }
    return n;
  }

  private DeviceCredential existing(CredentialType type, String authId) {
    String id =
        type == CredentialType.X509
            ? new X500Principal(authId).getName(X500Principal.RFC2253)
            : authId;
    DeviceCredential c = directory.credential(type, id);
    if (c == null) {
      throw new IllegalArgumentException(
          "no credential " + Directory.credentialKey(type, id) + "; ./biometer devices list");
    }
    return c;
  }

  private void write(DeviceCredential c) throws Exception {
    String key = Directory.credentialKey(c.getType(), c.getAuthId());
    get(producer.send(Topics.CREDENTIALS, key, c));
    directory.credential(key, c);
  }

  private record Secret(CredentialSecret stored, String clear) {}

  private static Secret newSecret(
      CredentialType type, int iterations, long now, Duration validFor, String id) {
    CredentialSecret.Builder b =
        CredentialSecret.newBuilder()
            .setId(id)
            .setNotBefore(Instant.ofEpochMilli(now))
            .setNotAfter(validFor == null ? null : Instant.ofEpochMilli(now + validFor.toMillis()));
    return switch (type) {
      case HASHED_PASSWORD -> {
        byte[] raw = new byte[18];
        RANDOM.nextBytes(raw);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        b.setPwdHash(PasswordHash.create(password.toCharArray(), iterations).toString());
        yield new Secret(b.build(), password);
      }
      case PSK -> {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        b.setKey(ByteBuffer.wrap(key));
        yield new Secret(b.build(), Base64.getEncoder().encodeToString(key));
      }
      case X509 -> new Secret(b.build(), null);
      default -> throw new IllegalArgumentException("unknown credential type " + type);
    };
  }

  private static int number(String id) {
    try {
      return Integer.parseInt(id.replaceFirst("^s", ""));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static void get(java.util.concurrent.CompletableFuture<?> f) throws Exception {
    try {
      f.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Kafka did not take the write: " + e.getCause(), e);
    }
  }

  @Override
  public void close() {
    producer.close();
    for (CompactedView v : views) {
      v.close();
    }
  }
}
