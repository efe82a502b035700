package io.biometer.ingress.grpc;

import io.biometer.avro.CredentialSecret;
import io.biometer.avro.CredentialType;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceCredential;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.SensorType;
import io.biometer.ingress.auth.Directory;
import io.biometer.ingress.auth.PasswordHash;
import io.biometer.ingress.grpc.v1.Reading;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/** Registry entries, credentials and readings of the gRPC tests, straight into a directory. */
final class Devices {

  static final String PASSWORD = "correct horse battery staple";

  private Devices() {}

  /** Registers a blood-oxygen sensor {@code deviceId} of patient {@code ownerId}. */
  static void oximeter(Directory directory, String deviceId, String ownerId) {
    directory.device(
        deviceId,
        Device.newBuilder()
            .setDeviceId(deviceId)
            .setKind(DeviceKind.BODY_SENSOR)
            .setSensorType(SensorType.BLOOD_OXYGEN)
            .setOwnerId(ownerId)
            .setRegisteredAt(Instant.now())
            .build());
  }

  /** A hashed-password credential {@code authId} of {@code deviceId}, with {@link #PASSWORD}. */
  static void password(Directory directory, String authId, String deviceId) {
    credential(
        directory,
        authId,
        deviceId,
        CredentialType.HASHED_PASSWORD,
        List.of(
            CredentialSecret.newBuilder()
                .setId("s1")
                .setPwdHash(PasswordHash.create(PASSWORD.toCharArray(), 1000).toString())
                .build()));
  }

  /**
   * An x509 credential: a client certificate with subject {@code subjectDn} is {@code deviceId}.
   */
  static void certificate(Directory directory, String subjectDn, String deviceId) {
    credential(directory, subjectDn, deviceId, CredentialType.X509, List.of());
  }

  private static void credential(
      Directory directory,
      String authId,
      String deviceId,
      CredentialType type,
      List<CredentialSecret> secrets) {
    directory.credential(
        Directory.credentialKey(type, authId),
        DeviceCredential.newBuilder()
            .setAuthId(authId)
            .setType(type)
            .setDeviceId(deviceId)
            .setSecrets(secrets)
            .setUpdatedAt(Instant.now())
            .build());
  }

  /** The value of the {@code authorization} metadata of {@code authId} and {@code password}. */
  static String basic(String authId, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((authId + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** A complete, valid blood-oxygen reading of {@code deviceId}, sent now. */
  static Reading.Builder reading(String deviceId, long sequence) {
    long now = System.currentTimeMillis();
    return Reading.newBuilder()
        .setDeviceId(deviceId)
        .setSequence(sequence)
        .setSentAtMs(now)
        .setEventTimeMs(now - 250)
        .putValues("spo2", 97.5)
        .setBatteryPercent(81.5f);
  }
}
