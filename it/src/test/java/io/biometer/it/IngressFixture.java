package io.biometer.it;

import io.biometer.Topics;
import io.biometer.avro.CredentialType;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.SensorType;
import io.biometer.devstack.DevStackConfig;
import io.biometer.devstack.LocalStack;
import io.biometer.devstack.StackFixture;
import io.biometer.ingress.Gateway;
import io.biometer.ingress.IngressConfig;
import io.biometer.ingress.admin.CredentialAdmin;
import io.biometer.ingress.admin.CredentialAdmin.AddRequest;
import io.biometer.ingress.admin.CredentialAdmin.Issued;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A local stack with the ingress gateway on free ports, TLS on (a key store made with the JDK's
 * keytool, and a trust store holding one device certificate for mTLS), and these devices:
 *
 * <ul>
 *   <li>{@code p1.ecg} (ECG) and {@code p1.blood_pressure}, patient p1; {@code p1.ecg} has a
 *       password;
 *   <li>{@code p1.sink-a}, a sink with a password that relays for both of p1's sensors;
 *   <li>{@code p2.ecg} with a password, and the x509 credential {@code CN=p2.ecg,O=biometer};
 *   <li>{@code p2.temp} whose only password expired; {@code p3.ecg} with a password, for the
 *       failed-login limit; {@code p4.ecg} for the rate limit;
 *   <li>{@code m1}, a soil meter with a password and a pre-shared key.
 * </ul>
 *
 * Passwords are hashed with 1,000 PBKDF2 iterations to keep the test fast (the CLI's default is
 * 600,000).
 */
final class IngressFixture implements AutoCloseable {

  static final String STORE_PASSWORD = "changeit";

  final LocalStack stack;
  final Map<String, String> passwords = new HashMap<>();
  final Map<String, String> keys = new HashMap<>();
  final Path dir;
  final Path serverStore;
  final Path clientStore;

  private IngressFixture(LocalStack stack, Path dir, Path serverStore, Path clientStore) {
    this.stack = stack;
    this.dir = dir;
    this.serverStore = serverStore;
    this.clientStore = clientStore;
  }

  /** Starts the stack with TLS (if {@code tls}) and the gateway's {@code extra} settings. */
  static IngressFixture start(Path dir, boolean tls, Map<String, String> extra) throws Exception {
    Path server = dir.resolve("gateway.p12");
    Path client = dir.resolve("device.p12");
    Path trust = dir.resolve("devices-trust.p12");
    Map<String, String> v = StackFixture.values(dir.resolve("stack"), false);
    v.put(DevStackConfig.INGRESS_ENABLED_CONFIG, "true");
    v.put(DevStackConfig.TOPICS_PARTITIONS_CONFIG, "1");
    if (tls) {
      keytool(
          "-genkeypair",
          "-alias",
          "gateway",
          "-keyalg",
          "EC",
          "-groupname",
          "secp256r1",
          "-dname",
          "CN=localhost",
          "-ext",
          "SAN=ip:127.0.0.1,dns:localhost",
          "-validity",
          "2",
          "-keystore",
          server.toString(),
          "-storetype",
          "PKCS12",
          "-storepass",
          STORE_PASSWORD);
      keytool(
          "-genkeypair",
          "-alias",
          "device",
          "-keyalg",
          "EC",
          "-groupname",
          "secp256r1",
          "-dname",
          "CN=p2.ecg,O=biometer",
          "-validity",
          "2",
          "-keystore",
          client.toString(),
          "-storetype",
          "PKCS12",
          "-storepass",
          STORE_PASSWORD);
      Path cert = dir.resolve("device.crt");
      keytool(
          "-exportcert",
          "-alias",
          "device",
          "-rfc",
          "-file",
          cert.toString(),
          "-keystore",
          client.toString(),
          "-storetype",
          "PKCS12",
          "-storepass",
          STORE_PASSWORD);
      keytool(
          "-importcert",
          "-noprompt",
          "-alias",
          "device",
          "-file",
          cert.toString(),
          "-keystore",
          trust.toString(),
          "-storetype",
          "PKCS12",
          "-storepass",
          STORE_PASSWORD);
      v.put("ingress." + IngressConfig.TLS_KEYSTORE_CONFIG, server.toString());
      v.put("ingress." + IngressConfig.TLS_KEYSTORE_PASSWORD_CONFIG, STORE_PASSWORD);
      v.put("ingress." + IngressConfig.TLS_TRUSTSTORE_CONFIG, trust.toString());
      v.put("ingress." + IngressConfig.TLS_TRUSTSTORE_PASSWORD_CONFIG, STORE_PASSWORD);
    }
    extra.forEach((k, x) -> v.put("ingress." + k, x));
    // The gateway starts with the stack, before the devices below exist: it follows the topics.
    LocalStack stack = LocalStack.start(new DevStackConfig(v));
    IngressFixture f = new IngressFixture(stack, dir, server, client);
    try {
      f.registerDevices();
      return f;
    } catch (Exception e) {
      f.close();
      throw e;
    }
  }

