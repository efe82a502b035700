package io.biometer.ingress.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.avro.CredentialSecret;
import io.biometer.avro.CredentialType;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceCredential;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.SensorType;
import io.biometer.ingress.Refusal;
import io.biometer.ingress.Refused;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {

  private static final long T0 = Instant.parse("2026-12-01T00:00:00Z").toEpochMilli();
  private static final long HOUR = 3_600_000;

  private final AtomicLong now = new AtomicLong(T0);
  private final Directory directory = new Directory();
  private Authenticator auth;

  @BeforeEach
  void setUp() {
    directory.device(
        "p1.ecg",
        Device.newBuilder()
            .setDeviceId("p1.ecg")
            .setKind(DeviceKind.BODY_SENSOR)
            .setSensorType(SensorType.ECG)
            .setOwnerId("p1")
            .setRegisteredAt(Instant.ofEpochMilli(T0))
            .build());
    auth =
        new Authenticator(
            directory, new LoginThrottle(3, 100, 60_000, now::get), now::get, 600_000);
  }

  private static CredentialSecret password(String id, String pw, Long from, Long to) {
    return CredentialSecret.newBuilder()
        .setId(id)
        .setPwdHash(PasswordHash.create(pw.toCharArray(), 1_000).toString())
        .setNotBefore(from == null ? null : Instant.ofEpochMilli(from))
        .setNotAfter(to == null ? null : Instant.ofEpochMilli(to))
        .build();
  }

  private void put(CredentialType type, String authId, boolean enabled, List<CredentialSecret> s) {
    DeviceCredential c =
        DeviceCredential.newBuilder()
            .setAuthId(authId)
            .setType(type)
            .setDeviceId("p1.ecg")
            .setEnabled(enabled)
            .setSecrets(s)
            .setUpdatedAt(Instant.ofEpochMilli(now.incrementAndGet()))
            .build();
    directory.credential(Directory.credentialKey(type, authId), c);
  }

  private static void refused(ThrowingCallable call, Refusal reason) {
    assertThatThrownBy(call)
        .isInstanceOf(Refused.class)
        .extracting(e -> ((Refused) e).reason())
        .isEqualTo(reason);
  }

  @Test
  void theRightPasswordGivesTheCredentialsDeviceAsPrincipal() {
    put(CredentialType.HASHED_PASSWORD, "ecg-1", true, List.of(password("s1", "pw1", null, null)));
    Principal p = auth.password("ecg-1", "pw1".toCharArray(), "10.0.0.1");
    assertThat(p.deviceId()).isEqualTo("p1.ecg");
    assertThat(p.kind()).isEqualTo(DeviceKind.BODY_SENSOR);
    refused(() -> auth.password("ecg-1", "pw2".toCharArray(), "10.0.0.1"), Refusal.BAD_SECRET);
    refused(() -> auth.password("nobody", "pw1".toCharArray(), "10.0.0.1"), Refusal.UNKNOWN_DEVICE);
  }

  @Test
  void duringARotationOldAndNewSecretsBothWorkUntilTheOldOneEnds() {
    put(
        CredentialType.HASHED_PASSWORD,
        "ecg-1",
        true,
        List.of(password("s1", "old", T0 - HOUR, T0 + HOUR), password("s2", "new", T0, null)));
    assertThat(auth.password("ecg-1", "old".toCharArray(), "a").deviceId()).isEqualTo("p1.ecg");
    assertThat(auth.password("ecg-1", "new".toCharArray(), "a").deviceId()).isEqualTo("p1.ecg");
    now.set(T0 + 2 * HOUR);
    // The remembered verification of "old" must not outlive its secret's window.
    refused(() -> auth.password("ecg-1", "old".toCharArray(), "a"), Refusal.EXPIRED_SECRET);
    assertThat(auth.password("ecg-1", "new".toCharArray(), "a").deviceId()).isEqualTo("p1.ecg");
  }

  @Test
  void aSecretIsNotValidBeforeItsWindowOpens() {
    put(
        CredentialType.HASHED_PASSWORD,
        "ecg-1",
        true,
        List.of(password("s1", "pw", T0 + HOUR, null)));
    refused(() -> auth.password("ecg-1", "pw".toCharArray(), "a"), Refusal.EXPIRED_SECRET);
    now.set(T0 + HOUR);
    assertThat(auth.password("ecg-1", "pw".toCharArray(), "a").deviceId()).isEqualTo("p1.ecg");
  }

  @Test
  void aRevokedCredentialStopsAtOnceEvenIfRemembered() {
    put(CredentialType.HASHED_PASSWORD, "ecg-1", true, List.of(password("s1", "pw", null, null)));
    auth.password("ecg-1", "pw".toCharArray(), "a");
    put(CredentialType.HASHED_PASSWORD, "ecg-1", false, List.of(password("s1", "pw", null, null)));
    refused(() -> auth.password("ecg-1", "pw".toCharArray(), "a"), Refusal.EXPIRED_SECRET);
  }

  @Test
  void afterTooManyFailuresLoginsAreRefusedUncheckedUntilTheWindowPasses() {
    put(CredentialType.HASHED_PASSWORD, "ecg-1", true, List.of(password("s1", "pw", null, null)));
    for (int i = 0; i < 3; i++) {
      refused(() -> auth.password("ecg-1", "guess".toCharArray(), "a"), Refusal.BAD_SECRET);
    }
    // Even the right password is refused now: the throttle comes before the check.
    refused(() -> auth.password("ecg-1", "pw".toCharArray(), "a"), Refusal.LOGIN_THROTTLED);
    now.addAndGet(60_000);
    assertThat(auth.password("ecg-1", "pw".toCharArray(), "a").deviceId()).isEqualTo("p1.ecg");
  }

  @Test
  void failuresFromOneAddressThrottleThatAddressForEveryAuthId() {
    Authenticator strict =
        new Authenticator(directory, new LoginThrottle(100, 2, 60_000, now::get), now::get, 0);
    refused(() -> strict.password("x1", "pw".toCharArray(), "10.9.9.9"), Refusal.UNKNOWN_DEVICE);
    refused(() -> strict.password("x2", "pw".toCharArray(), "10.9.9.9"), Refusal.UNKNOWN_DEVICE);
    refused(() -> strict.password("x3", "pw".toCharArray(), "10.9.9.9"), Refusal.LOGIN_THROTTLED);
    refused(() -> strict.password("x3", "pw".toCharArray(), "10.1.1.1"), Refusal.UNKNOWN_DEVICE);
  }

  @Test
  void aCredentialOfAnUnregisteredDeviceIsRefused() {
    directory.device("p1.ecg", null);
    put(CredentialType.HASHED_PASSWORD, "ecg-1", true, List.of(password("s1", "pw", null, null)));
    assertThatThrownBy(() -> auth.password("ecg-1", "pw".toCharArray(), "a"))
        .hasMessageContaining("not registered in telemetry.devices");
  }

  @Test
  void pskGivesTheKeysValidNowNewestFirst() {
    CredentialSecret old =
        CredentialSecret.newBuilder()
            .setId("s1")
            .setKey(ByteBuffer.wrap(new byte[] {1}))
            .setNotBefore(Instant.ofEpochMilli(T0 - HOUR))
            .setNotAfter(Instant.ofEpochMilli(T0 + HOUR))
            .build();
    CredentialSecret fresh =
        CredentialSecret.newBuilder()
            .setId("s2")
            .setKey(ByteBuffer.wrap(new byte[] {2}))
            .setNotBefore(Instant.ofEpochMilli(T0))
            .build();
    put(CredentialType.PSK, "m-1", true, List.of(old, fresh));
    assertThat(auth.psk("m-1", "a").keys()).containsExactly(new byte[] {2}, new byte[] {1});
    now.set(T0 + 2 * HOUR);
    assertThat(auth.psk("m-1", "a").keys()).containsExactly(new byte[] {2});
  }

  @Test
  void x509IsFoundBySubjectAndHonoursItsWindow() {
    CredentialSecret window =
        CredentialSecret.newBuilder()
            .setId("s1")
            .setNotAfter(Instant.ofEpochMilli(T0 + HOUR))
            .build();
    put(CredentialType.X509, "CN=p1.ecg,O=biometer", true, List.of(window));
    assertThat(auth.certificate("CN=p1.ecg,O=biometer", "a").deviceId()).isEqualTo("p1.ecg");
    now.set(T0 + 2 * HOUR);
    refused(() -> auth.certificate("CN=p1.ecg,O=biometer", "a"), Refusal.EXPIRED_SECRET);
    refused(() -> auth.certificate("CN=other", "a"), Refusal.UNKNOWN_DEVICE);
  }
}