  private void registerDevices() throws Exception {
    try (CredentialAdmin admin = admin()) {
      add(admin, "p1.ecg", DeviceKind.BODY_SENSOR, SensorType.ECG, "p1", List.of(), true);
      add(
          admin,
          "p1.blood_pressure",
          DeviceKind.BODY_SENSOR,
          SensorType.BLOOD_PRESSURE,
          "p1",
          List.of(),
          false);
      add(
          admin,
          "p1.sink-a",
          DeviceKind.SINK,
          null,
          "p1",
          List.of("p1.ecg", "p1.blood_pressure"),
          true);
      add(admin, "p2.ecg", DeviceKind.BODY_SENSOR, SensorType.ECG, "p2", List.of(), true);
      add(admin, "p3.ecg", DeviceKind.BODY_SENSOR, SensorType.ECG, "p3", List.of(), true);
      add(admin, "p4.ecg", DeviceKind.BODY_SENSOR, SensorType.ECG, "p4", List.of(), true);
      add(admin, "m1", DeviceKind.SOIL_METER, SensorType.SOIL_METER, "site-1", List.of(), true);
      Issued psk =
          admin.add(
              new AddRequest(
                  "m1", null, null, null, List.of(), CredentialType.PSK, "m1", null, 1_000));
      keys.put("m1", psk.secret());
      admin.add(
          new AddRequest(
              "p2.ecg",
              null,
              null,
              null,
              List.of(),
              CredentialType.X509,
              "CN=p2.ecg,O=biometer",
              null,
              1_000));
      Issued expired =
          admin.add(
              new AddRequest(
                  "p2.temp",
                  DeviceKind.BODY_SENSOR,
                  SensorType.BODY_TEMPERATURE,
                  "p2",
                  List.of(),
                  CredentialType.HASHED_PASSWORD,
                  "p2.temp",
                  Duration.ofMillis(1),
                  1_000));
      passwords.put("p2.temp", expired.secret());
    }
    // Wait until the gateway has read them all.
    Gateway g = gateway();
    Poll.until(
        Duration.ofSeconds(30),
        "the gateway reads the credentials",
        () -> g.directory().credential(CredentialType.HASHED_PASSWORD, "p2.temp") != null);
  }

  private void add(
      CredentialAdmin admin,
      String id,
      DeviceKind kind,
      SensorType type,
      String owner,
      List<String> via,
      boolean password)
      throws Exception {
    if (!password) {
      admin.add(
          new AddRequest(
              id,
              kind,
              type,
              owner,
              via,
              CredentialType.HASHED_PASSWORD,
              id + ".unused",
              null,
              1_000));
      return;
    }
    Issued i =
        admin.add(
            new AddRequest(
                id, kind, type, owner, via, CredentialType.HASHED_PASSWORD, id, null, 1_000));
    passwords.put(id, i.secret());
  }

  CredentialAdmin admin() throws Exception {
    return new CredentialAdmin(
        stack.bootstrapServers(), stack.registryUrl(), Map.of(), Duration.ofSeconds(30));
  }

  Gateway gateway() {
    return stack.ingress();
  }

  /** A reading of {@code device} sent now, in the documented JSON shape. */
  static String reading(String device, long sequence, String values) {
    return reading(device, sequence, Instant.now(), values);
  }

  static String reading(String device, long sequence, Instant sentAt, String values) {
    return "{\"deviceId\":\""
        + device
        + "\",\"sequence\":"
        + sequence
        + ",\"sentAt\":\""
        + sentAt
        + "\",\"eventTime\":"
        + sentAt.toEpochMilli()
        + ",\"values\":"
        + values
        + ",\"batteryPercent\":80}";
  }

  static String ecg(String device, long sequence) {
    return reading(device, sequence, "{\"heart_rate\":72}");
  }

  /** Trust managers that trust the gateway's certificate. */
  javax.net.ssl.TrustManager[] trustManagers() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(serverStore)) {
      trust.load(in, STORE_PASSWORD.toCharArray());
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    return tmf.getTrustManagers();
  }

  /** An SSL context that trusts the gateway, with the device certificate if {@code mtls}. */
  SSLContext ssl(boolean mtls) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(serverStore)) {
      trust.load(in, STORE_PASSWORD.toCharArray());
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (mtls) {
      KeyStore key = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(clientStore)) {
        key.load(in, STORE_PASSWORD.toCharArray());
      }
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(key, STORE_PASSWORD.toCharArray());
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  /** Every record of {@code topic} now, deserialized. */
  List<ConsumerRecord<String, SpecificRecord>> records(String topic) {
    return Clients.readAll(stack, topic, Clients.specific(stack));
  }

  /** {@code deviceId/sequence} of every body reading in Kafka now. */
  List<String> bodyReadingIds() {
    return records(Topics.BODY_READINGS).stream()
        .map(r -> (io.biometer.avro.BodyReading) r.value())
        .map(b -> b.getDeviceId() + "/" + b.getSequence())
        .toList();
  }

  static void keytool(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
    }
  }

  @Override
  public void close() {
    stack.close();
  }
}
